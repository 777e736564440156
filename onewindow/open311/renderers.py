"""The two formats of GeoReport v2: XML (the spec's required one) and JSON.

Both are built from the same plain values: a list of dicts for the lists (services,
requests, errors) and a dict for a service definition. XML follows the spec's element
names: a list becomes its plural element with one singular child per item
(``<services><service>…``, ``<service_requests><request>…``, ``<errors><error>…``),
``true``/``false`` for booleans and an empty element for a missing value; JSON is the
"Spark" mapping of the same XML, so a missing value is ``null``.

Text is stored as it was given and escaped here, never trusted: ElementTree escapes
``<``, ``>`` and ``&`` in XML, and the JSON encoder writes them as ``\\u003c``,
``\\u003e`` and ``\\u0026`` (a client that pastes the JSON into a page gets no markup
out of it). Characters XML 1.0 cannot carry (control characters) are left out of both.
"""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree as ET

from django.http import HttpResponse

FORMATS = ("json", "xml")
XML_CONTENT_TYPE = "text/xml; charset=utf-8"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"

# A list's element and the element of each of its items.
ITEM_TAG = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "errors": "error",
}

# Not allowed in XML 1.0 (and never meaningful in a report).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_JSON_ESCAPES = {ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"}


def clean_text(value: str) -> str:
    """``value`` without the characters XML 1.0 cannot carry."""
    return _NOT_XML.sub("", value)


def _plain(value):
    """A value as JSON carries it: strings cleaned, containers walked."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def to_json(data) -> str:
    return json.dumps(_plain(data), ensure_ascii=False).translate(_JSON_ESCAPES)


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return clean_text(str(value))


def _fill(element: ET.Element, value) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), item)
    elif isinstance(value, list | tuple):
        tag = ITEM_TAG[element.tag]
        for item in value:
            _fill(ET.SubElement(element, tag), item)
    else:
        element.text = _text(value)


def to_xml(root: str, data) -> str:
    """``data`` under the element ``root``, with the spec's XML declaration."""
    element = ET.Element(root)
    _fill(element, data)
    body = ET.tostring(element, encoding="unicode", short_empty_elements=True)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body


def render(fmt: str, root: str, data, status: int = 200) -> HttpResponse:
    """The answer in ``fmt`` (``json`` or ``xml``): ``data`` is a list for the plural
    roots and a dict for ``service_definition``."""
    if fmt == "xml":
        return HttpResponse(to_xml(root, data), content_type=XML_CONTENT_TYPE, status=status)
    return HttpResponse(to_json(data), content_type=JSON_CONTENT_TYPE, status=status)


def render_errors(fmt: str, status: int, errors: list[tuple[int, str]]) -> HttpResponse:
    """The spec's error list: each error a code (here the HTTP status) and a description
    meant to be read by the person using the client."""
    items = [{"code": code, "description": str(description)} for code, description in errors]
    return render(fmt, "errors", items, status=status)
