"""The floor API: issue, read, call at the signed-in window, and its refusals in the one
error format."""

import pytest
from django.test import Client

from onewindow.cases.tests.factories import resident_id
from onewindow.floor import services
from onewindow.floor.models import Ticket

pytestmark = pytest.mark.django_db


def api(user=None):
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    if user is not None:
        c.force_login(user)
    return c


def post(c, path, body):
    return c.post("/api/v1/floor" + path, body, content_type="application/json")


def test_it_issues_calls_and_finishes_through_the_api(personas, floor, monday):
    c = api(personas.clerk)
    r = post(c, "/tickets", {"hall": "CG", "category": "A", "id_number": resident_id()})
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["number"] == "A001" and body["id_number"].count("*") >= 8
    assert body["people_ahead"] == 0 and body["status"] == "waiting"
    got = api(personas.clerk).get(f"/api/v1/floor/tickets/{body['token']}")
    assert got.status_code == 200 and got.json()["number"] == "A001"
    services.sign_in(actor=personas.clerk, window=floor["w1"])
    r = post(c, "/window/call-next", {})
    assert r.status_code == 200 and r.json()["ticket"]["window"] == 1
    assert post(c, "/window/recall", {"window": 1}).json()["ticket"]["calls"] == 2
    assert post(c, "/window/done", {}).json()["ticket"]["status"] == "done"
    assert post(c, "/window/call-next", {}).json() == {"ticket": None}
    waiting = api().get("/api/v1/floor/halls/CG/waiting").json()
    assert waiting[0]["category"] == "A" and waiting[0]["waiting"] == 0
    listed = c.get("/api/v1/floor/tickets?hall=CG&status=done").json()
    assert [t["number"] for t in listed] == ["A001"]


def test_the_api_refuses_bad_input_in_the_one_error_format(personas, floor, monday):
    c = api(personas.clerk)
    services.issue_ticket(hall=personas.hall, category=floor["A"])
    services.sign_in(actor=personas.clerk, window=floor["w1"])
    r = post(c, "/window/call-next", {"window": 2})
    assert r.status_code == 409 and r.json()["code"] == "not_signed_in"
    assert "未在此窗口签到" in r.json()["message"]
    assert Ticket.objects.get().status == "waiting"
    r = c.get("/api/v1/floor/tickets?hall=CG&status=lost")
    assert r.status_code == 422 and set(r.json()) >= {"code", "message", "errors"}
    r = post(c, "/tickets", {"hall": "CG", "category": "A", "priority": "vip"})
    assert r.status_code == 422
    floor["B"].is_active = False
    floor["B"].save()
    post(c, "/window/call-next", {})
    r = post(c, "/window/transfer", {"category": "B"})
    assert r.status_code == 400 and "已关闭" in r.json()["errors"]["category"]
    assert Ticket.objects.get().status == "called"
    floor["A"].daily_limit_per_id = 1
    floor["A"].save()
    number = resident_id()
    assert (
        post(c, "/tickets", {"hall": "CG", "category": "A", "id_number": number}).status_code == 201
    )
    r = post(c, "/tickets", {"hall": "CG", "category": "A", "id_number": number})
    assert r.status_code == 409 and r.json()["code"] == "daily_limit"
    assert Ticket.objects.count() == 2


def test_the_api_hides_another_halls_tickets_and_turns_away_who_may_not_serve(
    personas, floor, monday
):
    ticket = services.issue_ticket(hall=personas.hall, category=floor["A"])
    r = api(personas.outsider).get(f"/api/v1/floor/tickets/{ticket.token}")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    r = post(api(personas.handler), "/window/call-next", {})
    assert r.status_code == 403 and r.json()["code"] == "not_permitted"
    r = post(api(personas.outsider), "/tickets", {"hall": "CG", "category": "A"})
    assert r.status_code == 404  # another hall: as unknown
    assert api().get("/api/v1/floor/halls/NOPE/waiting").status_code == 404
    assert Ticket.objects.count() == 1
