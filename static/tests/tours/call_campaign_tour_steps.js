/** Steps the add-on's tours share. */

/** In the open forwarding wizard: to the colleague, with the status Call. */
export function forwardToColleagueSteps() {
    return [
        {
            content: "To the colleague",
            trigger: ".modal .o_field_widget[name=user_id] input",
            run: "edit Tour Colleague",
        },
        {
            trigger: ".ui-autocomplete .ui-menu-item a:contains('Tour Colleague')",
            run: "click",
        },
        {
            content: "A forward always carries a status",
            trigger: ".modal .o_field_widget[name=status_id] input",
            run: "edit Call",
        },
        {
            trigger: ".ui-autocomplete .ui-menu-item a:contains('Call')",
            run: "click",
        },
        {
            trigger: ".modal-footer button[name=action_forward]",
            run: "click",
        },
    ];
}
