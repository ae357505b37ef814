import re
from pathlib import Path

import polib
from babel.messages.extract import extract_python

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import CallCampaignCase

# .po file → the Odoo language that loads it
LANGUAGES = {"pt_BR": "pt_BR", "pl": "pl_PL", "es": "es_ES", "uk": "uk_UA"}
I18N = Path(__file__).resolve().parent.parent / "i18n"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s|%[sd]")
# msgids that are the same word in a language (checked by hand)
SAME_WORD = {
    "ID",
    "Status",
    "Lead",
    "Leads",
    "leads",
    "Normal",
    "Agent",
    "Color",
    "SMS",
    # Portuguese and Spanish "Total"; Polish call centres say "dialer"
    "Total",
    "Dialer",
}


@tagged("call_campaign", "post_install", "-at_install")
class TestTranslations(CallCampaignCase):
    def test_po_files_are_complete(self):
        pot = polib.pofile(str(I18N / "call_campaign.pot"))
        for lang in LANGUAGES:
            po = {
                (e.msgctxt, e.msgid): e for e in polib.pofile(str(I18N / f"{lang}.po"))
            }
            for entry in pot:
                with self.subTest(lang=lang, msgid=entry.msgid[:60]):
                    translated = po.get((entry.msgctxt, entry.msgid))
                    self.assertTrue(translated, "missing from the .po")
                    self.assertTrue(translated.msgstr.strip(), "empty translation")
                    self.assertFalse(translated.fuzzy, "fuzzy translation")
                    self.assertEqual(
                        sorted(PLACEHOLDER.findall(entry.msgid)),
                        sorted(PLACEHOLDER.findall(translated.msgstr)),
                        "placeholders differ",
                    )
                    if entry.msgid.isalpha() and entry.msgid not in SAME_WORD:
                        self.assertNotEqual(
                            translated.msgstr, entry.msgid, "left in English"
                        )

    def test_every_python_file_is_extractable(self):
        """Odoo's export reads Python with babel, which stops at the first
        call it cannot read (an f-string among a translation's arguments):
        the messages after it would never reach the .pot."""
        root = I18N.parent
        for path in sorted(root.glob("*/*.py")):
            with self.subTest(path=path.name), path.open("rb") as source:
                list(extract_python(source, ["_", "_lt"], [], {}))

    def test_menus_and_errors_in_each_language(self):
        menu = self.env.ref("call_campaign.call_campaign_menu_root")
        for po_name, lang in LANGUAGES.items():
            with self.subTest(lang=lang):
                self.env["res.lang"]._activate_lang(lang)
                self.env["ir.module.module"]._load_module_terms(
                    ["call_campaign"], [lang], overwrite=True
                )
                self.assertNotEqual(menu.with_context(lang=lang).name, "Call Campaigns")
                expected = (
                    polib.pofile(str(I18N / f"{po_name}.po"))
                    .find("The status “%s” requires a follow-up date.")
                    .msgstr
                )
                agent = self.agent.with_context(lang=lang)
                agent.lang = lang
                with self.assertRaises(UserError) as caught:
                    self.member.with_user(agent).with_context(lang=lang).set_status(
                        self.st_not_before
                    )
                self.assertEqual(
                    str(caught.exception),
                    expected % self.st_not_before.with_context(lang=lang).name,
                )

    def test_default_stages_in_every_language(self):
        for lang in ("pl_PL", "es_ES"):
            self.env["res.lang"]._activate_lang(lang)
            self.env["ir.module.module"]._load_module_terms(
                ["call_campaign"], [lang], overwrite=True
            )
        self.manager.lang = "pl_PL"
        campaign = (
            self.env["call.campaign"]
            .with_user(self.manager)
            .with_context(lang="pl_PL")
            .create({"name": "Kampania"})
        )
        stages = campaign.sudo().stage_ids
        self.assertEqual(
            stages.with_context(lang="en_US").mapped("name"),
            ["New", "In progress", "Done"],
        )
        self.assertEqual(
            stages.with_context(lang="pl_PL").mapped("name")[:2], ["Nowy", "W trakcie"]
        )
        self.assertEqual(
            stages.with_context(lang="es_ES").mapped("name")[:2],
            ["Nuevo", "En progreso"],
        )
