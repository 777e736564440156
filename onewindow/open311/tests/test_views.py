"""Every GeoReport v2 endpoint in both formats, by hand with Django's test client: the
spec's element names, its filters, its errors, and nothing of the complainant shown."""

from __future__ import annotations

import datetime as dt
import json
from xml.etree import ElementTree as ET

import pytest
import time_machine

from onewindow.audit.models import AuditEntry
from onewindow.cases.tests.factories import at
from onewindow.complaints.models import Complaint
from onewindow.complaints.tests.factories import make_complaint, take_to
from onewindow.open311.models import PostAttempt, Submission
from onewindow.open311.services import revoke_key

from .factories import make_key

BASE = "/open311/v2/"
SCRIPT = '<script>alert("x")</script>'
PERSONAL = ("李四", "13912345678", "lisi@example.com", "110101199003074573")

pytestmark = pytest.mark.django_db


@pytest.fixture
def monday():
    with time_machine.travel(at("2026-03-02"), tick=False) as traveller:
        yield traveller


@pytest.fixture
def key():
    return make_key()


def xml(response) -> ET.Element:
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)


def data(response):
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)


def errors(response, fmt: str) -> list[tuple[str, str]]:
    if fmt == "json":
        return [(str(e["code"]), e["description"]) for e in data(response)]
    root = xml(response)
    assert root.tag == "errors"
    return [(e.findtext("code"), e.findtext("description")) for e in root.findall("error")]


def post(client, fmt="json", **fields):
    values = {
        "service_code": "attitude",
        "description": "窗口工作人员态度生硬",
        "address_string": "张家港市人民中路1号",
        "first_name": "四",
        "last_name": "李",
        "phone": "13912345678",
        "email": "lisi@example.com",
    }
    values.update(fields)
    values = {k: v for k, v in values.items() if v is not None}
    return client.post(f"{BASE}requests.{fmt}", values, HTTP_ACCEPT_LANGUAGE="en")


# ------------------------------------------------------------------------ services


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_it_lists_the_active_categories_as_services(client, fmt):
    response = client.get(f"{BASE}services.{fmt}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    if fmt == "json":
        services = data(response)
    else:
        root = xml(response)
        assert root.tag == "services"
        services = [{child.tag: child.text for child in s} for s in root.findall("service")]
    by_code = {s["service_code"]: s for s in services}
    attitude = by_code["attitude"]
    assert attitude["service_name"] == "Service attitude"
    assert attitude["group"] == "Conduct"
    assert attitude["type"] == "realtime"
    assert attitude["metadata"] in (True, "true")
    assert set(attitude) == {
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    }


def test_it_names_the_services_in_chinese_by_default(client):
    services = data(client.get(f"{BASE}services.json"))
    assert {s["service_code"]: s["service_name"] for s in services}["attitude"] == "服务态度"


def test_it_leaves_out_an_inactive_category(client):
    from onewindow.complaints.models import ComplaintCategory

    ComplaintCategory.objects.filter(code="attitude").update(active=False)
    codes = [s["service_code"] for s in data(client.get(f"{BASE}services.json"))]
    assert "attitude" not in codes and codes
    assert client.get(f"{BASE}services/attitude.json").status_code == 404


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_it_defines_a_services_optional_attributes(client, personas, fmt):
    response = client.get(f"{BASE}services/attitude.{fmt}")
    assert response.status_code == 200
    if fmt == "json":
        definition = data(response)
        assert definition["service_code"] == "attitude"
        codes = [a["code"] for a in definition["attributes"]]
        hall = next(a for a in definition["attributes"] if a["code"] == "hall")
        assert {"key": personas.hall.code, "name": personas.hall.name} in hall["values"]
        assert all(a["required"] is False for a in definition["attributes"])
    else:
        root = xml(response)
        assert root.tag == "service_definition"
        assert root.findtext("service_code") == "attitude"
        codes = [a.findtext("code") for a in root.findall("attributes/attribute")]
        keys = [v.text for v in root.findall("attributes/attribute/values/value/key")]
        assert personas.hall.code in keys
    assert codes == ["case_number", "hall", "window_number", "staff", "external_id"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_it_answers_an_unknown_service_404_in_the_specs_error_format(client, fmt):
    response = client.get(f"{BASE}services/nosuch.{fmt}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert errors(response, fmt) == [("404", "service_code nosuch was not found.")]


# ------------------------------------------------------------------------ POST


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_it_registers_a_posted_request_as_a_hotline_complaint(client, personas, key, fmt):
    row, secret = key
    response = post(client, fmt, api_key=secret, lat="31.87", long="120.55")
    assert response.status_code == 200
    if fmt == "json":
        (item,) = data(response)
        number = item["service_request_id"]
        assert item["account_id"] is None and "token" not in item
        assert "15 working days" in item["service_notice"]
    else:
        root = xml(response)
        assert root.tag == "service_requests"
        number = root.findtext("request/service_request_id")
        assert root.find("request/token") is None
    complaint = Complaint.objects.get(number=number)
    assert complaint.channel == Complaint.Channel.HOTLINE
    assert complaint.category.code == "attitude"
    assert complaint.complainant_name == "李四"
    assert complaint.complainant_phone == "13912345678"
    assert complaint.address == "张家港市人民中路1号"
    assert str(complaint.lat) == "31.870000"
    assert complaint.source_system == row.name
    assert Submission.objects.get(complaint=complaint).key == row
    assert AuditEntry.objects.filter(action="complaint.registered", object_id=str(complaint.pk))
    row.refresh_from_db()
    assert row.last_used_at is not None


def test_it_takes_the_subject_and_the_partners_number_from_the_attributes(client, personas, key):
    window = personas.window
    fields = {
        "attribute[hall]": personas.hall.code,
        "attribute[window_number]": str(window.number),
        "attribute[external_id]": "HL-2026-0001",
    }
    first = data(post(client, api_key=key[1], **fields))[0]["service_request_id"]
    again = data(post(client, api_key=key[1], **fields))[0]["service_request_id"]
    assert first == again
    complaint = Complaint.objects.get(number=first)
    assert complaint.hall == personas.hall
    assert complaint.subject_window == window
    assert complaint.external_id == "HL-2026-0001"
    assert Complaint.objects.count() == 1 and Submission.objects.count() == 1


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_batch_key_gets_a_token_and_the_token_names_the_request(client, personas, fmt):
    _row, secret = make_key("city-app", Complaint.Channel.PARTNER, batch=True)
    response = post(client, fmt, api_key=secret)
    assert response.status_code == 200
    if fmt == "json":
        (item,) = data(response)
        token = item["token"]
        assert "service_request_id" not in item
    else:
        root = xml(response)
        token = root.findtext("request/token")
        assert root.find("request/service_request_id") is None
    complaint = Complaint.objects.get()
    assert complaint.channel == Complaint.Channel.PARTNER
    answer = client.get(f"{BASE}tokens/{token}.{fmt}")
    assert answer.status_code == 200
    if fmt == "json":
        assert data(answer) == [{"service_request_id": complaint.number, "token": token}]
    else:
        root = xml(answer)
        assert root.findtext("request/service_request_id") == complaint.number
        assert root.findtext("request/token") == token


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_it_answers_an_unknown_token_404(client, fmt):
    response = client.get(f"{BASE}tokens/nosuch.{fmt}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert errors(response, fmt) == [("404", "token nosuch was not found.")]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("api_key", [None, "", "o311_wrong", "ow_someone-elses-api-token"])
def test_it_refuses_a_post_without_a_valid_key_403_and_changes_nothing(
    client, personas, key, fmt, api_key
):
    audit = AuditEntry.objects.count()
    response = post(client, fmt, api_key=api_key)
    assert response.status_code == 403
    assert errors(response, fmt) == [("403", "api_key is missing or invalid.")]
    assert not Complaint.objects.exists() and not Submission.objects.exists()
    assert AuditEntry.objects.count() == audit


def test_it_refuses_a_revoked_key(client, personas, key):
    revoke_key(actor=None, key=key[0])
    response = post(client, api_key=key[1])
    assert response.status_code == 403
    assert not Complaint.objects.exists()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_it_refuses_an_unknown_service_code_404_and_changes_nothing(client, personas, key, fmt):
    response = post(client, fmt, api_key=key[1], service_code="nosuch")
    assert response.status_code == 404
    assert errors(response, fmt) == [("404", "service_code nosuch was not found.")]
    assert not Complaint.objects.exists()


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"service_code": ""}, "service_code was not provided."),
        (
            {"address_string": ""},
            "A location is required: lat and long, address_string or address_id.",
        ),
        ({"lat": "31.8"}, "lat and long must be sent together."),
        ({"attribute[hall]": "NOPE"}, "attribute[hall]: there is no hall NOPE."),
        ({"description": ""}, "description: Write what the complaint is about."),
        ({"lat": "north", "long": "120"}, "lat: Give a number in degrees."),
        ({"media_url": "javascript:alert(1)"}, "media_url: Give a web address (http or https)."),
        (
            {"phone": "", "email": ""},
            "phone: Give a phone number or an e-mail address so that we can answer you.",
        ),
        (
            {"attribute[case_number]": "NOCASE"},
            "attribute[case_number]: There is no case with the number NOCASE. "
            "Check the number on your receipt.",
        ),
    ],
)
def test_it_refuses_bad_input_400_with_the_reason_and_changes_nothing(
    client, personas, key, fields, message
):
    audit = AuditEntry.objects.count()
    response = post(client, api_key=key[1], **fields)
    assert response.status_code == 400
    assert ("400", message) in errors(response, "json")
    assert not Complaint.objects.exists()
    assert AuditEntry.objects.count() == audit


def test_it_translates_the_errors_into_chinese_by_default(client, personas):
    response = client.post(f"{BASE}requests.xml", {"service_code": "attitude"})
    assert response.status_code == 403
    ((code, description),) = errors(response, "xml")
    assert code == "403" and description == "api_key 缺失或无效。"


def test_it_checks_a_given_jurisdiction(client, personas, key):
    assert client.get(f"{BASE}services.json?jurisdiction_id=zjg.gov.cn").status_code == 200
    response = client.get(f"{BASE}services.xml?jurisdiction_id=elsewhere.gov")
    assert response.status_code == 404
    assert errors(response, "xml")[0][0] == "404"
    assert post(client, api_key=key[1], jurisdiction_id="elsewhere.gov").status_code == 404
    assert not Complaint.objects.exists()


def test_it_holds_off_a_client_guessing_keys(client, personas, key, settings):
    settings.ONEWINDOW_OPEN311_BAD_KEYS_PER_MINUTE = 3
    for _attempt in range(3):
        assert post(client, api_key="o311_guess").status_code == 403
    response = post(client, api_key=key[1])
    assert response.status_code == 429
    assert errors(response, "json")[0][0] == "429"
    assert not Complaint.objects.exists()


def test_it_holds_off_a_key_that_posts_too_often(client, personas, key, settings):
    settings.ONEWINDOW_OPEN311_POSTS_PER_MINUTE = 2
    assert post(client, api_key=key[1]).status_code == 200
    assert post(client, api_key=key[1]).status_code == 200
    assert post(client, api_key=key[1]).status_code == 429
    assert Complaint.objects.count() == 2
    assert PostAttempt.objects.filter(kind="posted").count() == 2


def test_a_post_needs_no_csrf_token(personas, key):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert post(strict, api_key=key[1]).status_code == 200


def test_html_in_the_text_is_kept_as_given_and_escaped_in_both_formats(client, personas, key):
    number = data(post(client, api_key=key[1], description=SCRIPT))[0]["service_request_id"]
    assert Complaint.objects.get(number=number).content == SCRIPT
    raw = client.get(f"{BASE}requests/{number}.json?api_key={key[1]}").content.decode()
    assert "<script>" not in raw
    assert json.loads(raw)[0]["description"] == SCRIPT
    raw = client.get(f"{BASE}requests/{number}.xml?api_key={key[1]}").content.decode()
    assert "<script>" not in raw and "&lt;script&gt;" in raw
    assert ET.fromstring(raw.encode()).findtext("request/description") == SCRIPT


# ------------------------------------------------------------------------ GET requests


def _ids(response, fmt):
    if fmt == "json":
        return [r["service_request_id"] for r in data(response)]
    return [r.findtext("service_request_id") for r in xml(response).findall("request")]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_it_shows_a_request_with_the_specs_fields_and_nothing_personal(
    client, personas, monday, fmt
):
    complaint = make_complaint(
        personas,
        complainant_email="lisi@example.com",
        complainant_id_number="110101199003074573",
        address="人民中路1号",
        lat="31.87",
        long="120.55",
        media_url="https://example.com/p.jpg",
    )
    response = client.get(f"{BASE}requests/{complaint.number}.{fmt}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    for value in PERSONAL:
        assert value not in response.content.decode()
    if fmt == "json":
        (item,) = data(response)
    else:
        root = xml(response)
        assert root.tag == "service_requests"
        item = {child.tag: child.text for child in root.find("request")}
    assert item["service_request_id"] == complaint.number
    assert item["status"] == "open"
    assert item["status_notes"] == "Registered"
    assert item["service_code"] == "attitude"
    assert item["service_name"] == "Service attitude"
    assert item["agency_responsible"] == (personas.hall.name_en or personas.hall.name)
    assert item["requested_datetime"] == "2026-03-02T10:00:00+08:00"
    assert item["updated_datetime"] == "2026-03-02T10:00:00+08:00"
    expected = dt.date.fromisoformat(item["expected_datetime"][:10])
    assert expected == complaint.answer_due
    assert item["expected_datetime"].endswith("T23:59:59+08:00")
    assert item["address"] == "人民中路1号"
    assert float(item["lat"]) == 31.87 and float(item["long"]) == 120.55
    assert item["description"] in (None, "") and item["media_url"] in (None, "")


def test_the_partner_that_posted_a_request_sees_its_text_and_media(client, personas, key):
    number = data(post(client, api_key=key[1], media_url="https://example.com/p.jpg"))[0][
        "service_request_id"
    ]
    (public,) = data(client.get(f"{BASE}requests/{number}.json"))
    assert public["description"] is None and public["media_url"] is None
    (own,) = data(client.get(f"{BASE}requests/{number}.json?api_key={key[1]}"))
    assert own["description"] == "窗口工作人员态度生硬"
    assert own["media_url"] == "https://example.com/p.jpg"
    _other, other_key = make_key("city-app", Complaint.Channel.PARTNER)
    (other,) = data(client.get(f"{BASE}requests/{number}.json?api_key={other_key}"))
    assert other["description"] is None


def test_an_answered_complaint_is_closed_and_a_reopened_one_open_again(client, personas, monday):
    complaint = take_to(personas, make_complaint(personas), "answered")
    (item,) = data(client.get(f"{BASE}requests/{complaint.number}.json"))
    assert item["status"] == "closed"
    assert item["expected_datetime"] is None
    assert item["updated_datetime"] >= item["requested_datetime"]
    from onewindow.complaints.services import reopen

    reopen(complaint=complaint, reason="还是没解决")
    (item,) = data(client.get(f"{BASE}requests/{complaint.number}.json"))
    assert item["status"] == "open"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_it_answers_an_unknown_request_404(client, fmt):
    response = client.get(f"{BASE}requests/TS2026999999.{fmt}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert errors(response, fmt) == [("404", "service_request_id TS2026999999 was not found.")]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_it_filters_requests_by_the_specs_parameters(client, personas, monday, fmt):
    first = make_complaint(personas)
    monday.move_to(at("2026-03-03"))
    second = make_complaint(personas, category="overdue")
    take_to(personas, second, "closed")
    monday.move_to(at("2026-03-10"))

    def ids(query=""):
        response = client.get(f"{BASE}requests.{fmt}?{query}")
        assert response.status_code == 200
        return _ids(response, fmt)

    assert ids() == [second.number, first.number]  # newest first
    assert ids("status=open") == [first.number]
    assert ids("status=closed") == [second.number]
    assert ids("status=open,closed") == [second.number, first.number]
    assert ids("service_code=overdue") == [second.number]
    assert ids("service_code=attitude,overdue") == [second.number, first.number]
    assert ids("start_date=2026-03-03T00:00:00%2B08:00") == [second.number]
    assert ids("end_date=2026-03-02T12:00:00Z") == [first.number]
    assert ids("start_date=2026-03-01T00:00:00Z&end_date=2026-03-02T12:00:00Z") == [first.number]
    # service_request_id overrides the other filters
    assert ids(f"service_request_id={first.number},{second.number}&status=closed") == [
        second.number,
        first.number,
    ]


def test_it_shows_the_last_90_days_by_default(client, personas, monday):
    old = make_complaint(personas)
    monday.move_to(at("2026-06-15"))
    recent = make_complaint(personas)
    assert _ids(client.get(f"{BASE}requests.json"), "json") == [recent.number]
    assert old.number in _ids(
        client.get(f"{BASE}requests.json?start_date=2026-03-01T00:00:00Z"), "json"
    )


def test_it_lists_at_most_1000_requests(client, personas, monday, settings):
    from onewindow.open311 import views

    views.MAX_REQUESTS, saved = 3, views.MAX_REQUESTS
    try:
        for _n in range(4):
            make_complaint(personas)
        assert len(data(client.get(f"{BASE}requests.json"))) == 3
    finally:
        views.MAX_REQUESTS = saved
    assert saved == 1000


@pytest.mark.parametrize(
    "query, message",
    [
        ("start_date=yesterday", "start_date must be a w3 date and time with its time zone"),
        ("end_date=2026-03-01T00:00:00", "end_date must be a w3 date and time with its time zone"),
        (
            "start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z",
            "start_date and end_date may not be more than 90 days apart.",
        ),
        (
            "start_date=2026-03-02T00:00:00Z&end_date=2026-03-01T00:00:00Z",
            "end_date is before start_date.",
        ),
        ("status=pending", "status must be open, closed or both (comma separated)."),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_it_refuses_bad_filters_400(client, fmt, query, message):
    response = client.get(f"{BASE}requests.{fmt}?{query}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    ((code, description),) = errors(response, fmt)
    assert code == "400" and description.startswith(message)


def test_a_list_of_requests_takes_one_query(client, personas, monday, django_assert_num_queries):
    for _n in range(5):
        make_complaint(personas)
    with django_assert_num_queries(1):
        response = client.get(f"{BASE}requests.json")
    assert len(data(response)) == 5


def test_other_methods_and_formats_are_refused(client):
    assert client.delete(f"{BASE}requests.json").status_code == 405
    assert client.post(f"{BASE}services.json").status_code == 405
    assert client.get(f"{BASE}services.html").status_code == 404
