import {registry} from "@web/core/registry";
import {forwardToColleagueSteps} from "./call_campaign_tour_steps";

function resultByKey(name) {
    return {
        content: `Result "${name}" by its number key`,
        trigger: `.modal .o_field_widget[name=status_id] .o_call_result:contains('${name}')`,
        async run(helpers) {
            await helpers.press(helpers.anchor.querySelector("kbd").textContent.trim());
        },
    };
}

/** A result that needs a date, picked without its date. */
function halfChosenResult() {
    return [
        {
            content: "A result that needs a date, half chosen",
            trigger:
                ".modal .o_field_widget[name=status_id] .o_call_result:contains('Follow up')",
            run: "click",
        },
        {
            trigger:
                ".modal .o_field_widget[name=status_id] .o_call_result.active:contains('Follow up')",
        },
    ];
}

function saveAndNext(nextPhone) {
    return [
        {
            trigger: ".modal-footer button[name=action_save_and_next]",
            run: "click",
        },
        {
            content: "The next customer is on screen",
            trigger: `.modal .o_field_widget[name=dial_number]:contains('${nextPhone}')`,
        },
    ];
}

/**
 * An agent's day through the call screen, from "My day": an answered call
 * is logged and the next customer is on screen in three actions (Next Call,
 * the result's key, Save & Next); then a no-answer attempt, a callback with
 * a quick date, a skip with its reason (a result half chosen does not block
 * it), a screen closed by its cross (the customer is handed back), a forward
 * cancelled twice (back on the same customer) and a forward to a colleague,
 * which ends on the agent's calls.
 */
registry.category("web_tour.tours").add("call_campaign_call_screen_tour", {
    steps: () => [
        {
            content: "My day: five customers due, nothing done yet",
            trigger:
                ".o_call_campaign_my_day:has(.o_call_campaign_figure_due_now .o_call_campaign_figure_count:contains('5')) .o_call_campaign_figure_done_today .o_call_campaign_figure_count:contains('0')",
        },
        {
            content: "Action 1: Next Call",
            trigger: ".o_call_campaign_next_call",
            run: "click",
        },
        {
            content: "The call screen, on the first customer",
            trigger:
                ".modal .o_field_widget[name=dial_number]:contains('+48 601 888 001')",
        },
        {
            content: "The customer's history shows the reason of an earlier no",
            trigger:
                ".modal .o_call_timeline .o_call_event_reason:contains('Price too high')",
        },
        {...resultByKey("Not interested"), content: "Action 2: the result's key"},
        {
            trigger:
                ".modal .o_field_widget[name=status_id] .o_call_result.active:contains('Not interested')",
        },
        {
            content: "Action 3: Save & Next",
            trigger: ".modal-footer button[name=action_save_and_next]",
            run: "click",
        },
        {
            content: "The next customer is on screen",
            trigger:
                ".modal .o_field_widget[name=dial_number]:contains('+48 601 888 002')",
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
        ...saveAndNext("+48 601 888 003"),
        {
            content: "A callback",
            trigger:
                ".modal .o_field_widget[name=status_id] .o_call_result:contains('Follow up')",
            run: "click",
        },
        {
            content: "Call back tomorrow, same time",
            trigger:
                ".modal .o_field_widget[name=quick_date] span.o_selection_badge:contains('Tomorrow')",
            run: "click",
        },
        {
            content: "The date is set",
            trigger: ".modal .o_field_widget[name=next_call_date] input:value(/\\d/)",
        },
        ...saveAndNext("+48 601 888 004"),
        ...halfChosenResult(),
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
            content: "The fifth customer is on screen, reserved to me",
            trigger:
                ".modal .o_field_widget[name=dial_number]:contains('+48 601 888 005')",
        },
        {
            content: "Closed by its cross, without a result",
            trigger: ".modal-header .btn-close",
            run: "click",
        },
        {
            content: "Handed back: nobody is reserved to me",
            trigger:
                "body:not(:has(.modal)) .o_call_campaign_figure_reserved .o_call_campaign_figure_count:contains('0')",
        },
        {
            content: "Next Call again: the customer skipped earlier is back",
            trigger: ".o_call_campaign_next_call",
            run: "click",
        },
        {
            trigger:
                ".modal .o_field_widget[name=dial_number]:contains('+48 601 888 004')",
        },
        ...halfChosenResult(),
        {
            content: "Forward, then change my mind",
            trigger: ".modal-footer button[name=action_forward]",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=user_id]",
        },
        {
            trigger: ".modal-footer button:contains('Cancel')",
            run: "click",
        },
        {
            content: "Back on the call screen, same customer",
            trigger:
                ".modal:not(:has(.o_field_widget[name=user_id])) .o_field_widget[name=dial_number]:contains('+48 601 888 004')",
        },
        {
            content: "Forward, then Escape",
            trigger: ".modal-footer button[name=action_forward]",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=user_id]",
            run: "press Escape",
        },
        {
            content: "Back on the call screen again",
            trigger:
                ".modal:not(:has(.o_field_widget[name=user_id])) .o_field_widget[name=dial_number]:contains('+48 601 888 004')",
        },
        {
            content: "Forward",
            trigger: ".modal-footer button[name=action_forward]",
            run: "click",
        },
        ...forwardToColleagueSteps(),
        {
            content: "Handed away: the agent's calls, no dialog, no error",
            trigger:
                "body:not(:has(.modal)):not(:has(.o_error_dialog)) .o_breadcrumb:contains('My Calls')",
        },
        {
            content: "Back to my day",
            trigger:
                ".o_menu_sections a[data-menu-xmlid='call_campaign.call_campaign_member_menu_my_day']",
            run: "click",
        },
        {
            content: "Three calls made today",
            trigger:
                ".o_call_campaign_my_day .o_call_campaign_figure_done_today .o_call_campaign_figure_count:contains('3')",
        },
    ],
});
