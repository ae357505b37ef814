import {registry} from "@web/core/registry";

/**
 * The calendar of scheduled calls: each call at its time, named after the
 * customer and the campaign; its popover opens the call screen.
 */
registry.category("web_tour.tours").add("call_campaign_calendar_tour", {
    steps: () => [
        {
            content: "The call, at its time, named after customer and campaign",
            trigger:
                ".o_calendar_view .fc-event:not(.fc-daygrid-event):contains('Tour Customer — Tour Campaign')",
            run: "click",
        },
        {
            content: "Its popover offers Log a Call, not Delete",
            trigger:
                ".o_cw_popover:not(:has(.o_cw_popover_delete)) .o_call_calendar_log_call",
            run: "click",
        },
        {
            content: "The call screen of that customer",
            trigger:
                ".modal:has(.modal-title:contains('Log a Call')) .o_field_widget[name=dial_number]:contains('+48 601 777 001')",
        },
        {
            trigger: ".modal .modal-footer button[name=action_close]",
            run: "click",
        },
        {
            trigger: "body:not(:has(.modal)) .o_calendar_view",
        },
    ],
});
