"""The API's answer to a request that does not match its schema (HTTP 422), in the shape of
every other API error: ``{"code": "invalid_request", "message", "errors": {field: message}}``.

django-ninja reports such requests as a list of pydantic errors in English
(``{"detail": [{"loc": ["body", "payload", "applicant_name"], "type": "missing", …}]}``);
`invalid_request` turns that list into one plain, translated message per field, in the
language active when it is called (onewindow/api.py activates the client's).
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

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
