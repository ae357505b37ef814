import {Component, onWillStart, status, useEffect, useState} from "@odoo/owl";
import {registry} from "@web/core/registry";
import {useService} from "@web/core/utils/hooks";
import {Layout} from "@web/search/layout";
import {formatSeconds} from "../wallboard/wallboard";

/**
 * "My day", the app's landing page: what is due, overdue, the agent's
 * callbacks and the calls made today, each opening its list, and "Next call"
 * as a button. Opening it reserves nobody; every figure comes from
 * call.campaign.member.get_my_day, the same method integrators call.
 */
export class CallCampaignMyDay extends Component {
    static template = "call_campaign.MyDay";
    static components = {Layout};
    static props = ["*"];

    setup() {
        this.orm = useService("orm");
        this.action = useService("action");
        this.live = useState(useService("call_campaign").state);
        this.callCampaign = useService("call_campaign");
        this.state = useState({figures: [], campaigns: [], reasons: [], loaded: false});
        // every request leaves at once: none is made after the screen is left
        onWillStart(async () => {
            const [reasons] = await Promise.all([
                this.orm.searchRead("call.pause.reason", [], ["name"]),
                this.callCampaign.refreshAgent(),
                this.load(),
            ]);
            this.state.reasons = reasons;
            this.seenVersion = this.live.myDayVersion;
        });
        // pushed over the bus: reservations, outcomes, the agent's state
        useEffect(
            (version) => {
                if (version !== this.seenVersion) {
                    this.seenVersion = version;
                    this.load();
                }
            },
            () => [this.live.myDayVersion]
        );
    }

    async load() {
        if (status(this) === "destroyed") {
            return;
        }
        const day = await this.orm.call("call.campaign.member", "get_my_day", []);
        Object.assign(this.state, day, {loaded: true});
    }

    formatHours(hours) {
        return formatSeconds(hours * 3600);
    }

    get agentState() {
        return this.live.agent ? this.live.agent.state : "offline";
    }

    async pause(reasonId) {
        await this.callCampaign.setAgentState("paused", reasonId);
    }

    async ready() {
        await this.callCampaign.setAgentState("ready");
    }

    /** The call screen opens over the dashboard, whose figures follow. */
    async openNextCall(campaignId) {
        const action = campaignId
            ? await this.orm.call("call.campaign", "action_next_call", [[campaignId]])
            : await this.orm.call("call.campaign.member", "action_next_call", []);
        await this.action.doAction(action, {onClose: () => this.load()});
        await this.load();
    }

    openFigure(figure) {
        return this.action.doAction({
            type: "ir.actions.act_window",
            name: figure.label,
            res_model: figure.model,
            domain: figure.domain,
            help: figure.help,
            views: [
                [false, "list"],
                [false, "form"],
            ],
        });
    }
}

registry.category("actions").add("call_campaign.my_day", CallCampaignMyDay);
