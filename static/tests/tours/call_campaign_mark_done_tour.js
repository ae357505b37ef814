import {registry} from "@web/core/registry";

/**
 * "Mark Done" on a campaign's pending call opens Log a Call: a call is done
 * when its result is logged, never silently.
 */
registry.category("web_tour.tours").add("call_campaign_mark_done_tour", {
    steps: () => [
        {
            content: "The member's pending call is in the chatter",
            trigger:
                ".o-mail-Activity:contains('Recall tomorrow') .o-mail-Activity-markDone",
            run: "click",
        },
        {
            content: "Mark it done",
            trigger:
                ".o-mail-ActivityMarkAsDone button[aria-label='Done and Schedule Next']",
            run: "click",
        },
        {
            content: "Log a Call opens on this member instead",
            trigger:
                ".modal:has(.modal-title:contains('Log a Call')) .o_field_widget[name=campaign_id]:contains('Tour Campaign')",
        },
        {
            content: "Leave without logging",
            trigger: ".modal .modal-footer button[name=action_close]",
            run: "click",
        },
        {
            content: "The dialog is gone, the call is still planned",
            trigger:
                "body:not(:has(.modal)) .o-mail-Activity:contains('Recall tomorrow')",
        },
    ],
});
