import {registry} from "@web/core/registry";
import {forwardToColleagueSteps} from "./call_campaign_tour_steps";

/**
 * Forward from the member's form to a colleague: the agent may no longer
 * read the member, so the screen ends on their own calls, never reloading
 * the member (no Access Error).
 */
registry.category("web_tour.tours").add("call_campaign_forward_form_tour", {
    steps: () => [
        {
            content: "The member's form",
            trigger:
                ".o_form_view .o_field_widget[name=partner_id]:contains('Tour Customer')",
        },
        {
            trigger: ".o_form_view .o_statusbar_buttons button:contains('Forward')",
            run: "click",
        },
        ...forwardToColleagueSteps(),
        {
            content: "The agent's calls, no dialog, no error",
            trigger:
                "body:not(:has(.modal)):not(:has(.o_error_dialog)) .o_breadcrumb:contains('My Calls')",
        },
    ],
});
