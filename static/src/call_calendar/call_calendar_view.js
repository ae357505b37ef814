import {registry} from "@web/core/registry";
import {useService} from "@web/core/utils/hooks";
import {CalendarCommonPopover} from "@web/views/calendar/calendar_common/calendar_common_popover";
import {CalendarCommonRenderer} from "@web/views/calendar/calendar_common/calendar_common_renderer";
import {CalendarRenderer} from "@web/views/calendar/calendar_renderer";
import {CalendarModel} from "@web/views/calendar/calendar_model";
import {calendarView} from "@web/views/calendar/calendar_view";

/** A scheduled call's popover opens the call screen; calls are not deleted here. */
export class CallCalendarPopover extends CalendarCommonPopover {
    static subTemplates = {
        ...CalendarCommonPopover.subTemplates,
        footer: "call_campaign.CallCalendarPopover.footer",
    };

    setup() {
        super.setup();
        this.orm = useService("orm");
        this.action = useService("action");
    }

    get isEventEditable() {
        return false;
    }

    get isEventDeletable() {
        return false;
    }

    get hasFooter() {
        return true;
    }

    async onLogCall() {
        const action = await this.orm.call(
            "mail.activity",
            "action_log_call_campaign",
            [[this.props.record.id]]
        );
        this.props.close();
        await this.action.doAction(action, {
            onClose: () => this.props.model.load(),
        });
    }
}

export class CallCalendarCommonRenderer extends CalendarCommonRenderer {
    static components = {
        ...CalendarCommonRenderer.components,
        Popover: CallCalendarPopover,
    };
}

export class CallCalendarRenderer extends CalendarRenderer {
    static components = {
        ...CalendarRenderer.components,
        day: CallCalendarCommonRenderer,
        week: CallCalendarCommonRenderer,
        month: CallCalendarCommonRenderer,
    };
}

/** A call is titled by whom to call: its campaign is in the popover and the filters. */
export class CallCalendarModel extends CalendarModel {
    normalizeRecord(rawRecord) {
        const record = super.normalizeRecord(rawRecord);
        const customer = rawRecord.call_partner_id;
        const name = Array.isArray(customer) ? customer[1] : customer?.display_name;
        if (name) {
            record.title = name;
        }
        return record;
    }
}

registry.category("views").add("call_campaign_call_calendar", {
    ...calendarView,
    Model: CallCalendarModel,
    Renderer: CallCalendarRenderer,
});
