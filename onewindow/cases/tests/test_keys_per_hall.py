"""Halls kept apart by keys too: the exchange's idempotency keys and the intake keys are
each hall's own (unique per hall), so another hall's key is an unused key here; and a
person of another hall is, to the assignment of a step, a name nobody has."""

import re

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from onewindow.accounts.roles import Role
from onewindow.audit.models import AuditEntry
from onewindow.cases import services
from onewindow.cases.models import Case, CaseEvent
from onewindow.factories import make_user

from .factories import make_accepted_case, make_item
from .test_api import Api, intake
from .test_exchange import first_event
from .test_views import intake_data, workbench_url

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def api(client):
    return Api(client)


@pytest.fixture
def other_item(personas):
    """An item published in the other hall, handled by its own department."""
    return make_item(personas.other_department, [personas.other_hall], name="结婚登记")


def _other_hall_event(personas, other_item, **over):
    body = first_event(personas, other_item, **over)
    body["case"]["hall"] = personas.other_hall.code
    return body


# ------------------------------------------------------------ exchange idempotency keys


def test_another_halls_exchange_key_is_an_unused_key_here(api, personas, item, other_item, monday):
    status, ours = api.post(personas.handler, "/exchange/events", first_event(personas, item))
    assert status == 201
    # The other hall's system happens to choose the same key for its own event.
    status, theirs = api.post(
        personas.outsider, "/exchange/events", _other_hall_event(personas, other_item)
    )
    assert status == 201, theirs
    assert theirs["case"] == {
        "number": "MZ-GA2026001001",
        "hall": "MZ",
        "external_number": "GA2026001001",
    }
    assert "CG" not in str(theirs)
    # Each hall's key still answers for its own event only.
    assert api.post(personas.handler, "/exchange/events", first_event(personas, item)) == (
        200,
        ours,
    )
    again = api.post(personas.outsider, "/exchange/events", _other_hall_event(personas, other_item))
    assert again == (200, theirs)
    assert CaseEvent.objects.filter(external_key="GA-1001-1").count() == 2


def test_a_key_conflict_names_only_the_halls_own_case(api, personas, item, other_item, monday):
    api.post(personas.handler, "/exchange/events", first_event(personas, item))
    api.post(personas.outsider, "/exchange/events", _other_hall_event(personas, other_item))
    body = _other_hall_event(personas, other_item)
    body["case"]["external_number"] = "GA2026001002"
    status, answer = api.post(personas.outsider, "/exchange/events", body)
    assert (status, answer["code"]) == (409, "idempotency_conflict")
    assert "MZ-GA2026001001" in answer["message"] and "CG-" not in answer["message"]
    assert Case.objects.filter(hall=personas.other_hall).count() == 1


def test_the_database_keeps_exchange_keys_unique_per_hall(api, personas, item, monday):
    api.post(personas.handler, "/exchange/events", first_event(personas, item))
    case = Case.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseEvent.objects.create(
            case=case, seq=2, kind="accepted", hall=personas.hall, external_key="GA-1001-1"
        )
    CaseEvent.objects.create(
        case=case, seq=2, kind="accepted", hall=personas.other_hall, external_key="GA-1001-1"
    )


# ------------------------------------------------------------------------- intake keys


def test_the_api_does_not_confirm_another_halls_intake_key(api, personas, item, other_item, monday):
    status, ours = api.post(personas.clerk, "/cases", intake(personas, item, intake_key="k-1"))
    assert status == 201
    theirs_body = intake(
        personas,
        other_item,
        hall=personas.other_hall.code,
        window=1,
        intake_key="k-1",
    )
    status, theirs = api.post(personas.outsider, "/cases", theirs_body)
    assert status == 201, theirs  # as for a key never used: a new case of the hall
    assert theirs["number"].startswith("MZ") and theirs["number"] != ours["number"]
    # A retry in the same hall still finds the hall's own case.
    status, retry = api.post(personas.outsider, "/cases", theirs_body)
    assert (status, retry["number"]) == (200, theirs["number"])
    assert Case.objects.filter(intake_key="k-1").count() == 2


def test_the_workbench_does_not_follow_another_halls_intake_key(
    client, personas, item, other_item, monday
):
    client.force_login(personas.clerk)
    response = client.post(workbench_url(item), intake_data(item, intake_key="f" * 32))
    ours = Case.objects.get(hall=personas.hall)
    assert response.status_code == 302 and ours.number in response["Location"]
    client.force_login(personas.outsider)
    data = intake_data(other_item, hall="MZ", intake_key="f" * 32)
    response = client.post(workbench_url(other_item), data)
    assert response.status_code == 302
    assert ours.number not in response["Location"]
    theirs = Case.objects.get(hall=personas.other_hall)
    assert theirs.number in response["Location"] and theirs.intake_key == "f" * 32
    # The same form sent again in the other hall finds that hall's case.
    response = client.post(workbench_url(other_item), data)
    assert theirs.number in response["Location"]
    assert Case.objects.count() == 2


def test_the_database_keeps_intake_keys_unique_per_hall(personas, item, monday):
    case = make_accepted_case(personas, item)
    Case.objects.filter(pk=case.pk).update(intake_key="same")
    other = make_accepted_case(personas, item)
    with pytest.raises(IntegrityError), transaction.atomic():
        Case.objects.filter(pk=other.pk).update(intake_key="same")
    Case.objects.filter(pk=other.pk).update(intake_key="same", hall=personas.other_hall)


# ------------------------------------------------------------------- assigning a step


@pytest.fixture
def stranger(personas):
    """A handler of the right department, but of another hall."""
    return make_user(
        "stranger",
        halls=[personas.other_hall],
        roles=[Role.HANDLER],
        department=personas.department,
        full_name="外厅承办人",
    )


def test_the_api_answers_another_halls_person_as_an_unknown_name(
    api, personas, item, stranger, monday
):
    case = make_accepted_case(personas, item)
    path = f"/cases/{case.number}/step/assign"
    unknown = api.post(personas.manager, path, {"version": case.version, "assignee": "nobody"})
    theirs = api.post(personas.manager, path, {"version": case.version, "assignee": "stranger"})
    assert unknown[0] == 400 and theirs == unknown
    assert "外厅承办人" not in str(theirs) and "stranger" not in str(theirs)
    chinese = api.post(
        personas.manager, path, {"version": case.version, "assignee": "stranger"}, lang="zh-hans"
    )
    assert chinese == api.post(
        personas.manager, path, {"version": case.version, "assignee": "nobody"}, lang="zh-hans"
    )
    case.refresh_from_db()
    assert case.current_assignee == personas.handler
    assert not AuditEntry.objects.filter(action__contains="assign").exists()


def test_the_service_names_nobody_of_another_hall(personas, item, stranger, monday):
    case = make_accepted_case(personas, item)
    with pytest.raises(services.InvalidInput) as exc:
        services.assign_step(actor=personas.manager, case=case, assignee=stranger)
    assert "外厅承办人" not in str(exc.value.errors["assignee"])
    # Someone of the hall without the step's role is still named: the hall knows its own.
    with pytest.raises(services.InvalidInput) as exc:
        services.assign_step(actor=personas.manager, case=case, assignee=personas.clerk)
    assert "窗口小王" in str(exc.value.errors["assignee"])


def test_the_case_page_answers_another_halls_person_as_an_unknown_one(
    client, personas, item, stranger, monday
):
    case = make_accepted_case(personas, item)
    client.force_login(personas.manager)
    url = reverse("cases:act", args=[case.number, "assign"])
    answers = []
    for assignee in (987654, stranger.pk):
        sent = client.post(url, {"version": case.version, "assignee": assignee})
        # Back to the case page with the form's errors, the same for both.
        assert sent.status_code == 302 and sent["Location"].endswith("#action-assign")
        page = client.get(sent["Location"]).content.decode()
        assert "invalid-feedback" in page
        form = page.split('id="action-assign"', 1)[1].split("</form>", 1)[0]
        answers.append(re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", form))
    unknown, theirs = answers
    assert "外厅承办人" not in theirs
    assert theirs.replace(str(stranger.pk), "987654") == unknown
    case.refresh_from_db()
    assert case.current_assignee == personas.handler
