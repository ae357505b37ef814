import {registry} from "@web/core/registry";

/**
 * The call screen: an answered call is logged and the next customer is on
 * screen in three actions (Log a Call, the result, Save & Next); then a call
 * attempt that did not reach (no answer), then a skip with its reason.
 */
registry.category("web_tour.tours").add("call_campaign_call_screen_tour", {
    steps: () => [
        {
            content: "The first customer is open",
            trigger:
                ".o_form_view .o_field_widget[name=phone]:contains('+48 601 888 001')",
        },
        {
            content: "Action 1: Log a Call",
            trigger: ".o_form_view button[name=action_set_status]",
            run: "click",
        },
        {
            content: "Action 2: the result",
            trigger:
                ".modal .o_field_widget[name=status_id] span.o_selection_badge:contains('Not interested')",
            run: "click",
        },
        {
            content: "Action 3: Save & Next",
            trigger:
                ".modal .o_field_widget[name=status_id] span.o_selection_badge.active:contains('Not interested')",
        },
        {
            trigger: ".modal-footer button[name=action_save_and_next]",
            run: "click",
        },
        {
            content: "The next customer is on screen",
            trigger: ".modal .o_field_widget[name=phone]:contains('+48 601 888 002')",
        },
        {
            content: "Nobody answered",
            trigger:
                ".modal .o_field_widget[name=outcome] span.o_selection_badge:contains('No answer')",
            run: "click",
        },
        {
            trigger:
                ".modal .o_field_widget[name=outcome] span.o_selection_badge.active:contains('No answer')",
        },
        {
            trigger: ".modal-footer button[name=action_save_and_next]",
            run: "click",
        },
        {
            content: "The third customer is on screen",
            trigger: ".modal .o_field_widget[name=phone]:contains('+48 601 888 003')",
        },
        {
            content: "Skip with a reason",
            trigger: ".modal .o_field_widget[name=note] textarea",
            run: "edit Asked us to call after lunch",
        },
        {
            trigger: ".modal-footer button[name=action_skip]",
            run: "click",
        },
        {
            content: "Nobody left: the screen closes with a notice",
            trigger:
                "body:not(:has(.modal)) .o_notification:contains('Nobody to call now')",
        },
    ],
});
