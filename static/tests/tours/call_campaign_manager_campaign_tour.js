import {registry} from "@web/core/registry";
import {stepUtils} from "@web_tour/tour_service/tour_utils";

/**
 * A manager creates a campaign with a script and an agent, starts it, adds
 * the contacts of a filter from the Contacts list, and opens the campaign's
 * dashboard: the agent has made no call yet.
 */
registry.category("web_tour.tours").add("call_campaign_manager_campaign_tour", {
    steps: () => [
        {
            content:
                "The campaigns: the rows of every card aligned, a success rate on one line",
            trigger:
                ".o_kanban_record:contains('Draft Campaign') .o_call_campaign_success",
            run() {
                const cards = [
                    ...document.querySelectorAll(
                        ".o_kanban_record:not(.o_kanban_ghost)"
                    ),
                ];
                // where the footer starts in its card: the same on a draft
                // card (no Next Call) as on a running one
                const footerTops = new Set(
                    cards.map((card) =>
                        Math.round(
                            card.querySelector("footer").getBoundingClientRect().top -
                                card
                                    .querySelector(".o_call_campaign_success")
                                    .getBoundingClientRect().top
                        )
                    )
                );
                if (cards.length < 2 || footerTops.size !== 1) {
                    throw new Error(`cards' rows not aligned: ${[...footerTops]}`);
                }
                for (const rate of document.querySelectorAll(
                    ".o_call_campaign_success"
                )) {
                    const lineHeight = parseFloat(getComputedStyle(rate).lineHeight);
                    if (rate.offsetHeight > 1.5 * lineHeight) {
                        throw new Error(`the success rate wraps: "${rate.innerText}"`);
                    }
                }
            },
        },
        {
            trigger: ".o_control_panel_main_buttons .o-kanban-button-new",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=name] input",
            run: "edit Spring Offers",
        },
        {
            trigger: ".o_notebook a.nav-link:contains('Script')",
            run: "click",
        },
        {
            content: "The agents' script",
            trigger: ".o_field_widget[name=script] .odoo-editor-editable",
            run: "editor Hello, this is Spring Offers calling about your order.",
        },
        {
            trigger: ".o_notebook a.nav-link:contains('Agents')",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=agent_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            trigger: ".modal .o_searchview_input",
            run: "edit Tour Agent",
        },
        {
            trigger: ".modal .o_searchview_input",
            run: "press Enter",
        },
        {
            content: "The search is applied: only the agent is listed",
            trigger:
                ".modal:has(.o_searchview_facet:contains('Tour Agent')) .o_list_view:not(:has(.o_data_row:not(:contains('Tour Agent'))))",
        },
        {
            trigger:
                ".modal .o_data_row:contains('Tour Agent') .o_list_record_selector input",
            run: "click",
        },
        {
            trigger: ".modal-footer .o_select_button:not([disabled])",
            run: "click",
        },
        {
            trigger:
                "body:not(:has(.modal)) .o_field_widget[name=agent_ids] .o_data_row:contains('Tour Agent')",
        },
        {
            content: "Start the campaign (saves it)",
            trigger: ".o_form_view button[name=action_start]",
            run: "click",
        },
        {
            trigger:
                ".o_statusbar_status button.o_arrow_button_current:contains('Running')",
        },
        stepUtils.showAppsMenuItem(),
        {
            content: "Open Contacts",
            trigger: ".o_app[data-menu-xmlid='contacts.menu_contacts']",
            run: "click",
        },
        {
            trigger:
                "body:has(.o_menu_brand:contains('Contacts')) .o_switch_view.o_list",
            run: "click",
        },
        {
            content: "The contacts' list is on screen",
            trigger: ".o_list_view .o_data_row",
        },
        {
            trigger: ".o_searchview_input",
            run: "edit Spring Lead",
        },
        {
            trigger: ".o_searchview_input",
            run: "press Enter",
        },
        {
            content: "The filter shows the three contacts, nobody else",
            trigger:
                ".o_list_view:has(.o_data_row:contains('Spring Lead 3')):not(:has(.o_data_row:not(:contains('Spring Lead'))))",
        },
        {
            content: "Select the whole filter",
            trigger: ".o_list_view thead .o_list_record_selector input",
            run: "click",
        },
        {
            trigger: ".o_cp_action_menus button:has(.fa-cog)",
            run: "click",
        },
        {
            trigger:
                ".o-dropdown--menu .o-dropdown-item:contains('Add to Call Campaign')",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=campaign_id] input",
            run: "edit Spring Offers",
        },
        {
            trigger: ".ui-autocomplete .ui-menu-item a:contains('Spring Offers')",
            run: "click",
        },
        {
            trigger:
                ".modal .o_field_widget[name=campaign_id] input:value(Spring Offers)",
        },
        {
            trigger: ".modal-footer button[name=action_add]",
            run: "click",
        },
        {
            content: "Three members added",
            trigger: ".modal .o_field_widget[name=added_count]:contains('3')",
        },
        {
            trigger: ".modal-footer button:contains('Close')",
            run: "click",
        },
        stepUtils.showAppsMenuItem(),
        {
            trigger: ".o_app[data-menu-xmlid='call_campaign.call_campaign_menu_root']",
            run: "click",
        },
        {
            content: "My day, the app's landing page, has loaded",
            trigger: ".o_call_campaign_my_day .o_call_campaign_figure_due_now",
        },
        {
            trigger:
                ".o_menu_sections a[data-menu-xmlid='call_campaign.call_campaign_menu']",
            run: "click",
        },
        {
            trigger: ".o_kanban_record:contains('Spring Offers')",
            run: "click",
        },
        {
            content: "The dashboard: the agent has made no call yet",
            trigger:
                ".o_field_widget[name=agent_stat_ids] .o_data_row:contains('Tour Agent') td[name=call_count]:contains('0')",
        },
    ],
});

/** The same dashboard once the agent has called: the figures moved. */
registry.category("web_tour.tours").add("call_campaign_manager_dashboard_tour", {
    steps: () => [
        {
            content: "The agent's two calls",
            trigger:
                ".o_field_widget[name=agent_stat_ids] .o_data_row:contains('Tour Agent') td[name=call_count]:contains('2')",
        },
        {
            content: "What the calls earned: one opportunity won",
            trigger: ".o_field_widget[name=won_amount]:contains('1,500.00')",
        },
        {
            trigger: ".o_field_widget[name=opportunity_count]:contains('1')",
        },
        {
            trigger: "button[name=action_view_revenue]",
            run: "click",
        },
        {
            content: "The revenue by agent, as a pivot",
            trigger: ".o_pivot .o_pivot_header_cell_closed:contains('Tour Agent')",
        },
    ],
});
