from odoo import api, models
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.base.controllers.rpc import dumps as xmlrpc_dumps

from .common import CallCampaignCase

ADDON_MODULE = "odoo.addons.call_campaign."
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
