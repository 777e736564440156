"""The two formats: the spec's element names, escaping, and values read back as sent."""

import json
from xml.etree import ElementTree as ET

from onewindow.open311.renderers import render, render_errors, to_json, to_xml

SCRIPT = '<script>alert("x")</script> & <b>bold</b>'


def test_it_writes_lists_under_the_specs_plural_and_singular_elements():
    xml = to_xml("services", [{"service_code": "a", "metadata": True}, {"service_code": "b"}])
    assert xml.startswith('<?xml version="1.0" encoding="utf-8"?>\n<services><service>')
    root = ET.fromstring(xml.encode())
    assert [s.findtext("service_code") for s in root.findall("service")] == ["a", "b"]
    assert root.find("service/metadata").text == "true"


def test_it_nests_attributes_and_values_in_a_service_definition():
    data = {
        "service_code": "x",
        "attributes": [{"code": "hall", "values": [{"key": "ZJG", "name": "中心"}]}],
    }
    root = ET.fromstring(to_xml("service_definition", data).encode())
    assert root.tag == "service_definition"
    assert root.find("attributes/attribute/values/value/key").text == "ZJG"
    assert root.find("attributes/attribute/values/value/name").text == "中心"


def test_it_writes_a_missing_value_as_an_empty_element_and_json_null():
    root = ET.fromstring(to_xml("service_requests", [{"media_url": None}]).encode())
    assert root.find("request/media_url").text is None
    assert json.loads(to_json([{"media_url": None}])) == [{"media_url": None}]


def test_it_escapes_markup_in_xml_and_reads_back_the_same_text():
    xml = to_xml("service_requests", [{"description": SCRIPT}])
    assert "<script>" not in xml and "&lt;script&gt;" in xml
    assert ET.fromstring(xml.encode()).findtext("request/description") == SCRIPT


def test_it_writes_no_markup_characters_into_json_and_reads_back_the_same_text():
    text = to_json([{"description": SCRIPT}])
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == [{"description": SCRIPT}]


def test_it_drops_characters_xml_cannot_carry_from_both_formats():
    value = "a\x00b\x1bc\nd"
    assert (
        ET.fromstring(to_xml("errors", [{"description": value}]).encode()).findtext(
            "error/description"
        )
        == "abc\nd"
    )
    assert json.loads(to_json([{"description": value}])) == [{"description": "abc\nd"}]


def test_it_answers_with_the_specs_content_types():
    assert render("xml", "services", [])["Content-Type"] == "text/xml; charset=utf-8"
    assert render("json", "services", [])["Content-Type"] == "application/json; charset=utf-8"


def test_it_writes_errors_as_a_list_of_code_and_description():
    response = render_errors("xml", 403, [(403, "api_key is missing or invalid.")])
    assert response.status_code == 403
    root = ET.fromstring(response.content)
    assert root.tag == "errors"
    assert root.findtext("error/code") == "403"
    assert root.findtext("error/description") == "api_key is missing or invalid."
    response = render_errors("json", 404, [(404, "nope")])
    assert json.loads(response.content) == [{"code": 404, "description": "nope"}]
