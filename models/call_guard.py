"""What a caller may hand the add-on's CRUD methods.

Every ``create``, ``write`` and ``copy`` of the add-on's models (and its
overrides of Odoo's) goes through here before it reads what it was given:

- the shape: a dictionary (a list of them) of field names and values of the
  right kind, no NUL character, the required values present — anything else
  is a clear ``UserError`` naming what is wrong, never a ``TypeError`` deep
  in the add-on;
- the caller's ``default_*`` context keys: values like any other (checked
  as values), then gone from the context, as ``mail.thread`` does with
  ``clean_context``, so they reach no record created on the way;
- default deny: a model names the fields of the add-on a user may create
  with (``_call_user_create_fields``) and write (``_call_user_write_fields``);
  every other field of the add-on is refused to everybody but the superuser
  (data files, and the add-on's own operations after their checks). A field
  added later is refused until someone decides otherwise.
"""

import datetime
import math

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import clean_context

from .public_method import _quote

ADDON = "call_campaign"
# x2many commands (Command.CREATE ... Command.SET)
COMMANDS = range(7)


def is_addon_field(field):
    """A field only the add-on defines (not one of Odoo's it extends)."""
    return tuple(field._modules or ()) == (ADDON,)


def _shape_error(model, value):
    return UserError(
        model.env._(
            "%(model)s: the values must be a dictionary of field names and values, "
            "not %(value)s.",
            model=model._description or model._name,
            value=_quote(value),
        )
    )


def _value_error(model, field, value, expected):
    return UserError(
        model.env._(
            "%(model)s: the field “%(field)s” takes %(expected)s, not %(value)s.",
            model=model._description or model._name,
            field=field.get_description(model.env)["string"],
            expected=expected,
            value=_quote(value),
        )
    )


def _check_text(model, field, value):
    if not isinstance(value, str):
        raise _value_error(model, field, value, model.env._("a text"))
    if "\x00" in value:
        raise UserError(
            model.env._(
                "%(model)s: the field “%(field)s” contains a NUL character.",
                model=model._description or model._name,
                field=field.get_description(model.env)["string"],
            )
        )


def _is_id(value):
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31


def _check_selection(model, field, value):
    _check_text(model, field, value)
    if not callable(field.selection) and value not in dict(field.selection):
        raise _value_error(
            model,
            field,
            value,
            model.env._("one of %s", ", ".join(dict(field.selection))),
        )


def _check_id(model, field, value):
    if isinstance(value, models.BaseModel):
        if field.type == "many2one" and value._name != field.comodel_name:
            raise _value_error(model, field, value, model.env._("an id"))
    elif not _is_id(value):
        raise _value_error(model, field, value, model.env._("an id"))


def _check_number(model, field, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _value_error(model, field, value, model.env._("a number"))
    if isinstance(value, float) and not math.isfinite(value):
        raise _value_error(model, field, value, model.env._("a number"))
    if field.type == "integer" and not -(2**31) <= value < 2**31:
        raise _value_error(model, field, value, model.env._("a whole number"))


def _check_date(model, field, value):
    if isinstance(value, str):
        _check_text(model, field, value)
        try:
            fields.Datetime.to_datetime(value[:30])
        except ValueError:
            raise _value_error(model, field, value, model.env._("a date")) from None
    elif not isinstance(value, datetime.date):
        raise _value_error(model, field, value, model.env._("a date"))


def _check_value(model, field, value):
    """One value of ``field``, as Odoo's ORM will read it."""
    if value is None or value is False:
        return
    check = VALUE_CHECKS.get(field.type)
    if check:
        check(model, field, value)


def _check_commands(model, field, value):
    if isinstance(value, models.BaseModel):
        return
    expected = model.env._("a list of commands or ids")
    if not isinstance(value, (list, tuple)):
        raise _value_error(model, field, value, expected)
    comodel = model.env[field.comodel_name]
    for command in value:
        if _is_id(command):
            continue
        if (
            not isinstance(command, (list, tuple))
            or not command
            or command[0] not in COMMANDS
            or isinstance(command[0], bool)
        ):
            raise _value_error(model, field, value, expected)
        if command[0] in (0, 1) and (
            len(command) < 3 or not isinstance(command[2], dict)
        ):
            raise _value_error(model, field, value, expected)
        if command[0] in (1, 2, 3, 4) and (len(command) < 2 or not _is_id(command[1])):
            raise _value_error(model, field, value, expected)
        if command[0] == 6 and (
            len(command) < 3
            or not isinstance(command[2], (list, tuple))
            or not all(_is_id(item) for item in command[2])
        ):
            raise _value_error(model, field, value, expected)
        if command[0] in (0, 1):
            check_vals(comodel, command[2], strict=False)


VALUE_CHECKS = {
    "char": _check_text,
    "text": _check_text,
    "html": _check_text,
    "selection": _check_selection,
    "many2one": _check_id,
    "many2one_reference": _check_id,
    "integer": _check_number,
    "float": _check_number,
    "monetary": _check_number,
    "date": _check_date,
    "datetime": _check_date,
    "one2many": _check_commands,
    "many2many": _check_commands,
}


def check_vals(model, vals, strict=True):
    """One dictionary of values for ``model``. ``strict``: every key must be
    a field of the model (the add-on's own models); else only the add-on's
    fields and text values are looked at (Odoo's models the add-on extends:
    their other fields are Odoo's business)."""
    if not isinstance(vals, dict):
        raise _shape_error(model, vals)
    for key, value in vals.items():
        if not isinstance(key, str):
            raise _shape_error(model, vals)
        field = model._fields.get(key)
        if field is None:
            if strict:
                raise UserError(
                    model.env._(
                        "%(model)s has no field “%(field)s”.",
                        model=model._description or model._name,
                        field=key[:60],
                    )
                )
            continue
        if strict or is_addon_field(field):
            _check_value(model, field, value)
        elif isinstance(value, str) and "\x00" in value:
            _check_text(model, field, value)
    return vals


def check_vals_list(model, vals_list, strict=True):
    """``create``'s argument: a list of dictionaries."""
    if not isinstance(vals_list, (list, tuple)):
        raise _shape_error(model, vals_list)
    for vals in vals_list:
        check_vals(model, vals, strict=strict)
    return list(vals_list)


def context_defaults_as_values(model, vals_list):
    """The caller's ``default_<field>`` keys become values (a value given
    explicitly wins), so they are checked as values; then they leave the
    context. Returns the model without them, and the values."""
    context = model.env.context
    defaults = {
        key[len("default_") :]: value
        for key, value in context.items()
        if isinstance(key, str)
        and key.startswith("default_")
        and key[len("default_") :] in model._fields
    }
    if any(isinstance(key, str) and key.startswith("default_") for key in context):
        model = model.with_env(model.env(context=clean_context(context)))
    if defaults:
        check_vals(model, defaults)
        vals_list = [dict(defaults, **vals) for vals in vals_list]
    return model, vals_list


# the fields the add-on adds to Odoo's models that a user may write (the
# others are the add-on's: computed, or moved only by its operations)
FOREIGN_USER_FIELDS = {
    "res.partner": frozenset({"call_number_ids"}),
    "res.company": frozenset({"call_pressure_per_day", "call_pressure_per_week"}),
    "res.config.settings": frozenset(
        {"call_pressure_per_day", "call_pressure_per_week"}
    ),
    "ir.actions.server": frozenset(
        {
            "call_lead_operation",
            "call_lead_stage_id",
            "call_lead_lost_reason_id",
            "call_campaign_id",
            "call_campaign_status_id",
            "call_status_usable",
        }
    ),
}


def check_foreign_vals(model, vals_list, message=None, read_fields=()):
    """The top of the add-on's override of an Odoo model's ``create`` (a
    list) or ``write`` (a dict): the shape of what it received (and the
    values of Odoo's ``read_fields`` the override reads, context defaults
    included), and default deny for the fields the add-on adds to that
    model, the caller's context defaults of them included. Returns the list
    of values."""
    vals_list = check_vals_list(
        model, [vals_list] if isinstance(vals_list, dict) else vals_list, strict=False
    )
    context = model.env.context
    for fname in read_fields:
        field = model._fields[fname]
        for value in [vals.get(fname) for vals in vals_list] + [
            context.get(f"default_{fname}")
        ]:
            _check_value(model, field, value)
    if model.env.su:
        return vals_list
    allowed = FOREIGN_USER_FIELDS.get(model._name, frozenset())
    defaults = {
        key[len("default_") :]
        for key in model.env.context
        if isinstance(key, str) and key.startswith("default_")
    }
    refused = sorted(
        fname
        for fname in {name for vals in vals_list for name in vals} | defaults
        if fname in model._fields
        and is_addon_field(model._fields[fname])
        and fname not in allowed
    )
    if refused:
        field = model._fields[refused[0]]
        raise UserError(
            message
            or model.env._(
                "The field “%(field)s” of %(model)s is kept by the add-on: it cannot "
                "be set by hand.",
                field=field.get_description(model.env)["string"],
                model=model._description,
            )
        )
    return vals_list


def check_user_companies(env, companies, what):
    """Data moves only into the calling user's companies (the superuser's
    code moves it where the add-on decided)."""
    if env.su:
        return
    foreign = companies - env.companies
    if foreign:
        raise UserError(
            env._(
                "%(what)s belongs to the company “%(company)s”, which is not one of "
                "yours.",
                what=what,
                company=foreign[0].display_name,
            )
        )


class CallGuardMixin(models.AbstractModel):
    """The fields of the add-on a user may create with and write, per model:
    everything else is refused (default deny)."""

    _name = "call.guard.mixin"
    _description = "Call Campaigns: what users may write"

    # fields of the add-on a user (not the superuser) may write
    _call_user_write_fields = frozenset()
    # ... and create with (the writable ones when not given)
    _call_user_create_fields = None
    # required fields the model's own create fills in when missing
    _call_filled_fields = frozenset()

    @api.model
    def _call_refused_message(self, fname):
        return self.env._(
            "The field “%(field)s” of %(model)s is kept by the add-on: it cannot be "
            "set by hand.",
            field=self._fields[fname].get_description(self.env)["string"],
            model=self._description,
        )

    @api.model
    def _call_guard_create(self, vals_list):
        """Check ``create``'s values before anything reads them. Returns the
        model (without the caller's context defaults) and the values."""
        vals_list = check_vals_list(self, vals_list)
        model, vals_list = context_defaults_as_values(self, vals_list)
        allowed = self._call_user_create_fields
        if allowed is None:
            allowed = self._call_user_write_fields
        model._call_refuse_fields(vals_list, allowed)
        model._call_check_required(vals_list)
        return model, vals_list

    def _call_guard_write(self, vals):
        check_vals(self, vals)
        self._call_refuse_fields([vals], self._call_user_write_fields)
        return vals

    @api.model
    def _call_refuse_fields(self, vals_list, allowed):
        if self.env.su:
            return
        refused = sorted(
            {
                fname
                for vals in vals_list
                for fname in vals
                if fname not in allowed and is_addon_field(self._fields[fname])
            }
        )
        if refused:
            raise UserError(self._call_refused_message(refused[0]))

    @api.model
    def _call_check_required(self, vals_list):
        required = [
            fname
            for fname, field in self._fields.items()
            if field.required
            and field.store
            and not field.compute
            and field.default is None
            and fname not in self._call_filled_fields
        ]
        for vals in vals_list:
            for fname in required:
                if not vals.get(fname):
                    raise UserError(
                        self.env._(
                            "%(model)s: the field “%(field)s” is required.",
                            model=self._description,
                            field=self._fields[fname].get_description(self.env)[
                                "string"
                            ],
                        )
                    )

    def copy_data(self, default=None):
        """A copy is a create by the user: what they give is checked like
        values; what is copied keeps only what they could create with."""
        if default is not None:
            check_vals(self, default)
        vals_list = super().copy_data(default=default)
        if self.env.su:
            return vals_list
        allowed = self._call_user_create_fields
        if allowed is None:
            allowed = self._call_user_write_fields
        self._call_refuse_fields([default or {}], allowed)
        return [
            {
                fname: value
                for fname, value in vals.items()
                if fname in allowed
                or fname in (default or {})
                or not is_addon_field(self._fields[fname])
            }
            for vals in vals_list
        ]
