import {registry} from "@web/core/registry";
import {rpcAs} from "./rpc_as";

/** What the agent's own browser sends meanwhile. */
function asAgent(model, method, args, kwargs = {}) {
    return rpcAs("wb_agent", model, method, args, kwargs);
}

const row = ".o_call_campaign_wallboard_agent:contains('Wallboard Agent')";

registry.category("web_tour.tours").add("call_campaign_wallboard_tour", {
    url: "/odoo/action-call_campaign.call_campaign_action_wallboard",
    steps: () => [
        {
            content: "The wallboard shows the agent, offline",
            trigger: `${row} .o_call_campaign_wallboard_state[data-state=offline]`,
            run: async () => {
                const [reason] = await asAgent("call.pause.reason", "search", [
                    [["name", "=", "Break"]],
                ]);
                await asAgent("res.users", "set_call_agent_state", ["paused", reason]);
            },
        },
        {
            content: "Paused, with the reason, without reloading",
            trigger: `${row}:contains(Break) .o_call_campaign_wallboard_state[data-state=paused]`,
            run: async () => {
                await asAgent("res.users", "set_call_agent_state", ["ready"]);
            },
        },
        {
            content: "Ready",
            trigger: `${row} .o_call_campaign_wallboard_state[data-state=ready]`,
            run: async () => {
                await asAgent("call.campaign.member", "next_for_agent", []);
            },
        },
        {
            content: "On a call with the customer Next Call gave",
            trigger: `${row}:contains(Wallboard Customer) .o_call_campaign_wallboard_state[data-state=on_call]`,
        },
        {
            content: "The campaign counts the agent on a call",
            trigger:
                ".o_call_campaign_wallboard_campaign:contains(Wallboard Campaign) .fa-phone",
        },
    ],
});
