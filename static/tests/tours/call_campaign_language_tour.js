import {registry} from "@web/core/registry";

/**
 * The tours of TestToursInEachLanguage: they run in Polish and in Brazilian
 * Portuguese, so no step looks for a word. At each checkpoint the page's
 * visible text goes to the test (a console line it reads and keeps out of
 * the log), which fails on any English message of the add-on in it.
 */
const MARKER = "call_campaign_i18n_text:";

/**
 * What the screen shows: its text, and the placeholders of empty fields.
 * The chatter is left out: its messages are written in their author's
 * language, and it loads on its own time.
 */
function screenText() {
    const chatters = [...document.querySelectorAll(".o-mail-Form-chatter")];
    const displays = chatters.map((chatter) => chatter.style.display);
    chatters.forEach((chatter) => (chatter.style.display = "none"));
    const placeholders = [...document.querySelectorAll("[placeholder]")]
        .filter((element) => !element.value && element.checkVisibility())
        .map((element) => element.getAttribute("placeholder"));
    const text = [document.body.innerText, ...placeholders].join("\n");
    chatters.forEach((chatter, index) => (chatter.style.display = displays[index]));
    return text;
}

function checkpoint(name, trigger) {
    return {
        content: `Checkpoint "${name}": the screen's text to the test`,
        trigger,
        run() {
            console.log(MARKER + JSON.stringify({name, text: screenText()}));
        },
    };
}

/** From a member's form: its customer's contact, its timeline tab, then the
 * Timeline (the contact's button). */
function customerTimelineSteps() {
    return [
        {
            content: "The customer's contact",
            trigger: ".o_form_view .o_field_widget[name=partner_id] a.o_form_uri",
            run: "click",
        },
        {
            content: "The contact's Timeline tab",
            trigger:
                ".o_form_view:has(.o_field_widget[name=phone]) a.nav-link[name=call_timeline]",
            run: "click",
        },
        checkpoint(
            "contact",
            ".o_notebook .tab-pane.active .o_field_widget[name=call_timeline_ids] .o_call_event"
        ),
        {
            content: "The Timeline",
            trigger: ".o_form_view button[name=action_view_call_interactions]",
            run: "click",
        },
        checkpoint(
            "timeline",
            "body:not(:has(.o_form_view)) .o_call_timeline .o_call_event"
        ),
    ];
}

registry.category("web_tour.tours").add("call_campaign_agent_language_tour", {
    steps: () => [
        checkpoint(
            "my_day",
            ".o_call_campaign_my_day:has(.o_call_campaign_my_campaigns) .o_call_campaign_figure_due_now .o_call_campaign_figure_count:contains('3')"
        ),
        {
            content: "Next Call",
            trigger: ".o_call_campaign_next_call",
            run: "click",
        },
        checkpoint(
            "call_screen",
            ".modal:has(.o_field_widget[name=dial_number]:contains('+48 601 444 001')) .o_call_timeline .o_call_event"
        ),
        {
            content: "The second result, Follow up: its reasons and dates show",
            trigger:
                ".modal .o_field_widget[name=status_id] .o_call_result:has(kbd:contains('2'))",
            run: "click",
        },
        checkpoint(
            "call_result",
            ".modal:has(.o_field_widget[name=reason_id] .o_selection_badge) .o_field_widget[name=quick_date] .o_selection_badge"
        ),
        {
            content: "Closed by its cross",
            trigger: ".modal-header .btn-close",
            run: "click",
        },
        {
            content: "The customers due now",
            trigger: "body:not(:has(.modal)) .o_call_campaign_figure_due_now",
            run: "click",
        },
        {
            trigger:
                ".o_list_view .o_data_row:contains('Anna Kowalska') td[name=partner_id]",
            run: "click",
        },
        ...customerTimelineSteps(),
    ],
});

registry.category("web_tour.tours").add("call_campaign_manager_language_tour", {
    steps: () => [
        checkpoint("campaigns", ".o_kanban_record:contains('Akcja Wiosna')"),
        {
            trigger: ".o_kanban_record:contains('Akcja Wiosna')",
            run: "click",
        },
        checkpoint(
            "dashboard",
            ".o_form_view .o_field_widget[name=agent_stat_ids] .o_data_row:contains('Ewa Nowak')"
        ),
        {
            content: "The campaign's members",
            trigger: ".o_form_view button[name=action_view_members]",
            run: "click",
        },
        checkpoint("members", ".o_list_view .o_data_row:contains('Anna Kowalska')"),
        {
            trigger:
                ".o_list_view .o_data_row:contains('Anna Kowalska') td[name=partner_id]",
            run: "click",
        },
        ...customerTimelineSteps(),
        {
            content: "My day",
            trigger:
                ".o_menu_sections a[data-menu-xmlid='call_campaign.call_campaign_member_menu_my_day']",
            run: "click",
        },
        checkpoint(
            "my_day",
            ".o_call_campaign_my_day:has(.o_call_campaign_my_campaigns) .o_call_campaign_figure_due_now .o_call_campaign_figure_count:contains('3')"
        ),
    ],
});
