import {registry} from "@web/core/registry";
import {forwardToColleagueSteps} from "./call_campaign_tour_steps";
import {stepUtils} from "@web_tour/tour_service/tour_utils";

/**
 * An agent's day: open the app on "My day", take the next call, log it with a
 * status that needs a follow-up date and a reason, forward the customer to a
 * colleague from the members' list with the required status, then find both
 * on the customer's timeline.
 */
registry.category("web_tour.tours").add("call_campaign_agent_tour", {
    url: "/odoo",
    steps: () => [
        stepUtils.showAppsMenuItem(),
        {
            content: "Open Call Campaigns",
            trigger: ".o_app[data-menu-xmlid='call_campaign.call_campaign_menu_root']",
            run: "click",
        },
        {
            content: "The app opens on my day: nothing done yet",
            trigger:
                ".o_call_campaign_my_day .o_call_campaign_figure_done_today .o_call_campaign_figure_count:contains('0')",
        },
        {
            content: "Take the next call",
            trigger: ".o_call_campaign_next_call",
            run: "click",
        },
        {
            content: "The call screen, on the next customer",
            trigger:
                ".modal .o_field_widget[name=dial_number]:contains('+48 601 777 001')",
        },
        {
            content: "Choose the result",
            trigger:
                ".modal .o_field_widget[name=status_id] .o_selection_badge:contains('Follow up')",
            run: "click",
        },
        {
            content: "Choose the reason",
            trigger:
                ".modal .o_field_widget[name=reason_id] .o_selection_badge:contains('Customer asked to be called back')",
            run: "click",
        },
        {
            trigger:
                ".modal .o_field_widget[name=reason_id] .o_selection_badge.active:contains('Customer asked to be called back')",
        },
        {
            content: "Give the follow-up date",
            trigger: ".modal .o_field_widget[name=next_call_date] input",
            run: "edit 12/20/2030 10:00:00 && click .modal-body",
        },
        {
            trigger: ".modal .o_field_widget[name=note] textarea",
            run: "edit Call back after the budget meeting",
        },
        {
            content: "Save the call",
            trigger: ".modal-footer button[name=action_log]",
            run: "click",
        },
        {
            content: "Back on my day: one call made",
            trigger:
                "body:not(:has(.modal)) .o_call_campaign_figure_done_today .o_call_campaign_figure_count:contains('1')",
        },
        {
            content: "Open the members list",
            trigger:
                ".o_menu_sections a[data-menu-xmlid='call_campaign.call_campaign_member_menu']",
            run: "click",
        },
        {
            content: "Members are grouped by campaign: open the campaign's group",
            trigger: ".o_list_view .o_group_header:contains('Tour Campaign')",
            run: "click",
        },
        {
            content: "Select the customer",
            trigger:
                ".o_list_view .o_data_row:contains('Tour Customer') .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Forward the customer",
            trigger: ".o_control_panel_actions button:contains('Forward')",
            run: "click",
        },
        ...forwardToColleagueSteps(),
        {
            content: "Handed to the colleague: gone from my list",
            trigger:
                "body:not(:has(.modal)) .o_list_view:not(:has(.o_data_row:contains('Tour Customer')))",
        },
        stepUtils.showAppsMenuItem(),
        {
            content: "Open Contacts",
            trigger: ".o_app[data-menu-xmlid='contacts.menu_contacts']",
            run: "click",
        },
        {
            content:
                "Contacts is on screen (its own search box, not the previous app's)",
            trigger:
                "body:has(.o_menu_brand:contains('Contacts')) .o_kanban_view .o_kanban_record",
        },
        {
            trigger: ".o_searchview_input",
            run: "edit Tour Customer",
        },
        {
            trigger: ".o_searchview_input",
            run: "press Enter",
        },
        {
            content: "The search is applied: only the customer is shown",
            trigger:
                ".o_kanban_view:has(.o_kanban_record:contains('Tour Customer')):not(:has(.o_kanban_record:not(.o_kanban_ghost):not(:contains('Tour Customer'))))",
        },
        {
            trigger: ".o_kanban_record:contains('Tour Customer')",
            run: "click",
        },
        {
            content: "Open the timeline",
            trigger: ".o_notebook a.nav-link:contains('Timeline')",
            run: "click",
        },
        {
            content: "The logged call is there",
            trigger:
                ".o_call_timeline .o_kanban_record:contains('Call logged'):contains('Follow up')",
        },
        {
            content: "The forward is there, to the colleague",
            trigger:
                ".o_call_timeline .o_kanban_record:contains('Forwarded'):contains('Tour Colleague')",
        },
    ],
});
