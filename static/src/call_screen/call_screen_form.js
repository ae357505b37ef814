import {registry} from "@web/core/registry";
import {useService} from "@web/core/utils/hooks";
import {FormController} from "@web/views/form/form_controller";
import {formView} from "@web/views/form/form_view";

const RESULT_FREE_BUTTONS = ["action_close", "action_skip", "action_forward"];

/**
 * The call screen (Log a Call): closing it without a button (its ✕, Escape)
 * hands the reserved customer back to the queue, as its Close button does,
 * before the screen behind reloads.
 */
export class CallScreenFormController extends FormController {
    setup() {
        super.setup();
        this.orm = useService("orm");
        if (this.env.dialogData) {
            this.env.dialogData.dismiss = () => this.releaseReservation();
        }
    }

    async beforeExecuteActionButton(clickParams) {
        if (RESULT_FREE_BUTTONS.includes(clickParams.name)) {
            // these buttons log no result: one half chosen (a status
            // waiting for its date) must not keep the agent on the screen
            await this.model.root.update({
                outcome: false,
                status_id: false,
                reason_id: false,
                next_call_date: false,
            });
        }
        return super.beforeExecuteActionButton(clickParams);
    }

    memberIds() {
        const data = this.model.root.data;
        const member = data.member_id;
        const memberId = Array.isArray(member) ? member[0] : member?.id;
        const ids = data.member_ids?.currentIds || [];
        return ids.length ? ids : memberId ? [memberId] : [];
    }

    async releaseReservation() {
        const ids = this.memberIds();
        if (!ids.length) {
            return;
        }
        try {
            await this.orm.silent.call(
                "call.campaign.member",
                "action_release_reservation",
                [ids]
            );
        } catch {
            // the screen closes anyway: the reservation expires by itself
        }
    }
}

registry.category("views").add("call_campaign_call_screen", {
    ...formView,
    Controller: CallScreenFormController,
});

/**
 * The forward wizard opened from the call screen: cancelling it (its
 * button, its ✕, Escape) goes back to the call screen on the same
 * customer, still reserved to the agent.
 */
export class CallForwardFormController extends FormController {
    setup() {
        super.setup();
        this.action = useService("action");
        if (this.env.dialogData && this.props.context.call_screen) {
            this.env.dialogData.dismiss = () => this.backToCall();
        }
    }

    async beforeExecuteActionButton(clickParams) {
        if (clickParams.special === "cancel" && this.props.context.call_screen) {
            await this.backToCall();
            return false;
        }
        return super.beforeExecuteActionButton(clickParams);
    }

    backToCall() {
        return this.action.doAction("call_campaign.call_campaign_member_log_action", {
            additionalContext: {
                active_model: "call.campaign.member",
                active_ids: this.props.context.active_ids,
            },
        });
    }
}

registry.category("views").add("call_campaign_forward_form", {
    ...formView,
    Controller: CallForwardFormController,
});
