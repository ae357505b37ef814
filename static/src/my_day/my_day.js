import {Component, onWillStart, useState} from "@odoo/owl";
import {registry} from "@web/core/registry";
import {useService} from "@web/core/utils/hooks";
import {Layout} from "@web/search/layout";

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
        this.state = useState({figures: [], campaigns: [], loaded: false});
        onWillStart(() => this.load());
    }

    async load() {
        const day = await this.orm.call("call.campaign.member", "get_my_day", []);
        Object.assign(this.state, day, {loaded: true});
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
            views: [
                [false, "list"],
                [false, "form"],
            ],
        });
    }
}

registry.category("actions").add("call_campaign.my_day", CallCampaignMyDay);
