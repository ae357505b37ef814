import {registry} from "@web/core/registry";
import {session} from "@web/session";

/** What the agent's own browser does meanwhile: JSON-RPC with its login. */
async function asAgent(model, method, args, kwargs = {}) {
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
    const login = "wb_agent";
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
