"""POST /api/v1/exchange/events: cases handled in department systems, pushed event by
event; idempotent, in order, and changing the case like the services would."""

import pytest

from onewindow.audit.models import AuditEntry
from onewindow.cases.models import Case, CaseEvent

from .factories import resident_id, with_wrong_check_char
from .test_api import Api

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def api(client):
    return Api(client)


@pytest.fixture
def system(personas):
    """The department system's account: a handler of the vehicle sub-centre."""
    return personas.handler


def first_event(personas, item, **over):
    body = {
        "idempotency_key": "GA-1001-1",
        "case": {
            "hall": personas.hall.code,
            "external_number": "GA2026001001",
            "item": item.implementation_code,
            "applicant_kind": "person",
            "applicant_name": "李四",
            "applicant_id_number": resident_id(),
            "contact_phone": "13812345678",
        },
        "seq": 1,
        "kind": "received",
        "at": "2026-03-02T09:15:00+08:00",
        "actor_name": "车管所系统 张警官",
        "data": {"channel": "车管所业务系统"},
    }
    body.update(over)
    return body


def event(personas, seq, kind, at, data=None, key=None):
    return {
        "idempotency_key": key or f"GA-1001-{seq}",
        "case": {"hall": personas.hall.code, "external_number": "GA2026001001"},
        "seq": seq,
        "kind": kind,
        "at": at,
        "actor_name": "张警官",
        "data": data or {},
    }


def post(api, user, body, lang="en"):
    return api.post(user, "/exchange/events", body, lang=lang)


def test_it_creates_a_case_from_the_first_event(api, system, personas, item, monday):
    status, body = post(api, system, first_event(personas, item))
    assert status == 201, body
    assert body == {
        "idempotency_key": "GA-1001-1",
        "case": {"number": "CG-GA2026001001", "hall": "CG", "external_number": "GA2026001001"},
        "seq": 1,
        "kind": "received",
        "at": "2026-03-02T09:15:00+08:00",
        "status": "received",
    }
    case = Case.objects.get(number="CG-GA2026001001")
    assert (case.source, case.status, case.item, case.department) == (
        "exchange",
        "received",
        item,
        personas.department,
    )
    e = case.events.get()
    assert (e.seq, e.external_key, e.actor) == (1, "GA-1001-1", system)
    assert e.data["actor_name"] == "车管所系统 张警官" and e.data["channel"] == "车管所业务系统"
    assert AuditEntry.objects.filter(
        action="case.exchange_received", object_id=str(case.pk)
    ).exists()


def test_it_stores_the_same_event_once(api, system, personas, item, monday):
    first = post(api, system, first_event(personas, item))
    again = post(api, system, first_event(personas, item))
    assert first[0] == 201 and again == (200, first[1])
    post(api, system, event(personas, 2, "accepted", "2026-03-02T09:20:00+08:00"))
    replay = post(api, system, event(personas, 2, "accepted", "2026-03-02T09:20:00+08:00"))
    assert replay[0] == 200 and replay[1]["status"] == "accepted"
    # Later events do not change the answer to an earlier one sent again.
    post(
        api,
        system,
        event(personas, 3, "step_decided", "2026-03-02T09:40:00+08:00", {"step": "审核"}),
    )
    assert post(api, system, first_event(personas, item)) == (200, first[1])
    assert CaseEvent.objects.count() == 3
    assert Case.objects.get().version == 3


def test_it_rejects_an_event_out_of_order(api, system, personas, item, monday):
    post(api, system, first_event(personas, item))
    status, body = post(api, system, event(personas, 3, "accepted", "2026-03-02T09:20:00+08:00"))
    assert status == 409
    assert (body["code"], body["expected_seq"]) == ("out_of_order", 2)
    assert "seq 2" in body["message"]
    # A second "first" event for the same case under another key.
    status, body = post(api, system, first_event(personas, item, idempotency_key="GA-1001-other"))
    assert (status, body["code"], body["expected_seq"]) == (409, "out_of_order", 2)
    # An event of a case that was never received.
    other = event(personas, 2, "accepted", "2026-03-02T09:20:00+08:00")
    other["case"]["external_number"] = "GA-UNKNOWN"
    status, body = post(api, system, other)
    assert (status, body["expected_seq"]) == (409, 1)
    case = Case.objects.get()
    assert case.status == "received" and case.events.count() == 1


def test_it_rejects_a_key_reused_for_another_event(api, system, personas, item, monday):
    post(api, system, first_event(personas, item))
    status, body = post(
        api, system, event(personas, 2, "accepted", "2026-03-02T09:20:00+08:00", key="GA-1001-1")
    )
    assert (status, body["code"]) == (409, "idempotency_conflict")
    assert Case.objects.get().status == "received"


def test_it_follows_the_life_cycle_with_the_legal_clock(api, system, personas, item, monday):
    post(api, system, first_event(personas, item))
    status, body = post(api, system, event(personas, 2, "accepted", "2026-03-02T09:20:00+08:00"))
    assert (status, body["status"]) == (201, "accepted")
    case = Case.objects.get()
    assert str(case.accepted_on) == "2026-03-02"
    assert (str(case.promised_due_date), str(case.legal_due_date)) == ("2026-03-16", "2026-03-30")
    accepted = case.events.get(seq=2)
    assert (accepted.from_status, accepted.to_status) == ("received", "accepted")
    assert accepted.data["promised_due_date"] == "2026-03-16"
    monday.move_to("2026-03-06T10:00:00+08:00")
    status, body = post(
        api,
        system,
        event(
            personas,
            3,
            "step_decided",
            "2026-03-04T10:00:00+08:00",
            {"step": "审批", "decision": "approve"},
        ),
    )
    assert (status, body["status"]) == (201, "accepted")
    status, body = post(
        api,
        system,
        event(
            personas,
            4,
            "concluded",
            "2026-03-05T15:00:00+08:00",
            {"result": "granted", "certificate_number": "苏E12345"},
        ),
    )
    assert (status, body["status"]) == (201, "concluded"), body
    status, body = post(
        api,
        system,
        event(personas, 5, "delivered", "2026-03-06T09:00:00+08:00", {"method": "post"}),
    )
    assert (status, body["status"]) == (201, "delivered")
    case.refresh_from_db()
    assert (case.result, case.certificate_number, case.outcome_promised, case.outcome_legal) == (
        "granted",
        "苏E12345",
        "early",
        "early",
    )
    assert (case.working_days_used, case.delivery_method) == (3, "post")
    assert list(case.events.values_list("seq", flat=True)) == [1, 2, 3, 4, 5]


def test_it_moves_the_due_dates_for_suspensions_and_extensions(api, system, personas, item, monday):
    post(api, system, first_event(personas, item))
    post(api, system, event(personas, 2, "accepted", "2026-03-02T09:20:00+08:00"))
    monday.move_to("2026-03-12T10:00:00+08:00")
    status, body = post(
        api,
        system,
        event(
            personas,
            3,
            "suspended",
            "2026-03-03T10:00:00+08:00",
            {"procedure": "testing", "reason": "委托检验检测", "max_days": 10},
        ),
    )
    assert (status, body["status"]) == (201, "suspended"), body
    post(api, system, event(personas, 4, "resumed", "2026-03-06T10:00:00+08:00"))
    case = Case.objects.get()
    assert (case.status, case.suspended_days, str(case.promised_due_date)) == (
        "accepted",
        3,
        "2026-03-19",
    )
    status, body = post(
        api,
        system,
        event(personas, 5, "extended", "2026-03-09T10:00:00+08:00", {"days": 11, "reason": "会签"}),
    )
    assert status == 400 and "data.days" in body["errors"]
    status, body = post(
        api,
        system,
        event(personas, 5, "extended", "2026-03-09T10:00:00+08:00", {"days": 5, "reason": "会签"}),
    )
    assert status == 201, body
    case.refresh_from_db()
    assert (case.extension_days, str(case.promised_due_date), str(case.legal_due_date)) == (
        5,
        "2026-03-26",
        "2026-04-10",
    )  # Qingming: 6 April off


def test_it_rejects_a_transition_the_life_cycle_forbids(api, system, personas, item, monday):
    post(api, system, first_event(personas, item))
    status, body = post(
        api,
        system,
        event(personas, 2, "delivered", "2026-03-02T09:20:00+08:00", {"method": "post"}),
    )
    assert (status, body["code"]) == (409, "transition_not_allowed")
    status, body = post(
        api,
        system,
        event(personas, 2, "concluded", "2026-03-02T09:20:00+08:00", {"result": "granted"}),
    )
    assert (status, body["code"]) == (409, "transition_not_allowed")
    assert Case.objects.get().events.count() == 1


def test_it_refuses_bad_input_with_field_errors(api, system, personas, item, monday):
    body = first_event(personas, item)
    body["case"]["applicant_id_number"] = with_wrong_check_char(resident_id())
    body["case"]["item"] = "NO-SUCH-ITEM"
    status, out = post(api, system, body)
    assert status == 400
    assert {"case.applicant_id_number", "case.item"} <= set(out["errors"])
    status, out = post(api, system, first_event(personas, item, at="2026-03-03T09:00:00+08:00"))
    assert status == 400 and "at" in out["errors"]  # in the future
    status, out = post(api, system, first_event(personas, item, kind="teleported"))
    assert status == 400 and "kind" in out["errors"]
    status, out = post(api, system, event(personas, 1, "accepted", "2026-03-02T09:20:00+08:00"))
    assert status == 400 and "seq" in out["errors"]
    post(api, system, first_event(personas, item))
    status, out = post(api, system, event(personas, 2, "accepted", "2026-03-02T09:00:00+08:00"))
    assert status == 400 and "at" in out["errors"]  # before the received event
    status, out = post(api, system, event(personas, 2, "refused", "2026-03-02T09:30:00+08:00"))
    assert status == 400 and "data.reason" in out["errors"]
    assert Case.objects.get().events.count() == 1


def test_it_keeps_halls_apart_and_checks_the_role(api, client, system, personas, item, monday):
    status, body = post(api, personas.outsider, first_event(personas, item))
    assert (status, body["code"]) == (404, "not_found")
    status, body = post(api, personas.supervisor, first_event(personas, item))
    assert (status, body["code"]) == (403, "not_permitted")
    r = client.post(
        "/api/v1/exchange/events", first_event(personas, item), content_type="application/json"
    )
    assert r.status_code == 401
    assert not Case.objects.exists()
    post(api, system, first_event(personas, item))
    status, body = post(
        api, personas.outsider, event(personas, 2, "accepted", "2026-03-02T09:20:00+08:00")
    )
    assert status == 404
    assert Case.objects.get().status == "received"


def test_it_answers_in_the_requested_language(api, system, personas, item, monday):
    post(api, system, first_event(personas, item))
    _s, en = post(
        api, system, event(personas, 5, "accepted", "2026-03-02T09:20:00+08:00"), lang="en"
    )
    _s, zh = post(
        api, system, event(personas, 5, "accepted", "2026-03-02T09:20:00+08:00"), lang="zh-hans"
    )
    assert "out of order" in en["message"]
    assert zh["message"] != en["message"] and "2" in zh["message"]


def test_its_cases_can_be_looked_up_by_the_public(api, client, system, personas, item, monday):
    body = first_event(personas, item)
    body["case"]["external_number"] = "ga-2026-77"
    status, out = post(api, system, body)
    assert (status, out["case"]["number"]) == (201, "CG-GA-2026-77")
    case = Case.objects.get()
    r = client.get(f"/status/cg-ga-2026-77/?code={case.query_code.lower()}")
    assert r.status_code == 200 and "CG-GA-2026-77" in r.content.decode()
