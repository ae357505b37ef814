import {registry} from "@web/core/registry";
import {rpcAs} from "./rpc_as";

/** What the dialer sends meanwhile. */
function asDialer(model, method, args, kwargs = {}) {
    return rpcAs("popup_dialer", model, method, args, kwargs);
}

registry.category("web_tour.tours").add("call_campaign_popup_tour", {
    url: "/odoo/action-call_campaign.call_campaign_member_action_my_day",
    steps: () => [
        {
            content: "My day shows the agent's state",
            trigger: ".o_call_campaign_agent_state_badge[data-state=offline]",
        },
        {
            content: "Pause, for a break",
            trigger: ".o_call_campaign_pause",
            run: "click",
        },
        {
            trigger: ".o_call_campaign_pause_reason:contains(Break)",
            run: "click",
        },
        {
            content: "Paused",
            trigger: ".o_call_campaign_agent_state_badge[data-state=paused]",
        },
        {
            content: "Resume",
            trigger: ".o_call_campaign_ready",
            run: "click",
        },
        {
            content:
                "Ready: the dialer reports the answered call of the agent's customer",
            trigger: ".o_call_campaign_agent_state_badge[data-state=ready]",
            run: async () => {
                const [member] = await asDialer("call.campaign.member", "search", [
                    [["partner_id.name", "=", "Popup Customer"]],
                ]);
                await asDialer("call.campaign.member", "register_call_outcome", [
                    [member],
                    "answered",
                ]);
            },
        },
        {
            content: "The call screen opens on that customer, pushed over the bus",
            trigger:
                ".modal .o_field_widget[name=dial_number]:contains('+48 601 777 002')",
        },
    ],
});
