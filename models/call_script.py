"""The scripts agents read: Odoo templates on the member, written by managers
with the dynamic placeholder picker (as mail templates are), rendered for
agents wherever they show (the call screen, the member's form).

As for mail templates, what a template may contain is checked when it is
written (``_check_script``), and it is then rendered with the reader's
rights but without the template editors' restriction, so agents who may not
edit templates still read their script. Dates print in the reader's format
and time zone; a placeholder without a default shows the field's name."""

import re

from lxml import etree, html
from markupsafe import Markup

from odoo import api, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import is_html_empty

# what the scripts' placeholders read
SCRIPT_MODEL = "call.campaign.member"
FIELD_PATH = re.compile(r"^\s*object((?:\.\w+)+)\s*$")


class CallScript(models.AbstractModel):
    _name = "call.script"
    _description = "Call Script Rendering"
    _inherit = ["mail.render.mixin"]
    # written by call managers and checked then (_check_script)
    _unrestricted_rendering = True

    @api.model
    def _check_script(self, template):
        """A script with expressions beyond plain placeholders is written by
        template editors only (Odoo's rule for templates)."""
        if (
            not template
            or self.env.su
            or self.env.user.has_group("mail.group_mail_template_editor")
        ):
            return
        if self._has_unsafe_expression_template_qweb(str(template), SCRIPT_MODEL):
            raise AccessError(
                self.env._(
                    "Only members of the Mail Template Editor group may write "
                    "expressions in a script; insert placeholders with the "
                    "editor's Dynamic Placeholder command instead."
                )
            )

    @api.model
    def _render(self, template, members):
        """``{member id: the script filled in}``; a script the engine refuses
        becomes a notice, not an error on the screen."""
        if not template or is_html_empty(template) or not members.ids:
            return dict.fromkeys(members.ids, False)
        try:
            return self.with_context(tz=self.env.user.tz or "UTC")._render_template(
                self._prepare(str(template)), SCRIPT_MODEL, members.ids, engine="qweb"
            )
        except (AccessError, UserError) as error:
            notice = Markup("<p class='text-warning'>%s</p>") % self.env._(
                "The script could not be shown: %s", str(error)[:200]
            )
            return dict.fromkeys(members.ids, notice)

    @api.model
    def _prepare(self, template):
        """The placeholders as the reader wants them: a date or a datetime
        in their format and time zone (Odoo's ``date``/``datetime`` widgets),
        an empty value shown as the field's name in brackets."""
        root = html.fragment_fromstring(template, create_parent="div")
        for node in list(root.iter(etree.Element)):
            match = FIELD_PATH.match(node.get("t-out") or "")
            if not match:
                continue
            fields_ = self._field_path(match[1].split(".")[1:])
            if not fields_:
                continue
            if not len(node) and not (node.text or "").strip():
                node.text = "[%s]" % " › ".join(
                    field._description_string(self.env) for field in fields_[-2:]
                )
            last = fields_[-1]
            if last.type in ("date", "datetime") and not any(
                attribute.startswith("t-options") for attribute in node.attrib
            ):
                self._prepare_date(node, last.type)
        return "".join(
            [root.text or ""]
            + [html.tostring(child, encoding="unicode") for child in root]
        )

    @api.model
    def _prepare_date(self, node, ftype):
        """A date placeholder in the reader's format; its default when empty
        (the date widget writes nothing for an empty date)."""
        expression = node.get("t-out")
        default = etree.Element("t", {"t-else": ""})
        default.text, default.tail = node.text, node.tail
        for child in node:
            default.append(child)
        node.attrib.pop("t-out")
        node.set("t-if", expression)
        node.text, node.tail = None, None
        etree.SubElement(
            node, "t", {"t-out": expression, "t-options-widget": repr(ftype)}
        )
        node.addnext(default)

    @api.model
    def _field_path(self, names):
        """The fields a placeholder's path goes through, or [] if one is not
        a field."""
        model, fields_ = self.env[SCRIPT_MODEL], []
        for name in names:
            field = model._fields.get(name)
            if not field:
                return []
            fields_.append(field)
            if field.relational:
                model = self.env[field.comodel_name]
        return fields_
