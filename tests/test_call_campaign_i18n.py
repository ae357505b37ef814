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
    # Odoo's own Brazilian Portuguese (bus, mail, web): the web client keeps
    # one translation of a JavaScript term for all modules, so My day's
    # badge shows Odoo's word whatever the add-on says
    "Offline",
}
GLOSSARY = I18N / "GLOSSARY.md"
ODOO_ACTIVITY_STATE_HELP = (
    "Status based on activities\nOverdue: Due date is already passed\n"
    "Today: Activity date is today\nPlanned: Future activities."
)
PAUSE_THE_CAMPAIGN_HELP = (
    "Pause the campaign when its 24-hour abandon rate reaches the limit "
    "(else it is flagged and dialled progressively)."
)
SAVE_AND_PAUSE_HELP = (
    "Save the result, then pause for this reason: the dialer gives you no call "
    "until you are ready again."
)
# (the term's first English form, msgid) → the languages whose msgstr may do
# without the glossary's word there, and why
GLOSSARY_EXCEPTIONS = {
    # the campaign's pause (wstrzymać, призупинити), not an agent's break;
    # "Pause" is both My day's button and the campaign form's
    ("pause", "Pause"): ("pl", "uk"),
    ("pause", "Pause at the Abandon Limit"): ("pl", "uk"),
    ("pause", PAUSE_THE_CAMPAIGN_HELP): ("pl", "uk"),
    # mail's activity state (Stan, Стан), not a call status
    ("status", ODOO_ACTIVITY_STATE_HELP): ("pl", "uk"),
    # the queue explainer states a fact: "no se llama" (TestQueueReasons)
    (
        "do not call",
        "Every number of the contact is on the phone blacklist: do not call.",
    ): ("es",),
    # the agent state Polish call centres name "W rozmowie"
    ("call", "On a call"): ("pl",),
    # the model: an event of a "kampania telefoniczna"
    ("call", "Call Interaction"): ("pl",),
    # CRM's own field (Odoo: "Motivo da perda"); a pause has a "motivo", a
    # status a "justificativa"
    ("reason", "Lost Reason"): ("pt_BR",),
    ("reason", "Pause Reason"): ("pt_BR",),
    ("reason", "Pause Reasons"): ("pt_BR",),
    ("reason", "Agent Pause Reason"): ("pt_BR",),
    ("reason", SAVE_AND_PAUSE_HELP): ("pt_BR",),
    ("reason", "Of a closed period (pause by reason, time in each state)."): ("pt_BR",),
}
_PLACEHOLDERS = re.compile(r"%\([a-z_]+\)s|%[sd%]|\{\{.*?\}\}")
# attributes (a title's text is kept: it is shown), then tags
_ATTRIBUTES = re.compile(r"""\s(?!title=)[\w:.-]+=("[^"]*"|'[^']*')""")
_TAGS = re.compile(r"</?[\w:.-]+|/?>")


def _words(text):
    """A message without its placeholders, tags and attributes."""
    return _TAGS.sub(" ", _ATTRIBUTES.sub(" ", _PLACEHOLDERS.sub(" ", text)))


def read_glossary():
    """GLOSSARY.md's table: [(English forms, {language: [stem regexes]})]; in a
    stem, ``*`` stands for any letters."""
    text = GLOSSARY.read_text(encoding="utf-8").split("\n## Terms\n", 1)[1]
    lines = [
        line for line in text.split("\n## ", 1)[0].splitlines() if line.startswith("|")
    ]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    terms = []
    for line in lines[2:]:
        cells = dict(
            zip(header, (c.strip() for c in line.strip("|").split("|")), strict=True)
        )
        stems = {
            lang: [
                re.compile(r"\w*".join(map(re.escape, stem.split("*"))), re.I)
                for stem in re.findall(r"`([^`]+)`", cells[lang])
            ]
            for lang in LANGUAGES
        }
        forms = [form.strip() for form in cells["English"].split(",")]
        terms.append((forms, stems))
    return terms


def glossary_mismatches(lang, terms):
    """The msgstr of ``lang`` whose msgid names a glossary term (whole words,
    any case, the longest form first) without one of the term's stems."""
    forms = [
        (form, index)
        for index, (term_forms, _stems) in enumerate(terms)
        for form in term_forms
    ]
    patterns = [
        (
            re.compile(
                r"(?<![\w-])"
                + r"[\s-]+".join(map(re.escape, form.split()))
                + r"(?![\w-])",
                re.I,
            ),
            index,
        )
        for form, index in sorted(forms, key=lambda form_index: -len(form_index[0]))
    ]
    mismatches = []
    for entry in polib.pofile(str(I18N / f"{lang}.po")):
        text, found = _words(entry.msgid), []
        for pattern, index in patterns:
            text, count = pattern.subn(" # ", text)
            if count and index not in found:
                found.append(index)
        translated = _words(entry.msgstr)
        for index in found:
            term_forms, stems = terms[index]
            if lang in GLOSSARY_EXCEPTIONS.get((term_forms[0], entry.msgid), ()):
                continue
            if not any(stem.search(translated) for stem in stems[lang]):
                mismatches.append(
                    f"{lang} [{term_forms[0]}] {entry.msgid!r} → {entry.msgstr!r}"
                )
    return mismatches


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

    def test_po_files_follow_the_glossary(self):
        """Each msgstr whose msgid names a glossary term (i18n/GLOSSARY.md)
        uses the glossary's word for it, or is a listed exception."""
        terms = read_glossary()
        self.assertGreaterEqual(len(terms), 28, "GLOSSARY.md's table was not read")
        mismatches = [m for lang in LANGUAGES for m in glossary_mismatches(lang, terms)]
        if mismatches:
            self.fail(
                f"{len(mismatches)} translations do not use the glossary's term:\n"
                + "\n".join(mismatches)
            )
        msgids = {e.msgid for e in polib.pofile(str(I18N / "call_campaign.pot"))}
        for (_term, msgid), _langs in GLOSSARY_EXCEPTIONS.items():
            self.assertIn(msgid, msgids, "stale glossary exception")

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
