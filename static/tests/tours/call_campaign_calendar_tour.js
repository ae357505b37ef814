import {registry} from "@web/core/registry";

/**
 * The calendar of scheduled calls: each call at its time, as long as a call
 * of its campaign takes (not a one-hour meeting), named after the customer;
 * its popover names the campaign and opens the call screen.
 */
registry.category("web_tour.tours").add("call_campaign_calendar_tour", {
    steps: () => [
        {
            content:
                "The call, at its time, named after the customer, shorter than an hour",
            trigger:
                ".o_calendar_view .fc-event:not(.fc-daygrid-event):contains('Tour Customer')",
            run(helpers) {
                const event = helpers.anchor;
                const slot = document.querySelector(".fc-timegrid-slot");
                // two slots of 30 minutes are an hour
                if (event.offsetHeight >= 2 * slot.offsetHeight) {
                    throw new Error(`a call shown as an hour: ${event.offsetHeight}px`);
                }
                // its customer readable inside it, not pushed out under the time
                const title = event
                    .querySelector(".o_event_title")
                    .getBoundingClientRect();
                if (title.bottom > event.getBoundingClientRect().bottom + 1) {
                    throw new Error(
                        "the customer's name is hidden under the call's time"
                    );
                }
                event.click();
            },
        },
        {
            content: "Its popover names the campaign and offers Log a Call, not Delete",
            trigger:
                ".o_cw_popover:not(:has(.o_cw_popover_delete)):contains('Tour Campaign') .o_call_calendar_log_call",
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
