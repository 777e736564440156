"""Requests that do not match the API's schema: 422 in the shape of every other API error,
`{code, message, errors}`, in the client's language (Chinese unless it asks for English)."""

import pytest

from onewindow.accounts.models import ApiToken
from onewindow.core.api_errors import field_message, field_name

pytestmark = [pytest.mark.django_db]

INVALID_ZH = "请求无效：请查看各字段的错误。"
INVALID_EN = "The request is not valid: see the errors per field."


@pytest.fixture
def call(client, personas):
    """call(method, path, body=None, lang=None, **kw) -> (status, json), as the clerk."""
    key = ApiToken.issue(personas.clerk)[1]

    def send(method, path, body=None, lang=None, content_type="application/json", **params):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
        if lang is not None:
            headers["HTTP_ACCEPT_LANGUAGE"] = lang
        if method == "get":
            r = client.get(f"/api/v1{path}", params, **headers)
        else:
            r = client.post(f"/api/v1{path}", body, content_type=content_type, **headers)
        return r.status_code, r.json()

    return send


def test_it_answers_missing_fields_in_chinese_by_default(call, personas):
    status, body = call("post", "/cases", {"hall": personas.hall.code, "contact_name": "李四"})
    assert status == 422
    assert body == {
        "code": "invalid_request",
        "message": INVALID_ZH,
        "errors": {
            "item": "此字段为必填项。",
            "applicant_kind": "此字段为必填项。",
            "applicant_name": "此字段为必填项。",
            "applicant_id_number": "此字段为必填项。",
            "contact_phone": "此字段为必填项。",
        },
    }


def test_it_answers_in_english_when_the_client_asks_for_it(call, personas):
    status, body = call("post", "/cases", {"hall": personas.hall.code}, lang="en")
    assert (status, body["code"], body["message"]) == (422, "invalid_request", INVALID_EN)
    assert body["errors"]["applicant_name"] == "This field is required."


def test_it_answers_in_chinese_when_the_client_names_no_language_we_speak(call, personas):
    _status, body = call("post", "/cases", {"hall": personas.hall.code}, lang="fr, de;q=0.8")
    assert body["message"] == INVALID_ZH
    assert body["errors"]["applicant_name"] == "此字段为必填项。"


def test_it_names_the_expected_type_of_a_wrong_value(call):
    # Validation comes before the case is looked up: the number need not exist.
    accept = "/cases/CG202603029999/accept"
    status, body = call("post", accept, {"version": "abc"}, lang="en")
    assert status == 422
    assert body["errors"] == {"version": "Enter a valid value (expected a whole number)."}
    status, body = call("post", accept, {"version": "abc"})
    assert body["errors"] == {"version": "请输入有效的值（应为整数）。"}


def test_it_names_nested_fields_with_dots(call):
    status, body = call(
        "post",
        "/cases/CG202603029999/accept",
        {
            "version": 3,
            "gaps": {"missing_material_ids": [1, "x"], "due_date": "2026-03-09T10:00"},
        },
        lang="en",
    )
    assert status == 422
    assert body["errors"] == {
        "gaps.missing_material_ids.1": "Enter a valid value (expected a whole number).",
        "gaps.due_date": "Enter a valid value (expected a date, YYYY-MM-DD).",
        "gaps.promise": "This field is required.",
    }


def test_it_lists_the_allowed_values_of_a_choice(call):
    status, body = call(
        "post",
        "/cases/CG202603029999/step/decision",
        {"version": 1, "decision": "maybe"},
    )
    assert status == 422
    assert body["errors"] == {
        "decision": "请输入允许的值之一：'pass', 'approve', 'reject', 'send_back'。"
    }


def test_it_answers_a_body_that_is_not_json_with_422(call):
    status, body = call("post", "/cases/CG202603029999/accept", "{version: 1", lang="en")
    assert (status, body) == (
        422,
        {
            "code": "invalid_request",
            "message": INVALID_EN,
            "errors": {"body": "The body is not valid JSON."},
        },
    )
    status, body = call("post", "/cases", "{收件", content_type="application/json")
    assert (status, body["message"]) == (422, INVALID_ZH)
    assert body["errors"] == {"body": "请求正文不是有效的 JSON。"}


def test_it_answers_bad_query_parameters(call):
    status, body = call(
        "get", "/cases", lang="en", page_size=500, received_since="yesterday", overdue="maybe"
    )
    assert status == 422
    assert body["errors"] == {
        "received_since": "Enter a valid value (expected a date, YYYY-MM-DD).",
        "overdue": "Enter a valid value (expected true or false).",
        "page_size": "Enter a value of at most 100.",
    }
    status, body = call("get", "/cases", page=0)
    assert (status, body["errors"]) == (422, {"page": "请输入不小于 1 的值。"})


def test_it_answers_every_router_the_same_way(call):
    status, body = call("get", "/calendar/add", lang="en", start="2026-02-30")
    assert status == 422
    assert body["errors"] == {
        "start": "Enter a valid value (expected a date, YYYY-MM-DD).",
        "n": "This field is required.",
    }


def test_it_answers_401_in_the_same_format(client):
    r = client.post(
        "/api/v1/cases/CG202603029999/accept", "not json", content_type="application/json"
    )
    assert r.status_code == 401
    assert r.json() == {
        "code": "unauthorized",
        "message": "请登录，或发送有效的令牌：Authorization: Bearer <token>。",
        "errors": {},
    }


def test_it_documents_the_422_answer(client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    doc = r.json()
    answer = doc["paths"]["/api/v1/cases"]["post"]["responses"]["422"]
    schema = answer["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(doc["components"]["schemas"][schema]["properties"]) >= {
        "code",
        "message",
        "errors",
    }


def test_it_drops_the_source_and_the_body_parameter_from_field_names():
    assert field_name(("body", "payload", "gaps", "due_date")) == "gaps.due_date"
    assert field_name(("body", "payload", "items", 0)) == "items.0"
    assert field_name(("query", "page_size")) == "page_size"
    assert field_name(("path", "number")) == "number"
    assert field_name(("body", "payload")) == "body"
    assert field_name(()) == "body"


def test_it_quotes_pydantic_only_for_an_error_it_does_not_know():
    from django.utils import translation

    unknown = {"type": "url_parsing", "msg": "Input should be a valid URL"}
    with translation.override("en"):
        assert field_message(unknown) == "Enter a valid value (Input should be a valid URL)."
        # A limit whose context is missing falls back the same way.
        assert field_message({"type": "less_than_equal", "msg": "too big"}) == (
            "Enter a valid value (too big)."
        )
    with translation.override("zh-hans"):
        assert field_message(unknown) == "请输入有效的值（Input should be a valid URL）。"
        assert field_message({"type": "missing", "msg": "Field required"}) == "此字段为必填项。"
