import {reactive} from "@odoo/owl";
import {registry} from "@web/core/registry";

/**
 * The agent's live link to the floor, fed by Odoo's bus (the agent's own
 * channel): an answered call a dialer hands to the agent opens its call
 * screen; the agent's state and My day follow what the server says. The
 * browser never polls.
 */
export const callCampaignService = {
    dependencies: ["bus_service", "action", "orm"],
    start(env, {bus_service, action, orm}) {
        const state = reactive({agent: null, myDayVersion: 0, wallboards: {}});
        const watched = new Map();
        bus_service.subscribe("call_campaign/wallboard", (snapshot) => {
            if (!watched.has(snapshot.company_id)) {
                return;
            }
            const current = state.wallboards[snapshot.company_id];
            state.wallboards[snapshot.company_id] =
                snapshot.delta && current
                    ? mergeWallboard(current, snapshot)
                    : snapshot;
        });
        /**
         * A tick's changes on the wallboard shown: the agents whose row
         * changed replace theirs, the removed go, the campaigns are all sent.
         */
        function mergeWallboard(current, delta) {
            const removed = new Set(delta.removed || []);
            const changed = new Map(delta.agents.map((row) => [row.user_id, row]));
            const agents = current.agents
                .filter((row) => !removed.has(row.user_id))
                .map((row) => changed.get(row.user_id) || row);
            const known = new Set(agents.map((row) => row.user_id));
            agents.push(...delta.agents.filter((row) => !known.has(row.user_id)));
            return {...current, date: delta.date, campaigns: delta.campaigns, agents};
        }
        /** An open wallboard follows its company's channel. */
        function watchWallboard(companyId, snapshot) {
            watched.set(companyId, (watched.get(companyId) || 0) + 1);
            state.wallboards[companyId] = snapshot;
            bus_service.addChannel(`call_campaign.wallboard_${companyId}`);
        }
        function unwatchWallboard(companyId) {
            const count = (watched.get(companyId) || 1) - 1;
            if (count) {
                watched.set(companyId, count);
                return;
            }
            watched.delete(companyId);
            bus_service.deleteChannel(`call_campaign.wallboard_${companyId}`);
        }
        bus_service.subscribe("call_campaign/call", (payload) => {
            if (payload.action) {
                action.doAction(payload.action);
            }
        });
        bus_service.subscribe("call_campaign/agent_state", () => refreshAgent());
        bus_service.subscribe("call_campaign/my_day", () => {
            state.myDayVersion++;
        });
        bus_service.start();
        async function refreshAgent() {
            state.agent = await orm.call("res.users", "get_call_agent_state", []);
            state.myDayVersion++;
            return state.agent;
        }
        async function setAgentState(agentState, reasonId = false) {
            state.agent = await orm.call("res.users", "set_call_agent_state", [
                agentState,
                reasonId,
            ]);
            return state.agent;
        }
        return {state, refreshAgent, setAgentState, watchWallboard, unwatchWallboard};
    },
};

registry.category("services").add("call_campaign", callCampaignService);
