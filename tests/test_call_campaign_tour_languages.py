import json
import re
from datetime import timedelta
from pathlib import Path
from unittest.mock import patch

import polib

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import ChromeBrowser

I18N = Path(__file__).resolve().parent.parent / "i18n"
# what the tours log before a page's text (static/tests/tours/
# call_campaign_language_tour.js)
MARKER = "call_campaign_i18n_text:"
# Odoo language → its .po file
PO_FILES = {"pl_PL": "pl", "pt_BR": "pt_BR"}
# a message filled in at run time (its parts are other msgids), a tag, or
# more than a line (help texts): not looked for as such on a screen
NOT_ON_SCREEN = re.compile(r"%|\{|<|\n")
# the language's own word, in Odoo's translation too (the contact's "Email"
# label is "E-mail" in Polish and in Portuguese): not the add-on's English
NATIVE = {"pl_PL": {"E-mail"}, "pt_BR": {"E-mail"}}
AGENT_CHECKPOINTS = ["my_day", "call_screen", "call_result", "contact", "timeline"]
MANAGER_CHECKPOINTS = [
    "campaigns",
    "dashboard",
    "members",
    "contact",
    "timeline",
    "my_day",
]


def english_strings(po_name):
    """The add-on's messages a screen may show (msgids of one line, no
    placeholder, two characters or more, not only a tooltip) whose
    translation in ``po_name`` differs from the English: found on a screen,
    they were not translated."""
    translations = {
        (entry.msgctxt, entry.msgid): entry.msgstr
        for entry in polib.pofile(str(I18N / f"{po_name}.po"))
    }
    strings = set()
    for entry in polib.pofile(str(I18N / "call_campaign.pot")):
        text = entry.msgid.strip()
        if (
            len(text) < 2
            or NOT_ON_SCREEN.search(text)
            or all(",help:" in where for where, _line in entry.occurrences)
            or not re.search(r"[A-Za-z]", text)
            or translations.get((entry.msgctxt, entry.msgid), "").strip() == text
        ):
            continue
        strings.add(" ".join(text.split()))
    return strings


def find_english(text, strings):
    """The ``strings`` in ``text`` as whole words (case-sensitive), a line
    at a time: a screen's blocks do not make phrases across lines."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    found = set()
    for string in strings:
        pattern = re.compile(r"(?<!\w)" + re.escape(string) + r"(?!\w)")
        if any(string in line and pattern.search(line) for line in lines):
            found.add(string)
    return found


@tagged("call_campaign", "post_install", "-at_install")
class TestToursInEachLanguage(HttpCase):
    """An agent's and a manager's tour in Polish and in Brazilian Portuguese:
    My day, the call screen, the campaign and the customer's timeline show
    no English message of the add-on (what an unfinished .po, or a string
    the code does not translate, leaves on the screen)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # names are data, not messages of the add-on: the screens show this
        # test's campaign only, and a company that is not "My Company"
        cls.env["call.campaign"].search([]).active = False
        cls.env.company.name = "Hurtownia Nowak"
        installed = cls.env["ir.module.module"].search([("state", "=", "installed")])
        for lang in PO_FILES:
            cls.env["res.lang"]._activate_lang(lang)
            # every module's: a core label the add-on also uses is Odoo's to
            # translate, and must not count as the add-on's English
            installed._update_translations(lang)
        cls.agent = new_test_user(
            cls.env,
            login="i18n_agent",
            name="Ewa Nowak",
            groups="call_campaign.group_call_agent,base.group_partner_manager",
        )
        cls.colleague = new_test_user(
            cls.env,
            login="i18n_colleague",
            name="Jan Zieliński",
            groups="call_campaign.group_call_agent",
        )
        cls.manager = new_test_user(
            cls.env,
            login="i18n_manager",
            name="Marta Lis",
            groups="call_campaign.group_call_manager,base.group_partner_manager",
        )
        cls.campaign = cls.env["call.campaign"].create(
            {
                "name": "Akcja Wiosna",
                "state": "running",
                "user_id": cls.manager.id,
                "agent_ids": [(6, 0, (cls.agent | cls.colleague | cls.manager).ids)],
                "default_status_id": cls.env.ref("call_campaign.call_status_call").id,
            }
        )
        partners = cls.env["res.partner"].create(
            [
                {"name": "Anna Kowalska", "phone": "+48 601 444 001"},
                {"name": "Bruno Costa", "phone": "+48 601 444 002"},
                {"name": "Celina Wójcik", "phone": "+48 601 444 003"},
            ]
        )
        cls.members = cls.env["call.campaign.member"].create(
            [
                {"campaign_id": cls.campaign.id, "partner_id": partner.id}
                for partner in partners
            ]
        )
        cls.members[0].priority = "3"
        # the first customer's history: a follow-up with its reason, a forward, an
        # attempt nobody answered
        ref = cls.env.ref
        event = {
            "campaign_id": cls.campaign.id,
            "member_id": cls.members[0].id,
            "partner_id": partners[0].id,
        }
        cls.env["call.interaction"]._create_timeline_events(
            [
                {
                    **event,
                    "kind": "status_change",
                    "user_id": cls.colleague.id,
                    "status_id": ref("call_campaign.call_status_follow_up").id,
                    "reason_id": ref(
                        "call_campaign.call_status_reason_decision_maker"
                    ).id,
                    "next_call_date": fields.Datetime.now() - timedelta(hours=1),
                },
                {
                    **event,
                    "kind": "forward",
                    "user_id": cls.colleague.id,
                    "from_user_id": cls.colleague.id,
                    "to_user_id": cls.agent.id,
                },
                {
                    **event,
                    "kind": "outcome",
                    "user_id": cls.agent.id,
                    "outcome": "no_answer",
                    "phone_number": partners[0].phone,
                },
            ]
        )

    def run_tour_in(self, lang, tour, url, user, checkpoints):
        """Run ``tour`` as ``user`` speaking ``lang``; fail on the add-on's
        English strings the tour's checkpoints saw."""
        user.lang = lang
        pages = []
        handle_console = ChromeBrowser._handle_console

        def read_page(browser, type, args=None, **kwargs):  # pylint: disable=redefined-builtin
            message = args[0].get("value") if args else None
            if isinstance(message, str) and message.startswith(MARKER):
                pages.append(json.loads(message[len(MARKER) :]))
                return
            handle_console(browser, type, args=args, **kwargs)

        with patch.object(ChromeBrowser, "_handle_console", read_page):
            self.start_tour(url, tour, login=user.login)
        self.assertEqual(
            [page["name"] for page in pages], checkpoints, "a checkpoint was not read"
        )
        strings = english_strings(PO_FILES[lang]) - NATIVE[lang]
        self.assertGreater(len(strings), 500, "the .pot was not read")
        english = {
            page["name"]: sorted(found)
            for page in pages
            if (found := find_english(page["text"], strings))
        }
        if english:
            self.fail(
                f"English strings of the add-on on screen in {lang}:\n"
                + "\n".join(f"  {name}: {found}" for name, found in english.items())
            )

    def run_agent_tour(self, lang):
        self.run_tour_in(
            lang,
            "call_campaign_agent_language_tour",
            "/odoo/action-call_campaign.call_campaign_member_action_my_day",
            self.agent,
            AGENT_CHECKPOINTS,
        )

    def run_manager_tour(self, lang):
        self.run_tour_in(
            lang,
            "call_campaign_manager_language_tour",
            "/odoo/action-call_campaign.call_campaign_action",
            self.manager,
            MANAGER_CHECKPOINTS,
        )

    def test_agent_in_polish(self):
        self.run_agent_tour("pl_PL")

    def test_agent_in_brazilian_portuguese(self):
        self.run_agent_tour("pt_BR")

    def test_manager_in_polish(self):
        self.run_manager_tour("pl_PL")

    def test_manager_in_brazilian_portuguese(self):
        self.run_manager_tour("pt_BR")
