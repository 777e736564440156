"""The table of case actions (cases/actions.py) that the case page and the API both read:
complete (every action of the transitions table has an entry), consistent with its
services, and each entry's page and API paths reaching the same service with the same
answers: the same change, the same 403, 404 and 409."""

import inspect
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from onewindow.cases import actions, forms, services
from onewindow.cases.actions import ACTIONS
from onewindow.cases.api_schemas import VersionIn
from onewindow.cases.models import Attachment, Case

from .factories import make_accepted_case, make_case, material_id, required_ids, run_steps
from .test_api import Api

# The actions of the page only (a scan is uploaded with the page's form).
PAGE_ONLY = {"attach"}
# The documented action paths of the API (docs/apps/cases-api.md): partner systems and the
# bench post to them.
API_PATHS = {
    "accept",
    "refuse",
    "correction",
    "supply",
    "immediate",
    "step/assign",
    "step/decision",
    "extend",
    "extension/decision",
    "suspend",
    "resume",
    "conclude",
    "deliver",
}


# ------------------------------------------------------------------ the table


def test_every_action_of_the_transitions_table_has_an_entry():
    covered = {t for action in ACTIONS.values() for t in action.transitions}
    assert covered == set(services.TRANSITIONS) - actions.NOT_OFFERED
    assert actions.NOT_OFFERED <= set(services.TRANSITIONS)


def test_the_api_serves_the_documented_paths_and_the_page_every_action():
    assert set(actions.api_paths()) == API_PATHS
    assert {name for name, a in ACTIONS.items() if a.schema is None} == PAGE_ONLY
    assert all(a.form is not None for a in ACTIONS.values())
    for served in actions.api_paths().values():
        # Actions sharing a path share its body, and the body says which one it asks for.
        assert len({a.schema for a in served}) == 1
        if len(served) > 1:
            assert served[0].schema.variant is not VersionIn.variant


@pytest.mark.parametrize("action", ACTIONS.values(), ids=ACTIONS.keys())
def test_each_entry_calls_its_service_with_its_keyword_arguments(action):
    params = inspect.signature(action.function).parameters
    keyword = {n for n, p in params.items() if p.kind is inspect.Parameter.KEYWORD_ONLY}
    assert {"actor", "case", "request"} <= keyword
    assert set(action.arguments) <= keyword
    assert action.versioned == ("expected_version" in keyword)
    assert issubclass(action.form, forms.VersionedForm) == action.versioned
    # Handling, but the approvers' decision on an extension.
    expected = "cases.approve_extensions" if action.name == "extension_decision" else actions.HANDLE
    assert action.permission == expected
    if action.schema is not None:
        assert issubclass(action.schema, VersionIn)
        if len(actions.api_paths()[action.api_path]) == 1:
            # The body's fields are named after the service's keyword arguments.
            assert set(action.arguments) <= set(action.schema.model_fields)


def test_the_api_has_one_operation_per_path_from_the_table():
    from onewindow.api import api

    paths = api.get_openapi_schema()["paths"]
    for path, served in actions.api_paths().items():
        operation = paths[f"/api/v1/cases/{{number}}/{path}"]["post"]
        assert operation["operationId"] == f"case_{path.replace('/', '_')}"
        assert operation["summary"] == served[0].api_summary


# ------------------------------------------------------------------ one scenario per action


def _nothing(personas, items) -> dict:
    return {}


@dataclass
class Scenario:
    """A case where the action applies, who does it, and what the page's form and the
    API's body send (the version is added)."""

    actor: str
    make: Any  # (personas, items) -> Case
    page: Any = _nothing  # (personas, items) -> form data
    api: Any = _nothing  # (personas, items) -> body


class Items:
    def __init__(self, item, immediate_item):
        self.item = item
        self.immediate = immediate_item
        self.gap = item.published_version.materials.get(may_follow_later=True).pk


def _missing_the_gap(p, i):
    return make_case(p, i.item, provided=[m for m in required_ids(i.item) if m != i.gap])


def _in_correction(p, i):
    case = make_case(p, i.item, provided=[material_id(i.item, "申请表")])
    return services.issue_correction_notice(actor=p.clerk, case=case, items=[])


def _suspended(p, i):
    case = make_accepted_case(p, i.item)
    return services.suspend_case(
        actor=p.handler, case=case, kind="testing", reason="检测", max_days=10
    )


def _decided(p, i):
    return run_steps(p, make_accepted_case(p, i.item))


def _extension_asked(p, i):
    case = make_accepted_case(p, i.item)
    return services.request_extension(actor=p.handler, case=case, days=3, reason="需现场核查")


def _concluded(p, i):
    case = _decided(p, i)
    return services.conclude_case(
        actor=p.clerk, case=case, result="granted", certificate_number="苏E-0001"
    )


def _second_handler(p):
    from onewindow.accounts.models import User
    from onewindow.accounts.roles import Role
    from onewindow.factories import make_user

    return User.objects.filter(username="handler2").first() or make_user(
        "handler2", halls=[p.hall], roles=[Role.HANDLER], department=p.department
    )


def _missing_one(i):
    return required_ids(i.item)[0]


def _to_supply(i):
    """The required materials a case `_in_correction` waits for."""
    return [m for m in required_ids(i.item) if m != material_id(i.item, "申请表")]


GAPS = {"gaps_due_date": "2026-03-09", "promise": "承诺一周内补交"}

SCENARIOS = {
    "immediate": Scenario(
        "clerk",
        lambda p, i: make_case(p, i.immediate),
        page=lambda p, i: {"certificate_number": "BL-1", "fee_charged": "10"},
        api=lambda p, i: {"certificate_number": "BL-1", "fee_charged": "10"},
    ),
    "accept": Scenario("clerk", lambda p, i: make_case(p, i.item)),
    "gaps": Scenario(
        "clerk",
        _missing_the_gap,
        page=lambda p, i: {"missing_material_ids": [i.gap], **GAPS},
        api=lambda p, i: {
            "gaps": {
                "missing_material_ids": [i.gap],
                "due_date": GAPS["gaps_due_date"],
                "promise": GAPS["promise"],
            }
        },
    ),
    "correction": Scenario(
        "clerk",
        lambda p, i: make_case(p, i.item, provided=required_ids(i.item)[1:]),
        page=lambda p, i: {f"mat_{_missing_one(i)}": "on", "other_problems": "复印件不清晰"},
        api=lambda p, i: {"items": [_missing_one(i), "复印件不清晰"]},
    ),
    "refuse": Scenario(
        "clerk",
        lambda p, i: make_case(p, i.item),
        page=lambda p, i: {"reason": "非本机关职权"},
        api=lambda p, i: {"reason": "非本机关职权"},
    ),
    "supply": Scenario(
        "clerk",
        _in_correction,
        page=lambda p, i: {"provided": _to_supply(i)},
        api=lambda p, i: {"provided_material_ids": _to_supply(i)},
    ),
    "decide": Scenario(
        "handler",
        lambda p, i: make_accepted_case(p, i.item),
        page=lambda p, i: {"decision": "pass", "opinion": "材料齐全"},
        api=lambda p, i: {"decision": "pass", "opinion": "材料齐全"},
    ),
    "assign": Scenario(
        "manager",
        lambda p, i: make_accepted_case(p, i.item),  # the step goes to "handler"
        page=lambda p, i: {"assignee": _second_handler(p).pk},
        api=lambda p, i: {"assignee": "handler2"},
    ),
    "extend": Scenario(
        "handler",
        lambda p, i: make_accepted_case(p, i.item),
        page=lambda p, i: {"days": 3, "reason": "需现场核查"},
        api=lambda p, i: {"days": 3, "reason": "需现场核查"},
    ),
    "extension_decision": Scenario(
        "approver",
        _extension_asked,
        page=lambda p, i: {"approve": "yes", "note": ""},
        api=lambda p, i: {"approve": True, "note": ""},
    ),
    "suspend": Scenario(
        "handler",
        lambda p, i: make_accepted_case(p, i.item),
        page=lambda p, i: {"kind": "testing", "reason": "检测", "max_days": 10},
        api=lambda p, i: {"kind": "testing", "reason": "检测", "max_days": 10},
    ),
    "resume": Scenario("handler", _suspended),
    "conclude": Scenario(
        "clerk",
        _decided,
        page=lambda p, i: {"result": "granted", "certificate_number": "苏E-0002"},
        api=lambda p, i: {"result": "granted", "certificate_number": "苏E-0002"},
    ),
    "deliver": Scenario(
        "clerk",
        _concluded,
        page=lambda p, i: {"method": "post"},
        api=lambda p, i: {"method": "post"},
    ),
    "attach": Scenario(
        "clerk",
        lambda p, i: make_case(p, i.item),
        page=lambda p, i: {
            "material": material_id(i.item, "申请表"),
            "file": SimpleUploadedFile("form.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64),
        },
        api=None,
    ),
}


def test_every_action_has_a_scenario():
    assert set(SCENARIOS) == set(ACTIONS)


@pytest.fixture
def items(item, immediate_item):
    return Items(item, immediate_item)


def page_post(client, case, name, data):
    return client.post(reverse("cases:act", args=[case.number, name]), data)


def page_refusal(client, case, name, data) -> str:
    """The case page the browser is sent back to after a refused action (a GET, so a
    reload does not post again)."""
    response = page_post(client, case, name, data)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("cases:detail", args=[case.number]))
    page = client.get(response["Location"])
    assert page.status_code == 200
    return page.content.decode()


def api_path(name):
    return f"/cases/{{}}/{ACTIONS[name].api_path}"


# What an action changes on the case row, compared between the page's case and the API's.
COMPARED = (
    "status",
    "version",
    "result",
    "certificate_number",
    "refusal_reason",
    "gaps_due_date",
    "gaps_promise",
    "accepted_on",
    "promised_due_date",
    "extension_days",
    "suspended_since",
    "delivery_method",
    "fee_charged",
    "minutes_used",
    "current_assignee_id",
)


def outcome(case: Case) -> dict:
    case = Case.objects.get(pk=case.pk)
    out = {name: getattr(case, name) for name in COMPARED}
    out["step"] = case.current_step.position if case.current_step_id else None
    out["events"] = list(case.events.order_by("seq").values_list("kind", "to_status"))
    out["corrections"] = [[i["name"] for i in n.items] for n in case.corrections.all()]
    out["materials"] = sorted(case.materials.values_list("name", "provided", "to_follow"))
    return out


@pytest.mark.parametrize("name", [n for n in ACTIONS if n not in PAGE_ONLY])
def test_the_page_and_the_api_reach_the_same_service(name, client, personas, items, monday):
    scenario = SCENARIOS[name]
    actor = getattr(personas, scenario.actor)
    by_page = scenario.make(personas, items)
    by_api = scenario.make(personas, items)
    client.force_login(actor)
    body = client.get(reverse("cases:detail", args=[by_page.number])).content.decode()
    assert f'id="action-{name}"' in body  # offered to this user on the case page
    before = outcome(by_page)
    response = page_post(
        client, by_page, name, {"version": by_page.version, **scenario.page(personas, items)}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    status, answer = Api(client).post(
        actor,
        api_path(name).format(by_api.number),
        {"version": by_api.version, **scenario.api(personas, items)},
    )
    assert status == 200, answer
    after = outcome(by_page)
    assert after != before
    assert outcome(by_api) == after
    assert (answer["status"], answer["version"]) == (after["status"], after["version"])


def test_the_page_attaches_a_scan(client, personas, items, monday):
    scenario = SCENARIOS["attach"]
    case = scenario.make(personas, items)
    client.force_login(personas.clerk)
    response = page_post(client, case, "attach", scenario.page(personas, items))
    assert response.status_code == 302 and response["Location"].endswith("#attachments")
    assert Attachment.objects.get(case=case).case_material.name == "申请表"


# ------------------------------------------------------------------ the same refusals


def _page_data(name, personas, items, case, version):
    data = SCENARIOS[name].page(personas, items)
    return {"version": version, **data} if ACTIONS[name].versioned else data


@pytest.mark.parametrize("name", list(ACTIONS))
def test_both_paths_turn_away_anonymous_wrong_role_and_other_hall(
    name, client, personas, items, monday
):
    scenario = SCENARIOS[name]
    case = scenario.make(personas, items)
    version = case.version
    api = Api(client)

    def page(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        data = _page_data(name, personas, items, case, version)
        return page_post(client, case, name, data).status_code

    def by_api(user):
        client.logout()
        body = {"version": version, **scenario.api(personas, items)}
        return api.post(user, api_path(name).format(case.number), body)

    response = client.post(
        reverse("cases:act", args=[case.number, name]),
        _page_data(name, personas, items, case, version),
    )
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert page(personas.supervisor) == 403  # sees every hall, handles no case
    assert page(personas.outsider) == 404  # another hall's case: as if there were none
    if scenario.api is not None:
        client.logout()
        r = client.post(
            f"/api/v1{api_path(name).format(case.number)}",
            {"version": version},
            content_type="application/json",
        )
        assert r.status_code == 401
        status, body = by_api(personas.supervisor)
        assert (status, body["code"]) == (403, "not_permitted")
        status, body = by_api(personas.outsider)
        assert (status, body["code"]) == (404, "not_found")
    case.refresh_from_db()
    assert case.version == version and not Attachment.objects.exists()


@pytest.mark.parametrize("name", [n for n, a in ACTIONS.items() if a.versioned])
def test_both_paths_answer_409_with_the_current_version_to_a_stale_one(
    name, client, personas, items, monday
):
    scenario = SCENARIOS[name]
    actor = getattr(personas, scenario.actor)
    case = scenario.make(personas, items)
    current = case.version
    client.force_login(actor)
    body = page_refusal(client, case, name, _page_data(name, personas, items, case, current + 1))
    assert "有人修改了这个办件" in body
    assert f'name="version" value="{current}"' in body  # the forms as the case is now
    client.logout()
    status, answer = Api(client).post(
        actor,
        api_path(name).format(case.number),
        {"version": current + 1, **scenario.api(personas, items)},
    )
    assert (status, answer["code"], answer["current_version"]) == (409, "stale", current)
    case.refresh_from_db()
    assert case.version == current


def test_both_paths_answer_409_to_an_action_the_status_does_not_allow(
    client, personas, items, monday
):
    case = make_case(personas, items.item)
    client.force_login(personas.clerk)
    body = page_refusal(client, case, "deliver", {"version": case.version, "method": "post"})
    assert "的办件不能送达" in body
    client.logout()
    status, body = Api(client).post(
        personas.clerk, f"/cases/{case.number}/deliver", {"version": case.version, "method": "post"}
    )
    assert (status, body["code"]) == (409, "transition_not_allowed")


def test_wrong_input_is_a_form_error_on_the_page_and_a_422_or_400_in_the_api(
    client, personas, items, monday
):
    case = make_accepted_case(personas, items.item)
    client.force_login(personas.handler)
    body = page_refusal(client, case, "suspend", {"version": case.version, "kind": "testing"})
    assert "invalid-feedback" in body
    client.logout()
    api = Api(client)
    path = f"/cases/{case.number}/suspend"
    status, body = api.post(personas.handler, path, {"version": case.version, "kind": "testing"})
    assert (status, body["code"]) == (422, "invalid_request")
    assert sorted(body["errors"]) == ["max_days", "reason"]
    status, body = api.post(
        personas.handler,
        path,
        {"version": case.version, "kind": "nonsense", "reason": "检测", "max_days": 5},
    )
    assert (status, body["code"]) == (400, "invalid") and "kind" in body["errors"]
    case.refresh_from_db()
    assert case.status == "accepted" and case.version == 2


def test_the_page_shows_a_services_field_error_on_the_form(client, personas, items, monday):
    case = run_steps(personas, make_accepted_case(personas, items.item))
    client.force_login(personas.clerk)
    body = page_refusal(client, case, "conclude", {"version": case.version, "result": "granted"})
    assert "证照编号" in body
    assert 'id="action-conclude"' in body and "invalid-feedback" in body
