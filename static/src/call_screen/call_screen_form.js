import {registry} from "@web/core/registry";
import {useService} from "@web/core/utils/hooks";
import {FormController} from "@web/views/form/form_controller";
import {formView} from "@web/views/form/form_view";

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
