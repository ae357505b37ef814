import {registry} from "@web/core/registry";
import {session} from "@web/session";

/** What another client (the dialer) sends, over JSON-RPC with its login. */
async function asDialer(model, method, args, kwargs = {}) {
    const call = async (service, serviceMethod, serviceArgs) => {
        const response = await fetch("/jsonrpc", {
            method: "POST",
            headers: {"Content-Type": "application/json"},
            body: JSON.stringify({
                jsonrpc: "2.0",
                method: "call",
                params: {service, method: serviceMethod, args: serviceArgs},
            }),
        });
        const answer = await response.json();
        if (answer.error) {
            throw new Error(answer.error.data.message);
        }
        return answer.result;
    };
    const login = "popup_dialer";
    const uid = await call("common", "login", [session.db, login, login]);
    return call("object", "execute_kw", [
        session.db,
        uid,
        login,
        model,
        method,
        args,
        kwargs,
    ]);
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
            trigger: ".modal .o_field_widget[name=phone]:contains('+48 601 777 002')",
        },
    ],
});
