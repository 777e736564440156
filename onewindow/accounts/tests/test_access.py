"""Roles, halls and permissions are cached per process under the user's access stamp:
a cached answer is never used after a change (accounts.access)."""

import pytest
from django.contrib.auth.models import Group, Permission

from onewindow.accounts import access
from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.accounts.services import create_api_token

pytestmark = pytest.mark.django_db


def fresh(user) -> User:
    """The user as the next request loads them (a new row object)."""
    return User.objects.get(pk=user.pk)


def test_a_second_request_reads_access_from_the_cache(personas, django_assert_num_queries):
    first = fresh(personas.clerk)
    access.prime(first)
    assert first.has_role(Role.WINDOW_CLERK)
    second = fresh(personas.clerk)
    with django_assert_num_queries(0):
        access.prime(second)
        assert second.has_role(Role.WINDOW_CLERK)
        assert second.has_perm("cases.handle_cases")
        assert second.hall_id_set == {personas.hall.pk}


def test_changing_roles_halls_or_permissions_renews_the_stamp(personas):
    clerk = personas.clerk
    access.prime(fresh(clerk))
    stamp = fresh(clerk).access_stamp

    clerk.groups.remove(Group.objects.get(name=Role.WINDOW_CLERK))
    user = fresh(clerk)
    assert user.access_stamp != stamp
    access.prime(user)
    assert not user.has_role(Role.WINDOW_CLERK)
    assert not user.has_perm("cases.handle_cases")

    # From the other side of the relations, and clearing them.
    Group.objects.get(name=Role.HANDLER).user_set.add(clerk)
    user = fresh(clerk)
    access.prime(user)
    assert user.has_role(Role.HANDLER)
    personas.hall.staff.clear()
    user = fresh(clerk)
    access.prime(user)
    assert user.hall_id_set == set()


def test_a_group_losing_a_permission_renews_its_members(personas):
    handler = personas.handler
    user = fresh(handler)
    access.prime(user)
    assert user.has_perm("cases.handle_cases")
    perm = Permission.objects.get(codename="handle_cases")
    Group.objects.get(name=Role.HANDLER).permissions.remove(perm)
    user = fresh(handler)
    access.prime(user)
    assert not user.has_perm("cases.handle_cases")
    # From the permission's side: every group loses it, the clerk's too.
    clerk = fresh(personas.clerk)
    access.prime(clerk)
    assert clerk.has_perm("cases.handle_cases")
    perm.group_set.clear()
    clerk = fresh(personas.clerk)
    access.prime(clerk)
    assert not clerk.has_perm("cases.handle_cases")


def test_the_api_sees_a_removed_role_or_hall_on_the_next_request(client, personas):
    key = create_api_token(actor=None, user=personas.clerk)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}", "HTTP_ACCEPT_LANGUAGE": "en"}
    body = {
        "hall": personas.hall.code,
        "item": "NO-SUCH-ITEM",
        "applicant_kind": "person",
        "applicant_name": "张三",
        "applicant_id_number": "11010519491231002X",
        "contact_phone": "13900000000",
    }

    def post():
        return client.post("/api/v1/cases", body, content_type="application/json", **auth)

    assert post().status_code == 400  # a clerk of the hall: only the item is wrong
    assert post().status_code == 400  # (now from the cache)
    personas.clerk.groups.clear()
    assert post().status_code == 403
    personas.clerk.groups.add(Group.objects.get(name=Role.WINDOW_CLERK))
    assert post().status_code == 400
    personas.clerk.halls.remove(personas.hall)
    assert post().status_code == 404


def test_an_answer_read_while_inactive_is_not_used_once_active_again(personas):
    User.objects.filter(pk=personas.clerk.pk).update(is_active=False)
    inactive = fresh(personas.clerk)
    access.prime(inactive)
    assert not inactive.has_perm("cases.handle_cases")
    User.objects.filter(pk=personas.clerk.pk).update(is_active=True)
    active = fresh(personas.clerk)
    access.prime(active)
    assert active.has_perm("cases.handle_cases")


def test_priming_reads_afresh_what_djangos_backend_answered_before(personas):
    """Django's backend keeps its answers on the user object it was asked about; priming
    reads the permissions for a bare copy of the row, never from those answers."""
    user = fresh(personas.handler)
    assert user.has_perm("cases.handle_cases")  # not primed: Django's backend answers
    perm = Permission.objects.get(codename="handle_cases")
    Group.objects.get(name=Role.HANDLER).permissions.remove(perm)
    access.prime(user)
    assert not user.has_perm("cases.handle_cases")
    assert "cases.handle_cases" not in user.get_all_permissions()
