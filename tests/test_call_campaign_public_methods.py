import traceback
from pathlib import Path

from odoo import Command, api, models
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.base.controllers.rpc import dumps as xmlrpc_dumps

from ..models.call_guard import FOREIGN_USER_FIELDS, is_addon_field
from .common import CallCampaignCase

ADDON_MODULE = "odoo.addons.call_campaign."
ADDON_ROOT = Path(__file__).resolve().parent.parent
CLEAR_ERRORS = (UserError, ValidationError, AccessError, MissingError)
# values no argument of the add-on accepts
BAD_VALUES = (
    "x",
    -1,
    1.5,
    True,
    2**40,
    {"id": 1},
    [None],
    ["x", 1],
    "2026-13-45 25:61:00",
    "x" * 10000,
)
# tables whose content must not change when a call is refused
WATCHED_TABLES = (
    "call_campaign",
    "call_campaign_member",
    "call_interaction",
    "call_status",
    "mail_activity",
    "phone_blacklist",
)


class _Rollback(Exception):
    pass


def addon_public_methods(env):
    """(model, method name, function) of every RPC-callable method the
    add-on defines, on its own models and on those it extends; Odoo's ORM
    methods (create, write, read...) are out of scope."""
    found = []
    for model_name in env.registry:
        cls = type(env[model_name])
        names = set()
        for klass in cls.__mro__:
            if not klass.__module__.startswith(ADDON_MODULE):
                continue
            for name, value in vars(klass).items():
                if (
                    callable(value)
                    and not name.startswith("_")
                    and not hasattr(models.BaseModel, name)
                    and name != "init"
                ):
                    names.add(name)
        found += [(model_name, name, getattr(cls, name)) for name in sorted(names)]
    return found


@tagged("call_campaign", "post_install", "-at_install")
class TestPublicMethods(CallCampaignCase):
    """Every public method of the add-on, found by introspection, refuses bad
    arguments with a clear error and writes nothing, as an agent and as a
    manager; what it returns can travel over XML-RPC."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.members[1].set_status(cls.st_recall)
        cls.methods = addon_public_methods(cls.env)

    def test_methods_found_and_checked(self):
        names = {(model, name) for model, name, _function in self.methods}
        for expected in (
            ("call.campaign.member", "set_status"),
            ("call.campaign.member", "next_for_agent"),
            ("call.campaign.member", "register_call_outcome"),
            ("call.campaign", "action_start"),
            ("call.campaign.member.forward", "action_forward"),
            ("call.campaign.member.log", "action_log"),
            ("call.campaign.member.add", "action_add"),
            ("mail.activity", "action_log_call_campaign"),
            ("call.membership.mixin", "action_view_call_members"),
            ("res.partner", "action_log_call_campaign"),
        ):
            self.assertIn(expected, names)
        unchecked = sorted(
            f"{model}.{name}"
            for model, name, function in self.methods
            if not getattr(function, "call_campaign_checked", False)
        )
        self.assertFalse(unchecked, "public methods without @public_method")

    def _fingerprint(self):
        self.env.flush_all()
        result = []
        for table in WATCHED_TABLES:
            self.env.cr.execute(
                f"SELECT md5(string_agg(t::text, ',' ORDER BY t.id)) FROM {table} t"  # noqa: S608
            )
            result.append(self.env.cr.fetchone()[0])
        return result

    def _sample_ids(self, user, model_name):
        Model = self.env[model_name].with_user(user)
        if Model._abstract or Model._transient or not Model.has_access("read"):
            return []
        return Model.search([], limit=1).ids

    def _bad_calls(self, user, model_name, name, function):
        """(ids, args, kwargs) that no correct caller sends."""
        calls = []
        is_model_method = getattr(function, "_api", None) == "model"
        code = (
            function.__wrapped__.__code__ if hasattr(function, "__wrapped__") else None
        )
        params = list(code.co_varnames[1 : code.co_argcount]) if code else []
        sample = self._sample_ids(user, model_name)
        base = [] if is_model_method else sample
        if not is_model_method:
            calls += [([999999999], (), {}), ([0], (), {})]
            if not params:
                calls.append(([], (), {}))
        calls.append((base, ("a",) * (len(params) + 1), {}))
        calls.append((base, (), {"bogus_argument": 1}))
        for param in params:
            for value in BAD_VALUES:
                calls.append((base, (), {param: value}))
        return [
            (ids if not is_model_method else None, args, kwargs)
            for ids, args, kwargs in calls
        ]

    def _call(self, user, model_name, name, ids, args, kwargs):
        env = self.env(user=user, su=False)
        model = env[model_name]
        call_args = list(args) if ids is None else [ids, *args]
        return api.call_kw(model, name, call_args, dict(kwargs))

    def _check_user(self, user):
        failures = []
        for model_name, name, function in self.methods:
            for ids, args, kwargs in self._bad_calls(user, model_name, name, function):
                label = (
                    f"{model_name}.{name}(ids={ids}, args={str(args)[:40]}, "
                    f"kwargs={str(kwargs)[:60]})"
                )
                before = self._fingerprint()
                try:
                    with self.env.cr.savepoint(flush=False):
                        error = result = None
                        try:
                            result = self._call(
                                user, model_name, name, ids, args, kwargs
                            )
                        except CLEAR_ERRORS as clear:
                            error = clear
                        except Exception as crash:  # noqa: BLE001
                            failures.append(f"{label}: {type(crash).__name__}: {crash}")
                            raise _Rollback() from None
                        if error is None:
                            try:
                                xmlrpc_dumps((result,))
                            except TypeError as marshal:
                                failures.append(f"{label}: returns {marshal}")
                        if self._fingerprint() != before:
                            failures.append(f"{label}: wrote to the database")
                        raise _Rollback()
                except _Rollback:
                    self.env.invalidate_all(flush=False)
        return failures

    def test_bad_arguments_as_agent(self):
        failures = self._check_user(self.agent)
        self.assertFalse(failures, "\n".join(failures[:30]))

    def test_bad_arguments_as_manager(self):
        failures = self._check_user(self.manager)
        self.assertFalse(failures, "\n".join(failures[:30]))


# Odoo's models whose create, write or unlink the add-on overrides
OVERRIDDEN_MODELS = (
    "res.partner",
    "crm.lead",
    "mail.activity",
    "mail.message",
    "mail.scheduled.message",
    "phone.blacklist",
    "res.company",
)
# malformed values of one field
BAD_FIELD_VALUES = ("x", -1, 1.5, [None], {"id": 1}, "a\x00b", [[9, 1]])


def addon_models(env):
    """The add-on's own concrete models (they state what users may write)."""
    return sorted(
        name
        for name in env.registry["call.guard.mixin"]._inherit_children
        if not env[name]._abstract
    )


def addon_fields(env, model_name, stored=True):
    return sorted(
        fname
        for fname, field in env[model_name]._fields.items()
        if is_addon_field(field) and (field.store or not stored)
    )


def sample_value(env, field):
    """A well-formed value of ``field``: only the decision to refuse it is
    tested."""
    return {
        "char": "x",
        "text": "x",
        "html": "<p>x</p>",
        "integer": 1,
        "float": 1.0,
        "monetary": 1.0,
        "boolean": True,
        "binary": "eA==",
        "date": "2026-01-01",
        "datetime": "2026-01-01 10:00:00",
        "many2one": env[field.comodel_name].sudo().search([], limit=1).id or 1
        if field.type == "many2one"
        else None,
        "many2one_reference": 1,
        "one2many": [],
        "many2many": [],
        "json": {},
        "selection": field.get_values(env)[0] if field.type == "selection" else None,
    }[field.type]


def add_on_frame(error):
    """Is the deepest frame of ``error`` in the add-on's code?"""
    frames = traceback.extract_tb(error.__traceback__)
    return bool(frames) and Path(frames[-1].filename).resolve().is_relative_to(
        ADDON_ROOT
    )


@tagged("call_campaign", "post_install", "-at_install")
class TestWhatUsersMayWrite(CallCampaignCase):
    """Default deny, introspected: every stored field the add-on defines is
    either named writable by its model (or, on Odoo's models, in
    ``FOREIGN_USER_FIELDS``) or refused to agents and managers, on create
    and on write. A field added later without a decision is refused, and a
    decision naming no field fails here. And every CRUD method of the
    add-on's models and overrides turns malformed values into clear errors."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.models = addon_models(cls.env)
        cls.env["call.campaign.status.action"].create(
            {"campaign_id": cls.campaign.id, "status_id": cls.st_call.id}
        )
        cls.env["call.campaign.member.log"].create({"member_id": cls.member.id})
        cls.env["call.campaign.member.forward"].create(
            {"member_ids": [Command.set(cls.member.ids)]}
        )
        cls.env["call.campaign.member.add"].create({"campaign_id": cls.campaign.id})
        cls.env["call.campaign.callback.reassign"].create(
            {"campaign_id": cls.campaign.id}
        )

    def _allowed(self, model_name, mode):
        Model = self.env[model_name]
        if model_name in FOREIGN_USER_FIELDS or model_name not in self.models:
            return FOREIGN_USER_FIELDS.get(model_name, frozenset())
        if mode == "create" and Model._call_user_create_fields is not None:
            return Model._call_user_create_fields
        return Model._call_user_write_fields

    def test_models_found(self):
        for name in (
            "call.campaign",
            "call.campaign.member",
            "call.status",
            "call.interaction",
            "call.contact.number",
            "call.campaign.member.log",
        ):
            self.assertIn(name, self.models)

    def test_decisions_name_real_fields(self):
        for model_name in self.models:
            Model = self.env[model_name]
            for mode in ("write", "create"):
                unknown = self._allowed(model_name, mode) - set(Model._fields)
                self.assertFalse(unknown, f"{model_name} ({mode}): no such fields")
        for model_name, fnames in FOREIGN_USER_FIELDS.items():
            self.assertFalse(
                fnames - set(addon_fields(self.env, model_name, stored=False)),
                f"{model_name}: not fields of the add-on",
            )

    def _refused(self, user, model_name, method, ids, vals):
        env = self.env(user=user, su=False)
        try:
            with self.env.cr.savepoint():
                api.call_kw(env[model_name], method, [*ids, vals], {})
        except (UserError, AccessError):
            return True
        return False

    def test_every_addon_field_is_decided(self):
        failures = []
        model_names = sorted({*self.models, *FOREIGN_USER_FIELDS, *OVERRIDDEN_MODELS})
        for model_name in model_names:
            Model = self.env[model_name]
            if Model._abstract or not Model._auto:
                continue
            record = Model.sudo().search([], limit=1)
            for fname in addon_fields(self.env, model_name):
                field = Model._fields[fname]
                vals = {fname: sample_value(self.env, field)}
                for user in (self.agent, self.manager):
                    if fname not in self._allowed(model_name, "write") and record:
                        if not self._refused(
                            user, model_name, "write", [record.ids], vals
                        ):
                            failures.append(f"{user.login} wrote {model_name}.{fname}")
                    if fname not in self._allowed(model_name, "create"):
                        if not self._refused(user, model_name, "create", [], vals):
                            failures.append(
                                f"{user.login} created {model_name} with {fname}"
                            )
        self.assertFalse(failures, "\n".join(failures))

    def _bad_crud_calls(self, model_name, record):
        Model = self.env[model_name]
        fields_ = addon_fields(self.env, model_name, stored=False)
        creates = [None, 5, "x", [[1]], [None], [{1: 2}], [{"bogus_field": 1}], [{}]]
        writes = [5, [], None, "x", {1: 2}, {"bogus_field": 1}]
        if "name" in Model._fields:
            creates.append([{"name": "a\x00b"}])
            writes.append({"name": "a\x00b"})
        for fname in fields_:
            for value in BAD_FIELD_VALUES:
                creates.append([{fname: value}])
                writes.append({fname: value})
        calls = [("create", [vals]) for vals in creates]
        if record:
            calls += [("write", [record.ids, vals]) for vals in writes]
            calls += [
                ("copy", [record.ids, default])
                for default in (5, "x", [1], {1: 2}, {"bogus_field": 1})
            ]
        calls += [("unlink", [[0]]), ("unlink", [[999999999]])]
        return calls

    def _check_crud(self, user):
        failures = []
        env = self.env(user=user, su=False)
        for model_name in sorted({*self.models, *OVERRIDDEN_MODELS}):
            record = self.env[model_name].sudo().search([], limit=1)
            for method, args in self._bad_crud_calls(model_name, record):
                try:
                    with (
                        mute_logger("odoo.sql_db", "odoo.models"),
                        self.env.cr.savepoint(),
                    ):
                        api.call_kw(env[model_name], method, args, {})
                except Exception as error:  # noqa: BLE001
                    if not isinstance(error, CLEAR_ERRORS) and add_on_frame(error):
                        failures.append(
                            f"{model_name}.{method}{str(args)[:80]}: "
                            f"{type(error).__name__}: {str(error)[:120]}"
                        )
                finally:
                    self.env.invalidate_all(flush=False)
        return failures

    def test_crud_malformed_values_as_agent(self):
        failures = self._check_crud(self.agent)
        self.assertFalse(failures, "\n".join(failures[:30]))

    def test_crud_malformed_values_as_manager(self):
        failures = self._check_crud(self.manager)
        self.assertFalse(failures, "\n".join(failures[:30]))
