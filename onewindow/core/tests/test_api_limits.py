"""Bad input never gives a 5xx: numbers beyond the database's columns, bodies too large,
too deep, not JSON or with NUL characters, unknown API paths; each answered in the API's one
error format (`{code, message, errors}`), and nothing written. And the OpenAPI document
names each schema once."""

import json

import pytest
from ninja import Schema

from onewindow.accounts.models import ApiToken
from onewindow.api import api as ninja_api
from onewindow.cases.models import Case

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def send(client, personas):
    """send(method, path, body=None, content_type=..., **query) -> (status, json), as the clerk."""
    key = ApiToken.issue(personas.clerk)[1]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}", "HTTP_ACCEPT_LANGUAGE": "en"}

    def call(method, path, body=None, content_type="application/json", **query):
        if method == "get":
            r = client.get(f"/api/v1{path}", query, **headers)
        else:
            data = body if isinstance(body, str | bytes) else json.dumps(body)
            r = client.post(f"/api/v1{path}", data, content_type=content_type, **headers)
        assert r["Content-Type"].startswith("application/json")
        return r.status_code, r.json()

    return call


def intake(personas, **fields):
    return {
        "hall": personas.hall.code,
        "item": "X",
        "applicant_kind": "person",
        "applicant_name": "张三",
        "applicant_id_number": "320582199003070011",
        "contact_phone": "13812345678",
        **fields,
    }


def test_it_answers_413_to_a_body_beyond_the_configured_size(send, personas, settings):
    settings.ONEWINDOW_API_MAX_BODY_BYTES = 2048
    status, body = send("post", "/cases", intake(personas, contact_name="李" * 2000))
    assert status == 413
    assert body == {
        "code": "body_too_large",
        "message": "The body is too large (at most 2 KB).",
        "errors": {},
    }
    assert not Case.objects.exists()


def test_it_answers_413_to_a_body_beyond_djangos_limit(send, personas, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    status, body = send("post", "/cases", intake(personas, contact_name="李" * 100))
    assert (status, body["code"]) == (413, "body_too_large")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_it_answers_415_to_a_body_not_sent_as_json(send, personas, content_type):
    status, body = send("post", "/cases", json.dumps(intake(personas)), content_type=content_type)
    assert status == 415
    assert body["code"] == "unsupported_media_type"
    assert "application/json" in body["message"]
    assert not Case.objects.exists()


@pytest.mark.parametrize("depth", [40, 100_000])
def test_it_answers_422_to_a_body_nested_too_deeply(send, depth):
    data = "[" * depth + "]" * depth
    body = '{"version": 1, "items": ' + data + "}"
    status, answer = send("post", "/cases/CG202603029999/correction", body)
    assert status == 422
    assert answer["errors"] == {"body": "The body is nested too deeply (at most 32 levels)."}


def test_it_refuses_the_nul_character_in_a_body_a_query_and_a_path(send, personas):
    nul = "Text may not contain the NUL character."
    status, body = send("post", "/cases", intake(personas, applicant_name="张\x00三"))
    assert (status, body["errors"]) == (422, {"applicant_name": nul})
    status, body = send("post", "/exchange/events", {"data": {"reason": ["a", "b\x00"]}})
    assert (status, body["errors"]) == (422, {"data.reason.1": nul})
    status, body = send("get", "/cases", hall="C\x00G")
    assert (status, body["errors"]) == (422, {"hall": nul})
    status, body = send("get", "/cases/CG%00")
    assert (status, body["errors"]) == (422, {"number": nul})
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("method", "path", "data", "field"),
    [
        ("get", "/cases", {"page": 10**30}, "page"),
        ("get", "/items", {"page": 10**30}, "page"),
        ("get", "/items", {"page_size": 10**6}, "page_size"),
        ("get", "/calendar/add", {"start": "2026-03-02", "n": 10**12}, "n"),
        ("get", "/calendar/add", {"start": "0248-08-01", "n": 5}, "start"),
        ("get", "/calendar/add", {"start": "2026-03-02", "n": -1}, "n"),
        ("get", "/alerts", {"offset": 2**63}, "offset"),
        ("post", "/cases/CG202603029999/accept", {"version": 2**63}, "version"),
        (
            "post",
            "/cases/CG202603029999/supply",
            {"version": 1, "provided_material_ids": [2**64]},
            "provided_material_ids.0",
        ),
        (
            "post",
            "/cases/CG202603029999/extend",
            {"version": 1, "days": 10**9, "reason": "x"},
            "days",
        ),
    ],
)
def test_it_answers_422_to_numbers_beyond_the_database(send, method, path, data, field):
    status, body = send(method, path, **data) if method == "get" else send(method, path, data)
    assert status == 422
    assert body["code"] == "invalid_request"
    assert field in body["errors"]


def test_it_answers_422_to_a_window_number_beyond_the_database(send, personas):
    status, body = send("post", "/cases", intake(personas, window=10**20))
    assert (status, list(body["errors"])) == (422, ["window"])


def test_it_answers_an_unknown_api_path_with_the_json_error(send):
    status, body = send("get", "/cases/CG/with/slashes")
    assert (status, body["code"]) == (404, "not_found")
    status, body = send("get", "/items/NO-SUCH-ITEM")
    assert (status, body["code"]) == (404, "not_found")


def test_it_names_every_schema_of_the_api_once():
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    names = [c.__name__ for c in subclasses(Schema) if c.__module__.startswith("onewindow.")]
    assert sorted(n for n in set(names) if names.count(n) > 1) == []
    doc = ninja_api.get_openapi_schema()
    item = doc["components"]["schemas"]["ItemDetailOut"]["properties"]
    material = item["materials"]["items"]["$ref"].rsplit("/", 1)[-1]
    assert "originals" in doc["components"]["schemas"][material]["properties"]


def test_it_documents_every_error_answer_an_operation_gives():
    doc = ninja_api.get_openapi_schema()
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            answers = {str(status) for status in op["responses"]}
            if op.get("parameters") or "requestBody" in op:
                assert "422" in answers, (method, path)
            if op.get("security"):
                assert "401" in answers, (method, path)
            if "requestBody" in op:
                assert {"413", "415"} <= answers, (method, path)
            for status, answer in op["responses"].items():
                if int(status) >= 400:
                    ref = answer["content"]["application/json"]["schema"]["$ref"]
                    assert ref.endswith("/ErrorOut"), (method, path, status)
