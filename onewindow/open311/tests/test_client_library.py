"""A real Open311 client from PyPI (georeport) against a live server: our answers must
read as any GeoReport v2 endpoint's do. georeport does not post, so the POST goes
through the standard library's urllib, as a partner system's plain HTTP client would."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from georeport import GeoReport

from onewindow.complaints.models import Complaint

from .factories import make_key

# A live server needs committed rows; the seeded categories come back after the flush
# (complaints.apps: core.seeding).
pytestmark = pytest.mark.django_db(transaction=True)


def _post(url: str, fields: dict) -> tuple[int, object]:
    body = urllib.parse.urlencode(fields).encode()
    request = urllib.request.Request(
        url,
        data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_pypi_client_reads_services_definitions_and_requests(live_server, personas, fmt):
    root = f"{live_server.url}/open311/v2"
    _row, secret = make_key()
    status, answer = _post(
        f"{root}/requests.json",
        {
            "api_key": secret,
            "jurisdiction_id": "zjg.gov.cn",
            "service_code": "attitude",
            "description": "窗口工作人员态度生硬 <b>",
            "address_string": "人民中路1号",
            "lat": "31.87",
            "long": "120.55",
            "phone": "13912345678",
            "first_name": "四",
            "last_name": "李",
        },
    )
    assert status == 200
    number = answer[0]["service_request_id"]
    assert Complaint.objects.get(number=number).channel == Complaint.Channel.HOTLINE

    client = GeoReport(root, jurisdiction="zjg.gov.cn", output_format=fmt)
    services = client.get_service_list()
    assert "attitude" in [s["service_code"] for s in services]
    definition = client.get_service_definition("attitude")
    attributes = definition["attributes"]
    if fmt == "xml":
        attributes = attributes["attribute"]
    assert [a["code"] for a in attributes][:2] == ["case_number", "hall"]

    requests = client.get_service_requests(status="open", service_code="attitude")
    if fmt == "xml":  # xmltodict gives one request as a dict, several as a list
        requests = requests if isinstance(requests, list) else [requests]
    assert [r["service_request_id"] for r in requests] == [number]
    one = client.get_service_request(number)
    assert one["service_request_id"] == number
    assert one["status"] == "open"
    assert str(one["lat"]) == "31.87"
    for personal in ("李四", "13912345678"):
        assert personal not in json.dumps(one, ensure_ascii=False)


def test_a_pypi_client_sees_the_specs_errors(live_server, personas):
    import requests as http

    root = f"{live_server.url}/open311/v2"
    client = GeoReport(root, output_format="json")
    with pytest.raises(http.HTTPError) as raised:
        client.get_service_definition("nosuch")
    assert raised.value.response.status_code == 404
    assert raised.value.response.json()[0]["code"] == 404
    status, answer = _post(f"{root}/requests.json", {"service_code": "attitude"})
    assert status == 403 and answer[0]["code"] == 403
    assert not Complaint.objects.exists()
