import {ActivityMarkAsDone} from "@mail/core/web/activity_markasdone_popover";
import {patch} from "@web/core/utils/patch";

/**
 * A campaign call is done when its result is logged: "Mark Done" on one
 * opens Log a Call instead of closing the call without a result.
 */
function isCampaignCall(activity) {
    return (
        activity.res_model === "call.campaign.member" &&
        activity.activity_category === "phonecall"
    );
}

patch(ActivityMarkAsDone.prototype, {
    async onClickDone() {
        if (!isCampaignCall(this.props.activity)) {
            return super.onClickDone(...arguments);
        }
        return this.openCampaignCallLog();
    },

    async onClickDoneAndScheduleNext() {
        if (!isCampaignCall(this.props.activity)) {
            return super.onClickDoneAndScheduleNext(...arguments);
        }
        return this.openCampaignCallLog();
    },

    async openCampaignCallLog() {
        const {activity} = this.props;
        const thread = this.env.services["mail.store"].Thread.insert({
            model: activity.res_model,
            id: activity.res_id,
        });
        const action = await this.env.services.orm.call(
            "mail.activity",
            "action_log_call_campaign",
            [[activity.id]]
        );
        this.props.close?.();
        await this.env.services.action.doAction(action, {
            onClose: () => this.props.onActivityChanged(thread),
        });
    },
});
