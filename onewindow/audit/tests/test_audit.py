import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import translation

from onewindow.audit.models import AuditEntry, AuditHead
from onewindow.audit.services import record, verify_chain

pytestmark = pytest.mark.django_db


def _three(personas):
    for n in range(3):
        record(
            actor=personas.admin,
            action="test.did",
            object_type="thing",
            object_id=str(n),
            after={"n": n},
        )


def test_it_verifies_an_intact_chain(personas, capsys):
    _three(personas)
    checked, problem = verify_chain()
    assert (checked, problem) == (3, None)
    with translation.override("en"):
        call_command("audit", "verify")
    assert "3 rows" in capsys.readouterr().out


def test_it_names_an_altered_row(personas, capsys):
    _three(personas)
    with connection.cursor() as cur:
        cur.execute("UPDATE audit_auditentry SET action = 'tampered' WHERE seq = 2")
    with translation.override("en"), pytest.raises(SystemExit) as exc:
        call_command("audit", "verify")
    assert exc.value.code != 0
    assert "row 2" in capsys.readouterr().err


def test_it_names_a_deleted_row(personas, capsys):
    _three(personas)
    with connection.cursor() as cur:
        cur.execute("DELETE FROM audit_auditentry WHERE seq = 2")
    with translation.override("en"), pytest.raises(SystemExit):
        call_command("audit", "verify")
    assert "row 2" in capsys.readouterr().err


def test_it_notices_the_newest_row_deleted(personas):
    _three(personas)
    AuditEntry.objects.filter(seq=3).delete()
    _checked, problem = verify_chain()
    assert problem is not None and problem.seq == 3


def test_it_masks_personal_numbers(personas):
    entry = record(
        actor=None,
        action="test.person",
        object_type="x",
        after={
            "id_number": "11010519491231002X",
            "phone": "13812345678",
            "note": "320582199001011234",
        },
    )
    text = str(entry.after)
    assert "11010519491231002X" not in text and "13812345678" not in text
    assert "320582199001011234" not in text
    assert entry.after["id_number"].startswith("110105")


def test_the_chain_head_follows_the_log(personas):
    _three(personas)
    head = AuditHead.objects.get()
    assert head.last_seq == 3
    assert head.last_hash == AuditEntry.objects.get(seq=3).hash


def test_the_search_page_is_for_the_centre_and_supervision(client, personas):
    record(
        actor=personas.admin, action="hall.updated", obj=personas.other_hall, after={"name": "x"}
    )
    record(actor=personas.admin, action="hall.updated", obj=personas.hall, after={"name": "y"})
    client.force_login(personas.supervisor)
    body = client.get(reverse("audit:search"), {"action": "hall."}).content.decode()
    assert personas.other_hall.name in body and personas.hall.name in body
    # A hall manager sees the rows of their own hall only.
    client.force_login(personas.manager)
    body = client.get(reverse("audit:search")).content.decode()
    assert personas.hall.name in body and personas.other_hall.name not in body
    client.force_login(personas.clerk)
    assert client.get(reverse("audit:search")).status_code == 403


def test_the_search_page_shows_changes_as_labelled_fields_with_peoples_names(client, personas):
    from onewindow.cases.tests.factories import make_accepted_case, make_item

    item = make_item(personas.department, [personas.hall])
    case = make_accepted_case(personas, item)
    client.force_login(personas.admin)
    body = client.get(reverse("audit:search"), {"action": "case.accept"}).content.decode()
    change = body.split('class="small audit-change"', 1)[1].split("</td>", 1)[0]
    assert "{&#x27;" not in change and "{'" not in change  # no Python dicts
    assert "状态" in change and "received" in change and "accepted" in change
    assert case.current_assignee.full_name in change  # 承办小李, not a user id
    row = body.split('class="small audit-change"', 1)[0].rsplit("<tr>", 1)[1]
    assert "窗口小王" in row and ">clerk<" not in row
