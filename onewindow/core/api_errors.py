"""The API's one error format, ``{"code", "message", "errors": {field: message}}`` (`ErrorOut`),
its answer to a request that does not match its schema (HTTP 422), and the limits every request
body is held to before its schema sees it (`JsonParser`: 413, 415, 422).

django-ninja reports such requests as a list of pydantic errors in English
(``{"detail": [{"loc": ["body", "payload", "applicant_name"], "type": "missing", …}]}``);
`invalid_request` turns that list into one plain, translated message per field, in the
language active when it is called (onewindow/api.py activates the client's).
"""

import json
from typing import Annotated

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from ninja import Field, Schema
from ninja.parser import Parser

# The largest values the database's integer columns hold on every engine we run on
# (PostgreSQL's integer and bigint; SQLite's integers are 64-bit): a number beyond them
# must be a 422, not an overflow in the driver.
DB_INT_MAX = 2**31 - 1
DB_BIGINT_MAX = 2**63 - 1
# How deep a body may nest objects and lists (the deepest schema needs four levels).
MAX_BODY_DEPTH = 32

# A primary key as the API accepts it (ids are BigAutoFields).
Id = Annotated[int, Field(ge=1, le=DB_BIGINT_MAX)]
# The pattern of text without the NUL character (PostgreSQL can neither store nor compare it).
NO_NUL = "^[^\\x00]*$"
# A code or number in a path (a case number, an implementation code): text without NUL.
PathKey = Annotated[str, Field(min_length=1, max_length=64, pattern=NO_NUL)]


class ErrorOut(Schema):
    """Every error answer of the API."""

    code: str
    message: str
    errors: dict[str, str] = {}
    current_version: int | None = None
    expected_seq: int | None = None


# The codes of errors that have no more specific one, by HTTP status.
STATUS_CODES = {
    400: "invalid",
    401: "unauthorized",
    403: "not_permitted",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "too_many_requests",
}


def error(status: int, message, code: str | None = None) -> dict:
    """An error answer of this status with one plain message."""
    return {
        "code": code or STATUS_CODES.get(status, "error"),
        "message": str(message),
        "errors": {},
    }


def documented(*statuses: int) -> dict:
    """``response=`` entries for the error answers an operation can give: 401 (every
    operation that needs a sign-in), 422 (bad parameters) and the statuses given."""
    return dict.fromkeys(statuses, ErrorOut)


# Where ninja found the value: the first part of a pydantic error's location.
SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}
# Every endpoint names its body parameter `payload`; the client never sees that name.
BODY_PARAMETER = "payload"


def _expected(kinds: tuple[str, ...], noun) -> dict:
    return dict.fromkeys(kinds, noun)


# The value has the wrong type or cannot be read as one: "(expected …)" says what it should be.
EXPECTED = {
    **_expected(("string_type", "string_unicode"), pgettext_lazy("expected value", "text")),
    **_expected(
        ("int_type", "int_parsing", "int_from_float"),
        pgettext_lazy("expected value", "a whole number"),
    ),
    **_expected(
        ("float_type", "float_parsing", "decimal_type", "decimal_parsing"),
        pgettext_lazy("expected value", "a number"),
    ),
    **_expected(("bool_type", "bool_parsing"), pgettext_lazy("expected value", "true or false")),
    **_expected(
        ("date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"),
        pgettext_lazy("expected value", "a date, YYYY-MM-DD"),
    ),
    **_expected(
        ("datetime_type", "datetime_parsing", "datetime_from_date_parsing"),
        pgettext_lazy("expected value", "a date and time, ISO 8601"),
    ),
    **_expected(("list_type",), pgettext_lazy("expected value", "a list")),
    **_expected(
        ("dict_type", "model_type", "model_attributes_type"),
        pgettext_lazy("expected value", "an object"),
    ),
}

# The value has the right type but breaks a limit of the schema; the limit comes from the
# error's context (`ctx`).
LIMITS = {
    "string_too_short": gettext_lazy("Enter at least %(min_length)s characters."),
    "string_too_long": gettext_lazy("Enter at most %(max_length)s characters."),
    "too_short": gettext_lazy("Enter at least %(min_length)s items."),
    "too_long": gettext_lazy("Enter at most %(max_length)s items."),
    "greater_than": gettext_lazy("Enter a value greater than %(gt)s."),
    "greater_than_equal": gettext_lazy("Enter a value of at least %(ge)s."),
    "less_than": gettext_lazy("Enter a value less than %(lt)s."),
    "less_than_equal": gettext_lazy("Enter a value of at most %(le)s."),
}


def field_name(loc) -> str:
    """The field as the client wrote it, dotted: ("body", "payload", "gaps", "due_date") is
    "gaps.due_date", ("query", "page_size") is "page_size". An error about the whole body
    (not JSON, not an object) is reported under "body"."""
    parts = [str(part) for part in loc]
    source = parts.pop(0) if parts and parts[0] in SOURCES else "body"
    if source == "body" and parts[:1] == [BODY_PARAMETER]:
        parts.pop(0)
    return ".".join(parts) or source


def field_message(error: dict) -> str:
    """One plain sentence for one pydantic error, chosen by its `type`; pydantic's English
    text appears only for a type not foreseen here."""
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind == "json_invalid":
        return _("The body is not valid JSON.")
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == NO_NUL:
        return _("Text may not contain the NUL character.")
    if kind == "too_deep":
        return _("The body is nested too deeply (at most %(max)s levels).") % {
            "max": MAX_BODY_DEPTH
        }
    if kind in ("literal_error", "enum"):
        # pydantic lists the values as "'a', 'b' or 'c'": drop the English "or".
        values = str(ctx.get("expected", "")).replace("' or '", "', '")
        return _("Enter one of the allowed values: %(expected)s.") % {"expected": values}
    if kind in EXPECTED:
        return _("Enter a valid value (expected %(expected)s).") % {"expected": EXPECTED[kind]}
    if kind in LIMITS:
        try:
            return str(LIMITS[kind]) % ctx
        except (KeyError, TypeError):
            pass
    return _("Enter a valid value (%(detail)s).") % {"detail": error.get("msg", kind)}


def invalid_request(errors: list[dict]) -> dict:
    """The 422 answer for ninja's list of errors: the first message of each field (a value
    that fails several ways gets the first, as a form shows one error per field)."""
    per_field: dict[str, str] = {}
    for error in errors:
        per_field.setdefault(field_name(error.get("loc", ())), field_message(error))
    return {
        "code": "invalid_request",
        "message": _("The request is not valid: see the errors per field."),
        "errors": per_field,
    }


def body_not_json() -> dict:
    """The 422 answer for a body that is not JSON at all (ninja raises HttpError 400)."""
    return invalid_request([{"loc": ("body",), "type": "json_invalid"}])


class BodyRefused(Exception):
    """A request refused before its schema sees it: its HTTP status and the function that
    writes its answer (called in the client's language, onewindow/api.py)."""

    def __init__(self, status: int, answer):
        super().__init__(status)
        self.status = status
        self.answer = answer


def _check_value(value, path: list, depth: int) -> None:
    """Refuse a body nested deeper than MAX_BODY_DEPTH or with a NUL character in any
    text (a key or a value), naming where."""
    if depth > MAX_BODY_DEPTH:
        raise BodyRefused(422, too_deep)
    if isinstance(value, str):
        if "\x00" in value:
            raise BodyRefused(422, lambda: has_nul("body", *path))
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_value(key, [*path, key], depth + 1)
            _check_value(item, [*path, key], depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_value(item, [*path, index], depth + 1)


class JsonParser(Parser):
    """ninja's parser held to the API's limits: a body of at most
    ``ONEWINDOW_API_MAX_BODY_BYTES`` (413), sent as JSON (415), nested at most
    MAX_BODY_DEPTH levels and without NUL characters (422); query parameters without NUL
    characters either (PostgreSQL cannot compare or store them)."""

    def parse_body(self, request):
        limit = settings.ONEWINDOW_API_MAX_BODY_BYTES
        if len(request.body) > limit:
            raise BodyRefused(413, body_too_large)
        if request.content_type != "application/json" and not request.content_type.endswith(
            "+json"
        ):
            raise BodyRefused(415, not_json_media_type)
        try:
            data = json.loads(request.body)
        except RecursionError:
            raise BodyRefused(422, too_deep) from None
        except ValueError:
            raise BodyRefused(422, body_not_json) from None
        _check_value(data, [], 0)
        return data

    def parse_querydict(self, data, list_fields, request):
        result = super().parse_querydict(data, list_fields, request)
        for key, value in result.items():
            values = value if isinstance(value, list) else [value]
            if any("\x00" in v for v in values if isinstance(v, str)):
                raise BodyRefused(422, lambda key=key: has_nul("query", key))
        return result


def body_too_large() -> dict:
    """The 413 answer (the limit in kilobytes)."""
    return error(
        413,
        _("The body is too large (at most %(kb)s KB).")
        % {"kb": settings.ONEWINDOW_API_MAX_BODY_BYTES // 1024},
    )


def too_deep() -> dict:
    return invalid_request([{"loc": ("body",), "type": "too_deep"}])


def has_nul(*loc) -> dict:
    return invalid_request(
        [{"loc": loc, "type": "string_pattern_mismatch", "ctx": {"pattern": NO_NUL}}]
    )


def not_json_media_type() -> dict:
    """The 415 answer."""
    return error(415, _("Send the body as JSON (Content-Type: application/json)."))


def unauthorized() -> dict:
    """The 401 answer: no token, or one that is not (or no longer) valid."""
    return error(401, _("Sign in, or send a valid token: Authorization: Bearer <token>."))


def not_found() -> dict:
    """The 404 answer of a path or an object that does not exist."""
    return error(404, _("There is no such object."))
