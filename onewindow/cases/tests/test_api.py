"""The cases API: intake and every action through HTTP with a bearer token, the optimistic
version, hall scoping, roles, masking and the error format."""

import json
from decimal import Decimal

import pytest
from django.utils import translation

from onewindow.accounts.models import ApiToken
from onewindow.audit.models import AuditEntry
from onewindow.cases import services
from onewindow.cases.models import Case, CaseEvent

from .factories import (
    at,
    credit_code,
    make_accepted_case,
    make_case,
    required_ids,
    resident_id,
    with_wrong_check_char,
)

pytestmark = [pytest.mark.django_db]


class Api:
    """A bearer-token client: api.post(user, path, body) -> (status, json)."""

    def __init__(self, client):
        self.client = client
        self.keys = {}

    def _headers(self, user, lang):
        headers = {"HTTP_ACCEPT_LANGUAGE": lang}
        if user is not None:
            if user.pk not in self.keys:
                self.keys[user.pk] = ApiToken.issue(user)[1]
            headers["HTTP_AUTHORIZATION"] = f"Bearer {self.keys[user.pk]}"
        return headers

    def get(self, user, path, lang="en", **params):
        r = self.client.get(f"/api/v1{path}", params, **self._headers(user, lang))
        return r.status_code, r.json()

    def post(self, user, path, body, lang="en"):
        r = self.client.post(
            f"/api/v1{path}", body, content_type="application/json", **self._headers(user, lang)
        )
        return r.status_code, r.json()


@pytest.fixture
def api(client):
    return Api(client)


def intake(personas, service_item, **over):
    body = {
        "hall": personas.hall.code,
        "item": service_item.implementation_code,
        "applicant_kind": "person",
        "applicant_name": "张三丰",
        "applicant_id_number": resident_id(),
        "contact_phone": "13812345678",
        "window": personas.window.number,
        "provided_material_ids": required_ids(service_item),
    }
    body.update(over)
    return body


# ------------------------------------------------------------------ intake


def test_it_receives_a_case(api, personas, item, monday):
    status, body = api.post(personas.clerk, "/cases", intake(personas, item))
    assert status == 201, body
    assert body["number"].startswith("CG20260302")
    assert (body["status"], body["version"], body["source"]) == ("received", 1, "window")
    assert body["window"] == personas.window.number
    assert body["numbers_masked"] is True and body["query_code"]  # numbers: see reveal
    assert [
        e["kind"] for e in api.get(personas.clerk, f"/cases/{body['number']}")[1]["events"]
    ] == ["received"]
    case = Case.objects.get(number=body["number"])
    assert case.received_by == personas.clerk
    assert AuditEntry.objects.filter(
        action="case.received", object_id=str(case.pk), actor=personas.clerk
    ).exists()


def test_the_state_answer_is_what_the_schema_gives(api, personas, item, monday):
    """create and the actions write their answer directly (cases.api.state_answer): the
    body has exactly the fields of CaseStateOut, with the values ninja's validation
    through the schema would give, for a new, an accepted and a concluded case."""
    from ninja.responses import NinjaJSONEncoder

    from onewindow.cases.api import state
    from onewindow.cases.api_schemas import CaseStateOut

    def through_schema(number):
        case = services.get_case_for(personas.clerk, number)
        with translation.override("en"):  # the language the requests ask for
            dumped = CaseStateOut.model_validate(state(case, personas.clerk)).model_dump()
        return json.loads(json.dumps(dumped, cls=NinjaJSONEncoder))

    status, created = api.post(personas.clerk, "/cases", intake(personas, item))
    assert status == 201
    assert set(created) == set(CaseStateOut.model_fields)
    assert created == through_schema(created["number"])
    status, accepted = api.post(
        personas.clerk, f"/cases/{created['number']}/accept", {"version": created["version"]}
    )
    assert status == 200 and accepted["status"] == "accepted"
    assert accepted == through_schema(created["number"])
    case = Case.objects.get(number=created["number"])
    case.fee_charged = Decimal("12.50")
    case.save(update_fields=["fee_charged"])
    status, decided = api.post(
        personas.handler,
        f"/cases/{case.number}/step/decision",
        {"version": accepted["version"], "decision": "pass", "opinion": "符合条件"},
    )
    assert status == 200, decided
    assert decided == through_schema(case.number) and decided["fee_charged"] == "12.50"


def test_it_returns_the_same_case_for_the_same_intake_key(api, personas, item, monday):
    body = intake(personas, item, intake_key="window-1-form-42")
    status, first = api.post(personas.clerk, "/cases", body)
    assert status == 201
    status, again = api.post(personas.clerk, "/cases", body)
    assert (status, again["number"]) == (200, first["number"])
    assert Case.objects.count() == 1
    status, other = api.post(
        personas.clerk, "/cases", intake(personas, item, intake_key="window-1-form-43")
    )
    assert status == 201 and other["number"] != first["number"]


def test_it_rejects_a_wrong_check_character_with_a_field_error(api, personas, item, monday):
    status, body = api.post(
        personas.clerk,
        "/cases",
        intake(personas, item, applicant_id_number=with_wrong_check_char(resident_id())),
    )
    assert status == 400
    assert body["code"] == "invalid"
    assert "check character" in body["errors"]["applicant_id_number"]
    assert not Case.objects.exists()


def test_it_receives_an_organisation(api, personas, item, monday):
    code = credit_code()
    status, body = api.post(
        personas.clerk,
        "/cases",
        intake(personas, item, applicant_kind="organisation", applicant_id_number=code),
    )
    assert status == 201
    assert body["applicant_id_number"] == code[:4] + "*" * 10 + code[-4:]
    assert body["numbers_masked"] is True


def test_it_answers_404_for_a_hall_that_is_not_yours(api, personas, item, monday):
    status, body = api.post(personas.outsider, "/cases", intake(personas, item))
    assert (status, body["code"]) == (404, "not_found")
    assert not Case.objects.exists()


def test_it_refuses_an_unknown_item_or_window(api, personas, item, monday):
    status, body = api.post(personas.clerk, "/cases", intake(personas, item, item="NO-SUCH-ITEM"))
    assert status == 400 and "item" in body["errors"]
    status, body = api.post(personas.clerk, "/cases", intake(personas, item, window=99))
    assert status == 400 and "window" in body["errors"]


# ------------------------------------------------------------------ actions


def test_it_accepts_a_case_and_starts_the_clock(api, personas, item, monday):
    case = make_case(personas, item)
    status, body = api.post(
        personas.clerk, f"/cases/{case.number}/accept", {"version": case.version}
    )
    assert status == 200, body
    assert body["status"] == "accepted"
    assert body["accepted_on"] == "2026-03-02"
    assert body["promised_due_date"] == "2026-03-16"  # 10 working days after Monday 2 March
    assert body["legal_due_date"] == "2026-03-30"
    assert body["current_step"] == "受理审查" and body["waiting_for"] == "handler"
    assert body["version"] == case.version + 1
    events = api.get(personas.clerk, f"/cases/{case.number}")[1]["events"]
    assert [e["kind"] for e in events][-2:] == ["accepted", "step_assigned"]


def test_it_accepts_with_gaps(api, personas, item, monday):
    gap = item.published_version.materials.get(may_follow_later=True)
    case = make_case(personas, item, provided=[i for i in required_ids(item) if i != gap.pk])
    body = {
        "version": case.version,
        "gaps": {
            "missing_material_ids": [gap.pk],
            "due_date": "2026-03-09",
            "promise": "承诺一周内补交",
        },
    }
    status, out = api.post(personas.clerk, f"/cases/{case.number}/accept", body)
    assert status == 200, out
    assert out["gaps_due_date"] == "2026-03-09"
    materials = api.get(personas.clerk, f"/cases/{case.number}")[1]["materials"]
    assert [m["to_follow"] for m in materials if m["material_id"] == gap.pk] == [True]
    status, out = api.post(
        personas.clerk,
        f"/cases/{case.number}/supply",
        {"version": out["version"], "provided_material_ids": [gap.pk]},
    )
    assert status == 200, out
    assert out["gaps_due_date"] is None


def test_it_refuses_a_case_with_a_reason(api, personas, item, monday):
    case = make_case(personas, item)
    status, body = api.post(
        personas.clerk, f"/cases/{case.number}/refuse", {"version": case.version, "reason": ""}
    )
    assert status == 400 and "reason" in body["errors"]
    status, body = api.post(
        personas.clerk,
        f"/cases/{case.number}/refuse",
        {"version": case.version, "reason": "不属于本机关职权范围"},
    )
    assert status == 200
    assert (body["status"], body["refusal_reason"]) == ("refused", "不属于本机关职权范围")


def test_it_issues_a_correction_notice_and_records_the_supply(api, personas, item, monday):
    missing = required_ids(item)[0]
    case = make_case(personas, item, provided=required_ids(item)[1:])
    status, body = api.post(
        personas.clerk,
        f"/cases/{case.number}/correction",
        {"version": case.version, "items": [missing, "复印件不清晰"]},
    )
    assert status == 200, body
    assert body["status"] == "correction"
    issued = api.get(personas.clerk, f"/cases/{case.number}")[1]["events"][-1]
    assert issued["kind"] == "correction_issued" and "复印件不清晰" in issued["data"]["items"]
    status, body = api.post(
        personas.clerk,
        f"/cases/{case.number}/supply",
        {"version": body["version"], "provided_material_ids": [missing]},
    )
    assert status == 200, body
    assert body["status"] == "received"


def test_it_passes_the_steps_and_concludes_and_delivers(api, personas, item, monday):
    case = make_accepted_case(personas, item)
    version = case.version
    for user, decision in (
        (personas.handler, "pass"),
        (personas.reviewer, "pass"),
        (personas.approver, "approve"),
    ):
        status, body = api.post(
            user,
            f"/cases/{case.number}/step/decision",
            {"version": version, "decision": decision, "opinion": "同意"},
        )
        assert status == 200, body
        version = body["version"]
    assert body["current_step"] is None and body["waiting_for"] == "clerk"
    steps = api.get(personas.clerk, f"/cases/{case.number}")[1]["steps"]
    assert [s["decision"] for s in steps] == ["pass", "pass", "approve"]
    status, body = api.post(
        personas.clerk,
        f"/cases/{case.number}/conclude",
        {
            "version": version,
            "result": "granted",
            "certificate_number": "苏E-2026-0001",
            "fee_charged": "10.00",
        },
    )
    assert status == 200, body
    assert (body["status"], body["outcome_promised"], body["certificate_number"]) == (
        "concluded",
        "early",
        "苏E-2026-0001",
    )
    assert body["fee_charged"] == "10.00"
    status, body = api.post(
        personas.clerk,
        f"/cases/{case.number}/deliver",
        {"version": body["version"], "method": "post"},
    )
    assert status == 200, body
    assert (body["status"], body["delivery_method"]) == ("delivered", "post")


def test_it_sends_a_step_back_and_reassigns(api, personas, item, monday):
    case = make_accepted_case(personas, item)
    status, body = api.post(
        personas.handler,
        f"/cases/{case.number}/step/decision",
        {"version": case.version, "decision": "pass"},
    )
    status, body = api.post(
        personas.reviewer,
        f"/cases/{case.number}/step/decision",
        {
            "version": body["version"],
            "decision": "send_back",
            "opinion": "请补充核查",
            "send_back_to": 1,
        },
    )
    assert status == 200, body
    assert body["current_step"] == "受理审查" and body["waiting_for"] == "handler"
    status, body = api.post(
        personas.manager,
        f"/cases/{case.number}/step/assign",
        {"version": body["version"], "assignee": "nobody"},
    )
    assert status == 400 and "assignee" in body["errors"]


def test_it_extends_suspends_and_resumes(api, personas, item, monday):
    case = make_accepted_case(personas, item)
    status, body = api.post(
        personas.handler,
        f"/cases/{case.number}/extend",
        {"version": case.version, "days": 5, "reason": "需现场核查"},
    )
    assert status == 200, body
    # Asked for: nothing moves until an approver approves it, and not its requester.
    assert (body["extension_days"], body["promised_due_date"]) == (0, "2026-03-16")
    decision = f"/cases/{case.number}/extension/decision"
    status, out = api.post(
        personas.handler, decision, {"version": body["version"], "approve": True}
    )
    assert status == 403, out
    status, body = api.post(
        personas.approver, decision, {"version": body["version"], "approve": True}
    )
    assert status == 200, body
    assert (body["extension_days"], body["promised_due_date"]) == (5, "2026-03-23")
    status, body = api.post(
        personas.handler,
        f"/cases/{case.number}/suspend",
        {"version": body["version"], "kind": "expert_review", "reason": "组织专家评审"},
    )
    assert (status, list(body["errors"])) == (422, ["max_days"])
    status, body = api.post(
        personas.handler,
        f"/cases/{case.number}/suspend",
        {
            "version": case.version + 2,
            "kind": "expert_review",
            "reason": "组织专家评审",
            "max_days": 20,
        },
    )
    assert status == 200, body
    assert (body["status"], body["suspended_since"]) == ("suspended", "2026-03-02")
    status, body = api.post(
        personas.handler, f"/cases/{case.number}/resume", {"version": body["version"]}
    )
    assert status == 200, body
    assert body["status"] == "accepted"


def test_it_handles_an_immediate_item_at_once(api, personas, immediate_item, monday):
    case = make_case(personas, immediate_item)
    status, body = api.post(
        personas.clerk,
        f"/cases/{case.number}/immediate",
        {"version": case.version, "certificate_number": "BL-1"},
    )
    assert status == 200, body
    assert (body["status"], body["minutes_used"], body["outcome_promised"]) == (
        "concluded",
        0,
        "on_time",
    )


def test_it_answers_409_for_a_stale_version_and_changes_nothing(api, personas, item, monday):
    case = make_case(personas, item)
    events = CaseEvent.objects.count()
    status, body = api.post(
        personas.clerk, f"/cases/{case.number}/accept", {"version": case.version - 1 or 99}
    )
    assert status == 409
    assert body["code"] == "stale" and body["current_version"] == case.version
    assert "Someone changed this case" in body["message"]
    case.refresh_from_db()
    assert case.status == "received" and CaseEvent.objects.count() == events
    # The same request twice: the second is stale.
    assert (
        api.post(personas.clerk, f"/cases/{case.number}/accept", {"version": case.version})[0]
        == 200
    )
    status, body = api.post(
        personas.clerk, f"/cases/{case.number}/accept", {"version": case.version}
    )
    assert (status, body["code"]) == (409, "stale")


def test_it_answers_409_for_a_transition_the_life_cycle_forbids(api, personas, item, monday):
    case = make_case(personas, item)
    status, body = api.post(
        personas.clerk, f"/cases/{case.number}/deliver", {"version": case.version, "method": "post"}
    )
    assert (status, body["code"]) == (409, "transition_not_allowed")


def test_it_answers_404_for_another_halls_case(api, personas, item, monday):
    case = make_case(personas, item)
    assert api.get(personas.outsider, f"/cases/{case.number}")[0] == 404
    status, body = api.post(
        personas.outsider, f"/cases/{case.number}/accept", {"version": case.version}
    )
    assert (status, body["code"]) == (404, "not_found")
    # The same answer as for a case that does not exist.
    assert api.post(personas.outsider, "/cases/CG202603029999/accept", {"version": 1}) == (
        status,
        body,
    )
    case.refresh_from_db()
    assert case.status == "received"


def test_it_answers_401_without_a_valid_token(api, client, personas, item, monday):
    case = make_case(personas, item)
    assert client.get(f"/api/v1/cases/{case.number}").status_code == 401
    r = client.post(
        f"/api/v1/cases/{case.number}/accept", {"version": 1}, content_type="application/json"
    )
    assert r.status_code == 401
    r = client.get("/api/v1/cases", HTTP_AUTHORIZATION="Bearer ow_not-a-token")
    assert r.status_code == 401


def test_it_answers_403_for_a_role_that_does_not_handle_cases(api, personas, item, monday):
    case = make_case(personas, item)
    assert api.get(personas.supervisor, f"/cases/{case.number}")[0] == 200  # sees every hall
    status, body = api.post(
        personas.supervisor, f"/cases/{case.number}/accept", {"version": case.version}
    )
    assert (status, body["code"]) == (403, "not_permitted")
    status, body = api.post(personas.supervisor, "/cases", intake(personas, item))
    assert status == 403
    case.refresh_from_db()
    assert case.status == "received"


def test_it_answers_403_when_the_step_waits_for_someone_else(api, personas, item, monday):
    case = make_accepted_case(personas, item)
    status, body = api.post(
        personas.reviewer,
        f"/cases/{case.number}/step/decision",
        {"version": case.version, "decision": "pass"},
    )
    assert (status, body["code"]) == (403, "not_permitted")


def test_it_masks_personal_numbers_unless_a_handler_reveals_them(api, personas, item, monday):
    number = resident_id()
    case = make_case(personas, item, id_number=number, contact_phone="13912345678")
    masked = (number[:6] + "********" + number[-4:], "139****5678", True)
    _status, own = api.get(personas.clerk, f"/cases/{case.number}")
    assert (own["applicant_id_number"], own["contact_phone"], own["numbers_masked"]) == masked
    assert own["query_code"] == case.query_code
    _status, shown = api.get(personas.clerk, f"/cases/{case.number}?reveal=true")
    assert (shown["applicant_id_number"], shown["contact_phone"], shown["numbers_masked"]) == (
        number,
        "13912345678",
        False,
    )
    for user in (personas.supervisor, personas.admin):
        status, other = api.get(user, f"/cases/{case.number}")
        assert status == 200
        assert (other["applicant_id_number"], other["contact_phone"]) == masked[:2]
        assert other["numbers_masked"] is True and other["query_code"] is None
        status, page = api.get(user, "/cases")
        assert page["results"][0]["applicant_id_number"] != number


def test_it_translates_errors_to_the_requested_language(api, personas, item, monday):
    case = make_case(personas, item)
    _s, en = api.post(
        personas.clerk,
        f"/cases/{case.number}/deliver",
        {"version": case.version, "method": "post"},
        lang="en",
    )
    _s, zh = api.post(
        personas.clerk,
        f"/cases/{case.number}/deliver",
        {"version": case.version, "method": "post"},
        lang="zh-hans",
    )
    assert en["code"] == zh["code"] == "transition_not_allowed"
    assert en["message"].startswith("You cannot")
    assert zh["message"] != en["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh["message"])
    _s, zh404 = api.get(personas.outsider, f"/cases/{case.number}", lang="zh-hans")
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh404["message"])


# ------------------------------------------------------------------ reading


def test_it_lists_the_cases_of_the_users_halls_with_filters(
    api, personas, item, immediate_item, monday
):
    from onewindow.cases.tests.factories import make_item

    other_item = make_item(personas.other_department, [personas.other_hall])
    first = make_accepted_case(personas, item)
    second = make_case(personas, immediate_item)
    make_case(personas, other_item, hall=personas.other_hall, actor=personas.outsider, window=None)
    status, page = api.get(personas.clerk, "/cases")
    assert status == 200
    assert page["count"] == 2 and [r["number"] for r in page["results"]] == [
        second.number,
        first.number,
    ]
    assert api.get(personas.clerk, "/cases", status="accepted")[1]["count"] == 1
    assert api.get(personas.clerk, "/cases", item=immediate_item.implementation_code)[1]["results"][
        0
    ]["number"] == (second.number)
    assert api.get(personas.clerk, "/cases", received_since="2026-03-03")[1]["count"] == 0
    assert api.get(personas.clerk, "/cases", received_until="2026-03-02")[1]["count"] == 2
    assert (
        api.get(personas.clerk, "/cases", hall="MZ")[1]["count"] == 0
    )  # not one of the clerk's halls
    assert api.get(personas.admin, "/cases")[1]["count"] == 3
    paged = api.get(personas.admin, "/cases", page_size=2, page=2)[1]
    assert (paged["pages"], len(paged["results"])) == (2, 1)
    assert api.get(personas.clerk, "/cases", page_size=500)[0] == 422


def test_it_lists_overdue_cases(api, personas, item, monday):
    case = make_accepted_case(personas, item)
    assert api.get(personas.clerk, "/cases", overdue=True)[1]["count"] == 0
    monday.move_to(at("2026-03-17"))  # one working day past the promised date
    page = api.get(personas.clerk, "/cases", overdue=True)[1]
    assert [r["number"] for r in page["results"]] == [case.number]
    assert page["results"][0]["overdue"] is True and page["results"][0]["days_left"] == -1
    assert api.get(personas.clerk, "/cases", overdue=False)[1]["count"] == 0


def test_it_shows_a_case_with_its_events(api, personas, item, monday):
    case = make_accepted_case(personas, item)
    status, body = api.get(personas.handler, f"/cases/{case.number}")
    assert status == 200
    assert [e["seq"] for e in body["events"]] == [1, 2, 3]
    assert [e["kind"] for e in body["events"]] == ["received", "accepted", "step_assigned"]
    assert body["events"][1]["actor"] == "clerk"
    assert body["days_left"] == 10


def test_it_lists_cases_without_a_query_per_row(
    api, personas, item, monday, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_accepted_case(personas, item)
    api.get(personas.clerk, "/cases")  # the token is issued, the calendar read
    with CaptureQueriesContext(connection) as one_row:
        assert api.get(personas.clerk, "/cases")[1]["count"] == 1
    for _ in range(5):
        make_accepted_case(personas, item)
    with CaptureQueriesContext(connection) as six_rows:
        assert api.get(personas.clerk, "/cases")[1]["count"] == 6
    assert len(six_rows) == len(one_row)


def test_it_answers_an_action_without_reading_the_case_again(api, personas, item, monday):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case = make_case(personas, item)
    api.get(personas.clerk, "/cases")
    with CaptureQueriesContext(connection) as queries:
        status, body = api.post(
            personas.clerk, f"/cases/{case.number}/accept", {"version": case.version}
        )
    assert status == 200 and body["status"] == "accepted"
    # After the service's own statements, no SELECT of the case, its events or steps.
    last_write = max(
        i
        for i, q in enumerate(queries.captured_queries)
        if q["sql"].startswith(("INSERT", "UPDATE"))
    )
    after = [q["sql"] for q in queries.captured_queries[last_write + 1 :]]
    assert not [sql for sql in after if "cases_case" in sql or "cases_caseevent" in sql]


def test_the_site_has_a_constant_health_view(client):
    r = client.get("/healthz")
    assert (r.status_code, r.content) == (200, b"ok\n")
