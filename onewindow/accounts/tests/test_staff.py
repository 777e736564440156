import pytest
from django.urls import reverse

from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.accounts.services import UnknownRole, save_staff
from onewindow.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def _form(personas, **overrides):
    data = {
        "username": "newclerk",
        "full_name": "新窗口",
        "phone": "13800000000",
        "department": personas.department.pk,
        "is_active": "on",
        "halls": [personas.hall.pk],
        "roles": [Role.WINDOW_CLERK],
        "password": "Counter-window-77",
    }
    data.update(overrides)
    return data


def test_it_lets_a_hall_manager_create_staff_in_their_hall(client, personas):
    client.force_login(personas.manager)
    # A new account cannot start at a window: it has no training yet (training app).
    response = client.post(reverse("accounts:staff_create"), _form(personas))
    assert response.status_code == 403 and not User.objects.filter(username="newclerk").exists()
    response = client.post(reverse("accounts:staff_create"), _form(personas, roles=[Role.HANDLER]))
    assert response.status_code == 302
    user = User.objects.get(username="newclerk")
    assert user.hall_id_set == {personas.hall.pk}
    assert user.has_role(Role.HANDLER)
    assert user.check_password("Counter-window-77")
    entry = AuditEntry.objects.get(action="staff.created")
    assert entry.actor == personas.manager and entry.object_id == str(user.pk)


def test_it_refuses_staff_without_a_hall(client, personas):
    client.force_login(personas.manager)
    response = client.post(reverse("accounts:staff_create"), _form(personas, halls=[]))
    assert response.status_code == 200
    assert "至少" in response.content.decode()
    assert not User.objects.filter(username="newclerk").exists()
    assert not AuditEntry.objects.exists()


def test_it_refuses_an_unknown_role(client, personas):
    client.force_login(personas.manager)
    response = client.post(reverse("accounts:staff_create"), _form(personas, roles=["emperor"]))
    assert response.status_code == 200
    assert "emperor" in response.content.decode()
    assert not User.objects.filter(username="newclerk").exists()


def test_it_refuses_an_unknown_role_in_the_service(personas):
    user = User(username="x")
    with pytest.raises(UnknownRole):
        save_staff(actor=None, user=user, halls=[personas.hall], roles=["emperor"])
    assert not User.objects.filter(username="x").exists()


def test_it_refuses_a_hall_the_manager_does_not_belong_to(client, personas):
    client.force_login(personas.manager)
    response = client.post(
        reverse("accounts:staff_create"), _form(personas, halls=[personas.other_hall.pk])
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="newclerk").exists()


def test_it_refuses_a_weak_password_in_english(client, personas):
    client.force_login(personas.manager)
    client.cookies["django_language"] = "en"
    response = client.post(reverse("accounts:staff_create"), _form(personas, password="abc"))
    assert response.status_code == 200
    assert "too short" in response.content.decode()


def test_it_lists_only_staff_of_the_managers_halls(client, personas):
    client.force_login(personas.manager)
    body = client.get(reverse("accounts:staff_list")).content.decode()
    assert "clerk" in body and "outsider" not in body


def test_the_list_names_roles_in_the_readers_language(client, personas):
    client.force_login(personas.manager)
    client.cookies["django_language"] = "en"
    body = client.get(reverse("accounts:staff_list")).content.decode()
    assert "Window clerk" in body and Role.WINDOW_CLERK not in body


def test_it_hides_another_halls_staff_member(client, personas):
    client.force_login(personas.manager)
    response = client.get(reverse("accounts:staff_edit", args=["outsider"]))
    assert response.status_code == 404


def test_it_lets_the_centre_admin_see_everybody(client, personas):
    client.force_login(personas.admin)
    body = client.get(reverse("accounts:staff_list")).content.decode()
    assert "outsider" in body and "clerk" in body


def test_it_forbids_a_clerk(client, personas):
    client.force_login(personas.clerk)
    assert client.get(reverse("accounts:staff_list")).status_code == 403


def test_it_sends_anonymous_users_to_sign_in(client, personas):
    response = client.get(reverse("accounts:staff_list"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_it_updates_roles_and_keeps_the_password(client, personas):
    client.force_login(personas.manager)
    data = _form(personas, username="clerk", roles=[Role.WINDOW_CLERK, Role.HANDLER], password="")
    response = client.post(reverse("accounts:staff_edit", args=["clerk"]), data)
    assert response.status_code == 302
    clerk = User.objects.get(username="clerk")
    assert clerk.has_role(Role.HANDLER)
    assert clerk.check_password("Test-pass-2026")
    entry = AuditEntry.objects.get(action="staff.updated")
    assert entry.before["roles"] == ["window_clerk"]
    assert entry.after["roles"] == ["handler", "window_clerk"]


def test_roles_are_groups_with_permissions(personas):
    assert personas.manager.has_perm("accounts.manage_staff")
    assert personas.admin.has_perm("workdays.manage_calendar")
    assert not personas.clerk.has_perm("accounts.manage_staff")
    assert personas.supervisor.sees_all_halls and personas.admin.sees_all_halls
    assert not personas.manager.sees_all_halls
