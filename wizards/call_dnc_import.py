"""Import a do-not-call registry's copy: a CSV file, one number per line or
a column named number or phone. The import replaces the registry's previous
one in a few SQL statements (a million numbers in seconds, see the README):
the numbers are put in a temporary table with COPY, the registry's entries
no longer in the file leave the phone blacklist, the new ones join it linked
to the registry. A number already on the blacklist by hand (or from another
registry) stays as it is: the registry does not take it over."""

import base64
import binascii
import csv
import io
import re
import time

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..models.public_method import public_method

# the header of the column holding the numbers
NUMBER_COLUMNS = ("number", "phone", "numbers", "phone number", "telephone", "tel")
# a number as phone_validation leaves it (E.164, or as given without the
# phonenumbers library): digits, an optional leading +, separators
NUMBER_RE = re.compile(r"^\+?[0-9][0-9 ()./-]{2,30}$")
# already E.164: phone_validation would return it as it is (the library's
# parsing costs 33 s a million numbers)
E164_RE = re.compile(r"^\+[1-9][0-9]{6,14}$")
# contacts refreshed per statement after an import
REFRESH_BATCH = 10000


class CallDncImport(models.TransientModel):
    _name = "call.dnc.import"
    _description = "Import a Do-Not-Call Registry"
    _inherit = ["call.guard.mixin"]
    _call_user_write_fields = frozenset({"registry_id", "file", "filename"})

    registry_id = fields.Many2one(
        "call.dnc.registry", required=True, ondelete="cascade"
    )
    file = fields.Binary(
        "CSV File",
        attachment=False,
        help="UTF-8 text: one number per line, or a column named “number” or "
        "“phone” (comma, semicolon or tab separated).",
    )
    filename = fields.Char()
    state = fields.Selection(
        [("draft", "Draft"), ("done", "Done")], default="draft", readonly=True
    )
    imported_count = fields.Integer("Numbers in the File", readonly=True)
    added_count = fields.Integer("Added", readonly=True)
    removed_count = fields.Integer("Removed", readonly=True)
    kept_count = fields.Integer(
        "Already Blacklisted",
        readonly=True,
        help="Numbers of the file already on the blacklist by hand or from another "
        "registry: left as they are.",
    )
    invalid_count = fields.Integer("Invalid Numbers", readonly=True)
    duration = fields.Float("Seconds", readonly=True, digits=(16, 1))

    @api.model_create_multi
    def create(self, vals_list):
        self, vals_list = self._call_guard_create(vals_list)  # noqa: PLW0642
        return super().create(vals_list)

    def write(self, vals):
        self._call_guard_write(vals)
        return super().write(vals)

    # ------------------------------------------------------------ reading

    def _file_text(self):
        if not self.file:
            raise UserError(self.env._("Choose the registry's CSV file to import."))
        try:
            data = base64.b64decode(self.file, validate=True)
        except (binascii.Error, ValueError):
            raise UserError(self.env._("The file could not be read.")) from None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise UserError(
                self.env._(
                    "The file is not UTF-8 text (byte %(position)s): save it as CSV "
                    "UTF-8 and import it again.",
                    position=error.start + 1,
                )
            ) from None
        if "\x00" in text:
            raise UserError(self.env._("The file is not a CSV text file."))
        return text

    def _raw_numbers(self, text):
        """The cells of the number column (or the lines), as in the file."""
        lines = text.splitlines()
        first = next((line for line in lines if line.strip()), None)
        if first is None:
            raise UserError(self.env._("The file is empty: there is no number in it."))
        delimiter = max(",;\t", key=first.count)
        if first.count(delimiter) == 0:
            # one number per line, maybe under a header
            if not re.search(r"[0-9]", first):
                if first.strip().strip("\"'").lower() not in NUMBER_COLUMNS:
                    raise self._no_column_error(first)
                lines = lines[lines.index(first) + 1 :]
            return [line.strip().strip("\"'") for line in lines]
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        header = [cell.strip().lower() for cell in next(reader)]
        column = next(
            (i for i, cell in enumerate(header) if cell in NUMBER_COLUMNS), None
        )
        if column is None:
            raise self._no_column_error(first)
        return [row[column].strip() for row in reader if len(row) > column]

    def _no_column_error(self, first):
        return UserError(
            self.env._(
                "The file has no column named “number” or “phone” (its first line is "
                "“%(line)s”): name the column of the numbers, or give one number per "
                "line.",
                line=first[:80],
            )
        )

    def _normalized_numbers(self, raw_numbers):
        """The numbers as the phone blacklist stores them (phone_validation's
        E.164 in the registry's country), once each; and how many were not
        numbers."""
        country = self.registry_id.country_ids[:1] or self.env.company.country_id
        format_number = self._phone_format_number
        numbers = set()
        invalid = 0
        for raw in raw_numbers:
            if not raw:
                continue
            if E164_RE.match(raw):
                numbers.add(raw)
                continue
            number = (
                format_number(raw, country, force_format="E164")
                if NUMBER_RE.match(raw)
                else False
            )
            if number and NUMBER_RE.match(number):
                numbers.add(number)
            else:
                invalid += 1
        return numbers, invalid

    # ------------------------------------------------------------ import

    @public_method(one=True)
    def action_import(self):
        """Replace the registry's numbers by the file's."""
        start = time.monotonic()
        numbers, invalid = self._normalized_numbers(
            self._raw_numbers(self._file_text())
        )
        if not numbers:
            raise UserError(
                self.env._(
                    "The file has no valid number (%(invalid)s lines are not phone "
                    "numbers).",
                    invalid=invalid,
                )
            )
        counts = self._replace_numbers(self.registry_id, numbers)
        self.registry_id.sudo().last_import_date = fields.Datetime.now()
        self.sudo().write(
            dict(
                counts,
                state="done",
                file=False,
                imported_count=len(numbers),
                invalid_count=invalid,
                duration=time.monotonic() - start,
            )
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Import a Do-Not-Call Registry"),
        }

    @api.model
    def _replace_numbers(self, registry, numbers):
        """The registry's blacklist entries become ``numbers`` (normalized):
        SQL in a few statements. Returns the counts."""
        cr = self.env.cr
        Blacklist = self.env["phone.blacklist"]
        Blacklist.flush_model()
        cr.execute(
            "CREATE TEMP TABLE call_dnc_import_number (number varchar) ON COMMIT DROP"
        )
        cr.execute(
            "CREATE TEMP TABLE call_dnc_import_changed (number varchar) ON COMMIT DROP"
        )
        cr._obj.copy_expert(
            "COPY call_dnc_import_number (number) FROM STDIN",
            io.StringIO("\n".join(numbers)),
        )
        cr.execute("CREATE UNIQUE INDEX ON call_dnc_import_number (number)")
        cr.execute("ANALYZE call_dnc_import_number")
        # the registry's own list: what it lists no more, what it lists now
        cr.execute(
            """WITH gone AS (
                   DELETE FROM call_dnc_registry_number r
                    WHERE r.registry_id = %s
                      AND NOT EXISTS (SELECT 1 FROM call_dnc_import_number t
                                       WHERE t.number = r.number)
                RETURNING r.number)
               INSERT INTO call_dnc_import_changed SELECT number FROM gone""",
            [registry.id],
        )
        removed = cr.rowcount
        cr.execute(
            """INSERT INTO call_dnc_registry_number (registry_id, number)
               SELECT %s, t.number FROM call_dnc_import_number t
                   ON CONFLICT DO NOTHING""",
            [registry.id],
        )
        self._release_numbers(registry)
        # every number listed is blocked: a new entry, or one switched off by
        # hand switched on again (the registry's while it lists it); an entry
        # blacklisted by hand stays the user's
        cr.execute(
            """INSERT INTO phone_blacklist
                      (number, active, call_registry_id, create_date, write_date)
               SELECT t.number, true, %(registry)s,
                      now() at time zone 'UTC', now() at time zone 'UTC'
                 FROM call_dnc_import_number t
             ORDER BY t.number
                   ON CONFLICT (number) DO UPDATE
                  SET active = true, call_registry_id = %(registry)s,
                      write_date = now() at time zone 'UTC'
                WHERE NOT phone_blacklist.active""",
            {"registry": registry.id},
        )
        added = cr.rowcount
        cr.execute(
            """SELECT count(*) FROM call_dnc_import_number t
                 JOIN phone_blacklist b ON b.number = t.number
                WHERE b.call_registry_id IS DISTINCT FROM %s""",
            [registry.id],
        )
        kept = cr.fetchone()[0]
        self._refresh_changed_contacts(
            ["call_dnc_import_changed", "call_dnc_import_number"]
        )
        cr.execute("DROP TABLE call_dnc_import_number, call_dnc_import_changed")
        return {
            "added_count": added,
            "removed_count": removed,
            "kept_count": kept,
        }

    @api.model
    def _refresh_changed_contacts(self, tables):
        """The contacts with a number in the temporary ``tables`` (of the
        numbers that left or joined the blacklist) may have no number left
        to dial, or one again."""
        self.env["call.contact.number"].flush_model(["number_sanitized", "partner_id"])
        numbers = SQL(" UNION ALL ").join(
            SQL("SELECT number FROM %s", SQL.identifier(table)) for table in tables
        )
        self.env.cr.execute(
            SQL(
                """SELECT DISTINCT n.partner_id FROM call_contact_number n
                    WHERE n.number_sanitized IN (%s)""",
                numbers,
            )
        )
        partner_ids = [row[0] for row in self.env.cr.fetchall()]
        Partner = self.env["res.partner"]
        for index in range(0, len(partner_ids), REFRESH_BATCH):
            Partner.browse(
                partner_ids[index : index + REFRESH_BATCH]
            )._update_call_undialable()
        self.env["phone.blacklist"].invalidate_model()
        self.env["call.contact.number"].invalidate_model(["blacklisted"])
        self.env["call.campaign.member"].invalidate_model(
            ["dial_number", "dial_number_label"]
        )

    @api.model
    def _release_numbers(self, registries):
        """The blacklist entries ``registries`` brought for the numbers in
        ``call_dnc_import_changed`` (which they list no more): another
        registry that lists a number takes its entry over, the others go."""
        self.env.cr.execute(
            """UPDATE phone_blacklist b SET call_registry_id = o.registry_id
                 FROM (SELECT r.number, min(r.registry_id) AS registry_id
                         FROM call_dnc_registry_number r
                         JOIN call_dnc_import_changed c ON c.number = r.number
                     GROUP BY r.number) o
                WHERE b.number = o.number AND b.call_registry_id IN %s""",
            [tuple(registries.ids)],
        )
        self.env.cr.execute(
            """DELETE FROM phone_blacklist b USING call_dnc_import_changed c
                WHERE b.number = c.number AND b.call_registry_id IN %s""",
            [tuple(registries.ids)],
        )

    @api.model
    def _refresh_numbers_of(self, registries):
        """Before ``registries`` go (their numbers with them): the entries
        no other registry lists leave the blacklist, and the contacts those
        numbers made undialable are refreshed once they are gone."""
        self.env["phone.blacklist"].flush_model()
        self.env.cr.execute(
            """CREATE TEMP TABLE call_dnc_import_changed ON COMMIT DROP AS
               SELECT number FROM call_dnc_registry_number WHERE registry_id IN %s""",
            [tuple(registries.ids)],
        )
        self.env.cr.execute(
            "DELETE FROM call_dnc_registry_number WHERE registry_id IN %s",
            [tuple(registries.ids)],
        )
        self._release_numbers(registries)
        self._refresh_changed_contacts(["call_dnc_import_changed"])
        self.env.cr.execute("DROP TABLE call_dnc_import_changed")
