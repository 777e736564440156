"""The applicant's ID number and phone: masked everywhere (pages, lists, API, notices, the
audit log), shown in full only to one of the case's handlers who asks for them, and each
such view audited (`services.reveal_numbers`)."""

import pytest
from django.urls import reverse

from onewindow.audit.models import AuditEntry
from onewindow.cases import services

from .factories import make_accepted_case, make_case, resident_id
from .test_api import Api

NUMBER = resident_id()
PHONE = "13912345678"
MASKED_NUMBER = NUMBER[:6] + "********" + NUMBER[-4:]
MASKED_PHONE = "139****5678"


@pytest.fixture
def case(personas, item, monday):
    """Accepted by the clerk; its first step is the handler's, the reviewer has none yet."""
    return make_accepted_case(personas, item, id_number=NUMBER, contact_phone=PHONE)


def views_of_numbers():
    return AuditEntry.objects.filter(action="case.numbers_viewed")


def test_it_knows_the_case_handlers(personas, case):
    assert case.is_handled_by(personas.clerk)  # received it
    assert case.is_handled_by(personas.handler)  # its step
    assert not case.is_handled_by(personas.reviewer)  # a handler of the hall, not of this case
    assert not case.is_handled_by(personas.supervisor)  # sees every hall, handles nothing
    assert not case.is_handled_by(personas.admin)
    assert not case.is_handled_by(personas.outsider)
    services.decide_step(actor=personas.handler, case=case, decision="pass", opinion="同意")
    case.refresh_from_db()
    assert case.is_handled_by(personas.reviewer)  # now the review step is theirs


def test_the_case_page_masks_the_numbers_until_a_handler_asks(client, personas, case):
    client.force_login(personas.clerk)
    url = reverse("cases:detail", args=[case.number])
    body = client.get(url).content.decode()
    assert MASKED_NUMBER in body and MASKED_PHONE in body
    assert NUMBER not in body and PHONE not in body
    assert 'id="reveal-numbers"' in body
    assert not views_of_numbers().exists()  # a masked page is no view of the numbers

    response = client.post(reverse("cases:reveal_numbers", args=[case.number]))
    assert response.status_code == 302 and response["Location"].endswith(url + "#applicant")
    shown = client.get(url).content.decode()
    assert NUMBER in shown and PHONE in shown and 'id="numbers-shown-note"' in shown
    entry = views_of_numbers().get()
    assert (entry.actor, entry.object_id, entry.hall, entry.note) == (
        personas.clerk,
        str(case.pk),
        personas.hall,
        "page",
    )
    assert NUMBER not in str(entry.before) + str(entry.after) + entry.note
    again = client.get(url).content.decode()  # once: a reload masks them again
    assert NUMBER not in again and PHONE not in again

    client.post(reverse("cases:reveal_numbers", args=[case.number]))
    assert views_of_numbers().count() == 2  # every view its own row


def test_the_page_refuses_the_numbers_to_those_who_do_not_handle_the_case(client, personas, case):
    url = reverse("cases:reveal_numbers", args=[case.number])
    for user, status in (
        (personas.reviewer, 403),
        (personas.supervisor, 403),
        (personas.admin, 403),
        (personas.outsider, 404),
    ):
        client.force_login(user)
        assert client.post(url).status_code == status
        page = client.get(reverse("cases:detail", args=[case.number]))
        if page.status_code == 200:
            assert 'id="reveal-numbers"' not in page.content.decode()
    client.logout()
    assert "/accounts/login/" in client.post(url)["Location"]
    assert client.get(url).status_code == 405  # a view of the numbers is asked for by POST
    assert not views_of_numbers().exists()


def test_the_api_reveals_the_numbers_to_a_handler_and_audits_it(client, personas, case):
    api = Api(client)
    status, body = api.get(personas.handler, f"/cases/{case.number}")
    assert status == 200
    assert (body["applicant_id_number"], body["contact_phone"], body["numbers_masked"]) == (
        MASKED_NUMBER,
        MASKED_PHONE,
        True,
    )
    assert not views_of_numbers().exists()
    status, body = api.get(personas.handler, f"/cases/{case.number}?reveal=true")
    assert status == 200
    assert (body["applicant_id_number"], body["contact_phone"], body["numbers_masked"]) == (
        NUMBER,
        PHONE,
        False,
    )
    entry = views_of_numbers().get()
    assert (entry.actor, entry.note, entry.hall) == (personas.handler, "api", personas.hall)


def test_the_api_refuses_the_numbers_to_the_others(client, personas, case):
    api = Api(client)
    path = f"/cases/{case.number}?reveal=true"
    for user in (personas.reviewer, personas.supervisor, personas.admin):
        status, body = api.get(user, path)
        assert (status, body["code"]) == (403, "not_permitted"), user
        assert NUMBER not in str(body)
    status, body = api.get(personas.outsider, path)
    assert (status, body["code"]) == (404, "not_found")
    assert not views_of_numbers().exists()


def test_lists_answers_and_the_log_keep_the_numbers_masked(client, personas, item, monday):
    api = Api(client)
    status, created = api.post(
        personas.clerk,
        "/cases",
        {
            "hall": "CG",
            "item": item.implementation_code,
            "applicant_kind": "person",
            "applicant_name": "张三丰",
            "applicant_id_number": NUMBER,
            "contact_phone": PHONE,
            "provided_material_ids": [],
        },
    )
    assert status == 201 and created["applicant_id_number"] == MASKED_NUMBER
    assert created["contact_phone"] == MASKED_PHONE
    number = created["number"]
    status, page = api.get(personas.clerk, "/cases")  # the one who just received it
    row = next(r for r in page["results"] if r["number"] == number)
    assert (row["applicant_id_number"], row["contact_phone"]) == (MASKED_NUMBER, MASKED_PHONE)
    client.force_login(personas.clerk)
    listed = client.get(reverse("cases:list")).content.decode()
    assert number in listed and NUMBER not in listed and PHONE not in listed
    log = " ".join(str(e.before) + str(e.after) + e.note for e in AuditEntry.objects.all())
    assert NUMBER not in log and PHONE not in log
    case_ = make_case(personas, item, id_number=resident_id())
    assert case_.applicant_id_number not in str(AuditEntry.objects.last().after)
