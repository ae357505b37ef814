"""Argument checks of the add-on's RPC-callable methods.

Every public method the add-on defines is decorated with ``public_method``:
what an integrator sends is checked and converted before the method runs, so
bad input is refused with a translated ``UserError`` naming the argument —
never a ``TypeError``, a ``ValueError`` or an SQL error — before anything is
written. A test finds the public methods by introspection and checks that
each one carries the decorator."""

import datetime
import functools
import inspect

from odoo import fields
from odoo.exceptions import MissingError, UserError

# longest free text (a note) accepted from a caller
MAX_TEXT_LENGTH = 5000
# longest value quoted back in an error message
QUOTE_LENGTH = 40


def call_error(message, key):
    """A refusal of the add-on's API (a ``UserError``, as clients expect)
    with a stable machine ``key`` (``not_running``, ``closed``,
    ``not_yours``, ``reserved_by_other``, ``not_ready``, ``conflict``,
    ``bad_argument``...): JSON-RPC clients read it in the error's
    ``data.context.error_key``, XML-RPC clients at the end of the message
    (``[key]``), never by parsing the translated text."""
    error = UserError(f"{message} [{key}]")
    error.context = {"error_key": key}
    return error


def error_key(error):
    """The machine key of a refusal (``call_error``), or None."""
    return (getattr(error, "context", None) or {}).get("error_key")


def bad_argument(message):
    """What a caller sent is not what the method takes."""
    return call_error(message, "bad_argument")


def _quote(value):
    text = repr(value)
    return text if len(text) <= QUOTE_LENGTH else text[: QUOTE_LENGTH - 1] + "…"


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _is_id(value):
    return _is_int(value) and 0 < value < 2**31


class Arg:
    """How one argument is checked; ``convert`` returns the value to use."""

    def __init__(self, required=False):
        self.required = required

    def convert(self, env, name, value):
        if value is None or value is False:
            if self.required:
                raise bad_argument(env._("The argument “%s” is required.", name))
            return self.empty(env)
        return self.check(env, name, value)

    def empty(self, env):
        return None

    def check(self, env, name, value):
        raise NotImplementedError


class RecordArg(Arg):
    """An id (a list of ids with ``many``) or a record of ``model``."""

    def __init__(self, model, many=False, required=False):
        super().__init__(required)
        self.model = model
        self.many = many

    def empty(self, env):
        return env[self.model]

    def check(self, env, name, value):
        Model = env[self.model]
        if hasattr(value, "_name"):  # a record, from Python callers
            if value._name != self.model or (not self.many and len(value) > 1):
                raise self._wrong(env, name, value)
            records = value
        elif _is_id(value):
            records = Model.browse(value)
        elif (
            self.many
            and isinstance(value, (list, tuple))
            and all(_is_id(item) for item in value)
        ):
            records = Model.browse(value)
        else:
            raise self._wrong(env, name, value)
        missing = records - records.exists()
        if missing:
            raise bad_argument(
                env._(
                    "The argument “%(argument)s”: %(model)s %(ids)s does not exist.",
                    argument=name,
                    model=self.model,
                    ids=", ".join(str(i) for i in missing.ids[:5]),
                )
            )
        return records

    def _wrong(self, env, name, value):
        if self.many:
            return bad_argument(
                env._(
                    "The argument “%(argument)s” must be an id or a list of ids of "
                    "%(model)s, not %(value)s.",
                    argument=name,
                    model=self.model,
                    value=_quote(value),
                )
            )
        return bad_argument(
            env._(
                "The argument “%(argument)s” must be the id of one %(model)s, not %(value)s.",
                argument=name,
                model=self.model,
                value=_quote(value),
            )
        )


class DatetimeArg(Arg):
    """A date and time in UTC: "YYYY-MM-DD HH:MM:SS" (or a date) or a datetime."""

    def check(self, env, name, value):
        error = bad_argument(
            env._(
                "The argument “%(argument)s” must be a date and time "
                "(YYYY-MM-DD HH:MM:SS, UTC), not %(value)s.",
                argument=name,
                value=_quote(value),
            )
        )
        if not isinstance(value, (datetime.date, str)) or len(str(value)) > 30:
            raise error
        try:
            result = fields.Datetime.to_datetime(value).replace(microsecond=0)
        except ValueError:
            raise error from None
        if not 2000 <= result.year < 3000:
            raise error
        return result


class TextArg(Arg):
    """Free text up to ``max_length`` characters."""

    def __init__(self, max_length=MAX_TEXT_LENGTH, required=False):
        super().__init__(required)
        self.max_length = max_length

    def empty(self, env):
        return False

    def check(self, env, name, value):
        if not isinstance(value, str):
            raise bad_argument(
                env._(
                    "The argument “%(argument)s” must be a text, not %(value)s.",
                    argument=name,
                    value=_quote(value),
                )
            )
        if "\x00" in value:
            raise bad_argument(
                env._(
                    "The argument “%s” contains a NUL character.",
                    name,
                )
            )
        if len(value) > self.max_length:
            raise bad_argument(
                env._(
                    "The argument “%(argument)s” is too long: %(length)s characters, "
                    "at most %(max)s.",
                    argument=name,
                    length=len(value),
                    max=self.max_length,
                )
            )
        return value


class UrlArg(TextArg):
    """A web address (http or https): what a browser may open or play."""

    def check(self, env, name, value):
        value = super().check(env, name, value)
        if not value.lower().startswith(("http://", "https://")):
            raise bad_argument(
                env._(
                    "The argument “%(argument)s” must be a web address "
                    "(http:// or https://), not %(value)s.",
                    argument=name,
                    value=_quote(value),
                )
            )
        return value


class ChoiceArg(Arg):
    """One key of a selection list (``choices``: [(key, label)])."""

    def __init__(self, choices, required=True):
        super().__init__(required)
        self.choices = dict(choices)

    def check(self, env, name, value):
        if not isinstance(value, str) or value not in self.choices:
            raise bad_argument(
                env._(
                    "The argument “%(argument)s” must be one of %(valid)s, not %(value)s.",
                    argument=name,
                    valid=", ".join(self.choices),
                    value=_quote(value),
                )
            )
        return value


class IntArg(Arg):
    """A whole number between ``minimum`` and ``maximum``."""

    def __init__(self, minimum=0, maximum=2**31 - 1, required=False):
        super().__init__(required)
        self.minimum = minimum
        self.maximum = maximum

    def empty(self, env):
        return 0

    def check(self, env, name, value):
        if not _is_int(value) or not self.minimum <= value <= self.maximum:
            raise bad_argument(
                env._(
                    "The argument “%(argument)s” must be a whole number from %(min)s "
                    "to %(max)s, not %(value)s.",
                    argument=name,
                    min=self.minimum,
                    max=self.maximum,
                    value=_quote(value),
                )
            )
        return value


class AmountArg(Arg):
    """A number of at least 0 (an amount of money)."""

    def empty(self, env):
        return 0.0

    def check(self, env, name, value):
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or value != value  # NaN
            or not 0 <= value < 1e15
        ):
            raise bad_argument(
                env._(
                    "The argument “%(argument)s” must be an amount of at least 0, "
                    "not %(value)s.",
                    argument=name,
                    value=_quote(value),
                )
            )
        return float(value)


def _check_records(records, method_name):
    """The records a caller names: ids that exist, each once."""
    env = records.env
    if not records._ids:
        return records
    if not all(_is_id(record_id) for record_id in records._ids):
        raise bad_argument(
            env._(
                "%(method)s: the records must be given as ids (whole numbers), "
                "not %(ids)s.",
                method=method_name,
                ids=_quote(list(records._ids)),
            )
        )
    records = records.browse(list(dict.fromkeys(records._ids)))
    missing = records - records.exists()
    if missing:
        raise MissingError(
            env._(
                "%(model)s %(ids)s does not exist (any more).",
                model=records._name,
                ids=", ".join(str(i) for i in missing.ids[:5]),
            )
        )
    return records


def public_method(one=False, **specs):
    """Check the arguments of an RPC-callable method before it runs.

    ``one``: the method works on exactly one record. ``specs``: an ``Arg``
    per argument name. Apply it under Odoo's ``api`` decorators."""

    def decorate(method):
        signature = inspect.signature(method)
        assert set(specs) <= set(signature.parameters), method.__qualname__

        @functools.wraps(method)
        def checked(self, *args, **kwargs):
            env = self.env
            if self._abstract:
                raise bad_argument(
                    env._(
                        "%(method)s cannot be called on %(model)s, which has no records.",
                        method=method.__name__,
                        model=self._name,
                    )
                )
            if getattr(checked, "_api", None) != "model":
                self = _check_records(self, method.__name__)  # noqa: PLW0642
            try:
                bound = signature.bind(self, *args, **kwargs)
            except TypeError as error:
                raise bad_argument(
                    env._(
                        "%(method)s does not take these arguments (%(error)s). "
                        "Expected: %(signature)s.",
                        method=method.__name__,
                        error=str(error)[:200],
                        signature=str(signature)
                        .replace("(self, ", "(")
                        .replace("(self)", "()"),
                    )
                ) from None
            if one and len(self) != 1:
                raise bad_argument(
                    env._(
                        "%(method)s works on exactly one record, not %(count)s.",
                        method=method.__name__,
                        count=len(self),
                    )
                )
            bound.apply_defaults()
            for name, spec in specs.items():
                bound.arguments[name] = spec.convert(env, name, bound.arguments[name])
            return method(*bound.args, **bound.kwargs)

        checked.call_campaign_checked = True
        return checked

    return decorate
