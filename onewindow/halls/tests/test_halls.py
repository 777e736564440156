import pytest
from django.urls import reverse

from onewindow.audit.models import AuditEntry
from onewindow.halls.models import Hall, Window

pytestmark = pytest.mark.django_db


def test_visible_to_scopes_halls(personas):
    assert set(Hall.objects.visible_to(personas.clerk)) == {personas.hall}
    assert set(Hall.objects.visible_to(personas.admin)) == {
        personas.centre,
        personas.hall,
        personas.other_hall,
    }
    assert set(Hall.objects.visible_to(personas.supervisor)) == set(Hall.objects.all())
    from django.contrib.auth.models import AnonymousUser

    assert not Hall.objects.visible_to(AnonymousUser()).exists()


def test_it_lists_the_managers_halls_only(client, personas):
    client.force_login(personas.manager)
    body = client.get(reverse("halls:list")).content.decode()
    assert personas.hall.name in body and personas.other_hall.name not in body


def test_it_hides_another_hall(client, personas):
    client.force_login(personas.manager)
    assert client.get(reverse("halls:detail", args=["MZ"])).status_code == 404


def test_it_forbids_a_clerk(client, personas):
    client.force_login(personas.clerk)
    assert client.get(reverse("halls:list")).status_code == 403


def test_it_lets_only_the_centre_open_a_hall(client, personas):
    client.force_login(personas.manager)
    assert client.get(reverse("halls:create")).status_code == 403
    client.force_login(personas.admin)
    response = client.post(
        reverse("halls:create"),
        {
            "code": "gjj",
            "name": "公积金分中心",
            "kind": "sub_centre",
            "parent": personas.centre.pk,
            "sort_order": 5,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    hall = Hall.objects.get(code="GJJ")
    assert hall.parent == personas.centre
    assert AuditEntry.objects.filter(action="hall.created", object_id=str(hall.pk)).exists()


def test_it_adds_a_window_and_refuses_a_duplicate_number(client, personas):
    client.force_login(personas.manager)
    url = reverse("halls:window_create", args=["CG"])
    response = client.post(
        url,
        {"number": 2, "name": "综合窗口", "department": personas.department.pk, "is_active": "on"},
    )
    assert response.status_code == 302
    assert Window.objects.filter(hall=personas.hall, number=2).exists()
    response = client.post(url, {"number": 2, "name": "again", "is_active": "on"})
    assert response.status_code == 200
    assert "已存在" in response.content.decode()
    assert Window.objects.filter(hall=personas.hall).count() == 2
    assert AuditEntry.objects.filter(action="window.created").count() == 1


def test_it_rejects_a_hall_code_with_symbols(client, personas):
    client.force_login(personas.admin)
    response = client.post(
        reverse("halls:create"), {"code": "A-1", "name": "x", "kind": "sub_centre", "sort_order": 1}
    )
    assert response.status_code == 200
    assert not Hall.objects.filter(name="x").exists()


def test_opening_hours_are_shown_apart_from_the_legal_calendar(client, personas):
    from datetime import time

    from onewindow.halls.models import OpeningHours

    OpeningHours.objects.create(hall=personas.hall, weekday=5, opens=time(9), closes=time(12))
    client.force_login(personas.manager)
    body = client.get(reverse("halls:detail", args=["CG"])).content.decode()
    assert "星期六 09:00–12:00" in body
    # A Saturday opening does not make Saturday a legal working day.
    from datetime import date

    from onewindow.workdays.services import get_calendar

    assert not get_calendar().is_working_day(date(2026, 11, 28))


def test_opening_hours_must_close_after_opening(personas):
    from datetime import time

    from django.core.exceptions import ValidationError

    from onewindow.halls.models import OpeningHours

    with pytest.raises(ValidationError):
        OpeningHours(hall=personas.hall, weekday=0, opens=time(17), closes=time(9)).full_clean()


def test_only_the_centre_changes_departments(client, personas):
    from onewindow.halls.models import Department

    client.force_login(personas.manager)
    assert client.get(reverse("halls:departments")).status_code == 200
    assert (
        client.post(reverse("halls:department_create"), {"code": "X", "name": "新部门"}).status_code
        == 403
    )
    client.force_login(personas.admin)
    response = client.post(
        reverse("halls:department_create"), {"code": "SWJ", "name": "市水务局", "is_active": "on"}
    )
    assert response.status_code == 302
    dept = Department.objects.get(code="SWJ")
    assert AuditEntry.objects.filter(action="department.created", object_id=str(dept.pk)).exists()
    response = client.post(reverse("halls:department_create"), {"code": "SWJ2", "name": "市水务局"})
    assert response.status_code == 200  # the name is taken
    assert Department.objects.filter(name="市水务局").count() == 1
