import {registry} from "@web/core/registry";

/** A manager adds a status to the reference book, then offers it in a campaign. */
registry.category("web_tour.tours").add("call_campaign_manager_tour", {
    url: "/odoo/action-call_campaign.call_status_action",
    steps: () => [
        {
            content: "The status reference book",
            trigger: ".o_breadcrumb:contains('Statuses')",
        },
        {
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=name] input",
            run: "edit Wants a quote",
        },
        {
            trigger: ".o_field_widget[name=result] select",
            run: 'select "success"',
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_form_saved",
        },
        {
            content: "Campaigns",
            trigger:
                ".o_menu_sections a[data-menu-xmlid='call_campaign.call_campaign_menu']",
            run: "click",
        },
        {
            trigger: ".o_kanban_record:contains('Tour Campaign')",
            run: "click",
        },
        {
            trigger: ".o_notebook a.nav-link:contains('Statuses')",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=status_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            trigger: ".modal .o_searchview_input",
            run: "edit Wants a quote",
        },
        {
            trigger: ".modal .o_searchview_input",
            run: "press Enter",
        },
        {
            content: "The search is applied: only the new status is listed",
            trigger:
                ".modal:has(.o_searchview_facet:contains('Wants a quote')) .o_list_view:not(:has(.o_data_row:not(:contains('Wants a quote'))))",
        },
        {
            trigger:
                ".modal .o_data_row:contains('Wants a quote') .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Selected: the button is enabled",
            trigger: ".modal-footer .o_select_button:not([disabled])",
            run: "click",
        },
        {
            trigger:
                ".o_field_widget[name=status_ids] .o_data_row:contains('Wants a quote')",
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_form_saved",
        },
    ],
});
