"""Rights cannot be escalated: a hall manager manages the staff of their own halls with the
hall roles only; the centre-wide roles come from a centre administrator, never from their
holder; every grant and withdrawal is an audit row."""

import pytest
from django.urls import reverse

from onewindow.accounts.models import User
from onewindow.accounts.roles import (
    ALL_HALL_ROLES,
    CENTRE_ROLES,
    HALL_ROLES,
    ROLE_PERMISSIONS,
    Role,
)
from onewindow.accounts.services import StaffRefused, grantable_roles, save_staff
from onewindow.audit.models import AuditEntry
from onewindow.factories import PASSWORD, make_user

from .test_staff import _form as staff_form

pytestmark = pytest.mark.django_db


def _form(personas, **overrides):
    """The staff form of test_staff, for a new colleague without a phone number."""
    defaults = {"username": "newstaff", "full_name": "新同事", "phone": ""}
    return staff_form(personas, **{**defaults, **overrides})


def _edit(client, username, data):
    return client.post(reverse("accounts:staff_edit", args=[username]), data)


def _error_page(response) -> str:
    """The message of an error page (the layout around it carries the address and a
    fresh CSRF token)."""
    body = response.content.decode()
    return body[body.index('id="error-page"') :].split("</div>")[0]


@pytest.mark.parametrize("role", sorted(CENTRE_ROLES))
def test_it_refuses_a_hall_manager_creating_a_centre_wide_role(client, personas, role):
    client.force_login(personas.manager)
    response = client.post(
        reverse("accounts:staff_create"), _form(personas, roles=[Role.WINDOW_CLERK, role])
    )
    assert response.status_code == 403
    assert "只有中心管理员" in response.content.decode()
    assert not User.objects.filter(username="newstaff").exists()
    assert not AuditEntry.objects.exists()


def test_it_says_so_in_english_too(client, personas):
    client.force_login(personas.manager)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("accounts:staff_create"), _form(personas, roles=[Role.CENTRE_ADMIN])
    )
    assert response.status_code == 403
    assert "Only a centre administrator may grant" in response.content.decode()


def test_it_refuses_a_hall_manager_promoting_their_clerk(client, personas):
    client.force_login(personas.manager)
    data = _form(
        personas, username="clerk", roles=[Role.WINDOW_CLERK, Role.SUPERVISOR], password=""
    )
    response = _edit(client, "clerk", data)
    assert response.status_code == 403
    clerk = User.objects.get(username="clerk")
    assert set(clerk.groups.values_list("name", flat=True)) == {Role.WINDOW_CLERK}
    assert not AuditEntry.objects.exists()


def test_the_managers_form_offers_only_hall_roles(client, personas):
    client.force_login(personas.manager)
    body = client.get(reverse("accounts:staff_create")).content.decode()
    for role in HALL_ROLES:
        assert f'value="{role}"' in body
    for role in CENTRE_ROLES:
        assert f'value="{role}"' not in body
    client.force_login(personas.admin)
    body = client.get(reverse("accounts:staff_create")).content.decode()
    assert all(f'value="{role}"' in body for role in Role.values)


@pytest.mark.parametrize("holder", ["admin", "supervisor", "legal", "fee"])
def test_a_hall_manager_cannot_touch_an_account_with_a_centre_wide_role(client, personas, holder):
    """Even when that account also belongs to the manager's hall: its password, its
    active flag and its details are out of reach, and the answer is that of a name that
    does not exist."""
    target = getattr(personas, holder)
    target.halls.add(personas.hall)
    client.force_login(personas.manager)
    unknown = client.get(reverse("accounts:staff_edit", args=["nobody-at-all"]))
    assert unknown.status_code == 404
    assert client.get(reverse("accounts:staff_edit", args=[holder])).status_code == 404
    data = _form(
        personas,
        username=holder,
        roles=[Role.WINDOW_CLERK],
        password="Taken-over-2026",
        is_active="",
    )
    response = _edit(client, holder, data)
    assert response.status_code == 404
    assert _error_page(response) == _error_page(_edit(client, "nobody-at-all", data))
    target.refresh_from_db()
    assert target.check_password(PASSWORD) and target.is_active
    assert target.has_role(*CENTRE_ROLES)
    body = client.get(reverse("accounts:staff_list")).content.decode()
    assert f">{holder}</a>" not in body and ">clerk</a>" in body
    assert not AuditEntry.objects.exists()


def test_a_hall_manager_cannot_touch_someone_who_also_works_in_another_hall(client, personas):
    shared = make_user(
        "shared", halls=[personas.hall, personas.other_hall], roles=[Role.WINDOW_CLERK]
    )
    client.force_login(personas.manager)
    assert client.get(reverse("accounts:staff_edit", args=["shared"])).status_code == 404
    data = _form(personas, username="shared", password="Taken-over-2026", is_active="")
    assert _edit(client, "shared", data).status_code == 404
    shared.refresh_from_db()
    assert shared.check_password(PASSWORD) and shared.is_active
    assert set(shared.halls.all()) == {personas.hall, personas.other_hall}
    assert client.get(reverse("accounts:staff_edit", args=["outsider"])).status_code == 404


def test_a_hall_manager_cannot_touch_a_superuser_or_someone_with_own_permissions(client, personas):
    from django.contrib.auth.models import Permission

    boss = make_user("boss", halls=[personas.hall])
    User.objects.filter(pk=boss.pk).update(is_superuser=True)
    special = make_user("special", halls=[personas.hall], roles=[Role.WINDOW_CLERK])
    special.user_permissions.add(Permission.objects.get(codename="manage_calendar"))
    client.force_login(personas.manager)
    for name in ("boss", "special"):
        assert client.get(reverse("accounts:staff_edit", args=[name])).status_code == 404
    client.force_login(personas.admin)
    assert client.get(reverse("accounts:staff_edit", args=["boss"])).status_code == 404
    assert client.get(reverse("accounts:staff_edit", args=["special"])).status_code == 200


def test_a_hall_manager_still_manages_their_own_halls_staff(client, personas):
    client.force_login(personas.manager)
    data = _form(
        personas,
        username="clerk",
        roles=[Role.WINDOW_CLERK, Role.APPROVER],
        password="New-counter-2026",
        is_active="",
    )
    assert _edit(client, "clerk", data).status_code == 302
    clerk = User.objects.get(username="clerk")
    assert clerk.has_role(Role.APPROVER) and not clerk.is_active
    assert clerk.check_password("New-counter-2026")


def test_the_centre_admin_grants_and_withdraws_centre_roles_with_an_audit_row_each(
    client, personas
):
    client.force_login(personas.admin)
    data = _form(
        personas, username="clerk", roles=[Role.SUPERVISOR, Role.LEGAL_REVIEWER], password=""
    )
    assert _edit(client, "clerk", data).status_code == 302
    clerk = User.objects.get(username="clerk")
    assert clerk.role_codes == {Role.SUPERVISOR, Role.LEGAL_REVIEWER}
    rows = AuditEntry.objects.filter(object_id=str(clerk.pk)).order_by("seq")
    assert [(r.action, r.after.get("role")) for r in rows] == [
        ("staff.updated", None),
        ("staff.role_granted", Role.LEGAL_REVIEWER),
        ("staff.role_granted", Role.SUPERVISOR),
        ("staff.role_revoked", Role.WINDOW_CLERK),
    ]
    assert all(r.actor == personas.admin for r in rows)


@pytest.mark.parametrize(
    "who, role",
    [("admin", Role.SUPERVISOR), ("admin", Role.FEE_REVIEWER), ("manager", Role.APPROVER)],
)
def test_nobody_grants_a_role_to_themselves(client, personas, who, role):
    me = getattr(personas, who)
    held = sorted(me.role_codes)
    client.force_login(me)
    halls = [h.pk for h in me.halls.all()]
    data = _form(personas, username=who, halls=halls, roles=[*held, role], password="")
    if who == "admin":
        data["department"] = ""
    response = _edit(client, who, data)
    assert response.status_code == 403
    assert "不能给自己" in response.content.decode()
    me.refresh_from_db()
    assert sorted(User.objects.get(pk=me.pk).groups.values_list("name", flat=True)) == held
    assert not AuditEntry.objects.exists()


def test_someone_may_give_up_a_role_of_their_own(client, personas):
    personas.admin.groups.add(*personas.supervisor.groups.all())
    client.force_login(personas.admin)
    data = _form(
        personas,
        username="admin",
        halls=[personas.centre.pk],
        department="",
        roles=[Role.CENTRE_ADMIN],
        password="",
    )
    assert _edit(client, "admin", data).status_code == 302
    assert User.objects.get(username="admin").role_codes == {Role.CENTRE_ADMIN}
    assert AuditEntry.objects.filter(action="staff.role_revoked").count() == 1


def test_the_service_refuses_whoever_has_no_right(personas):
    newcomer = User(username="x")
    with pytest.raises(StaffRefused):
        save_staff(
            actor=personas.manager, user=newcomer, halls=[personas.hall], roles=[Role.CENTRE_ADMIN]
        )
    with pytest.raises(StaffRefused):
        save_staff(actor=personas.clerk, user=User(username="y"), halls=[personas.hall], roles=[])
    with pytest.raises(StaffRefused):
        save_staff(  # a hall the manager does not work in
            actor=personas.manager,
            user=User(username="z"),
            halls=[personas.other_hall],
            roles=[Role.WINDOW_CLERK],
        )
    with pytest.raises(StaffRefused):  # an account out of the manager's reach
        save_staff(
            actor=personas.manager,
            user=personas.supervisor,
            halls=[personas.centre],
            roles=[Role.SUPERVISOR],
            password="Taken-over-2026",
        )
    assert not User.objects.filter(username__in=["x", "y", "z"]).exists()
    assert personas.supervisor.__class__.objects.get(pk=personas.supervisor.pk).check_password(
        PASSWORD
    )
    assert not AuditEntry.objects.exists()


def test_a_supervisor_who_sees_every_hall_still_manages_nobody(client, personas):
    client.force_login(personas.supervisor)
    assert client.get(reverse("accounts:staff_list")).status_code == 403
    assert not User.objects.editable_by(personas.supervisor).exists()
    assert grantable_roles(personas.supervisor) == frozenset()


def test_every_role_is_either_a_hall_role_or_a_centre_role():
    """A new role must be placed on one side; the hall roles carry only rights that are
    bounded by the hall (a new permission of the centre's kind fails here)."""
    assert HALL_ROLES | CENTRE_ROLES == set(Role.values)
    assert not HALL_ROLES & CENTRE_ROLES
    assert ALL_HALL_ROLES <= CENTRE_ROLES
    hall_bounded = {
        "accounts.manage_staff",
        "halls.manage_halls",
        "audit.view_auditentry",
        "catalogue.edit_items",
        "cases.handle_cases",
        "cases.approve_extensions",
        "complaints.handle_complaints",
        # an observer's own visits; a hall manager's own halls' files (conduct.services)
        "conduct.record_visits",
        "conduct.view_conduct_files",
        # the window's calling console, the hall's own follow-ups and monthly reports
        "floor.serve_queue",
        "followups.view_followup",
        "reports.view_reports",
        "reports.generate_reports",
        # a hall manager records the training of their own halls (training.services)
        "training.view_training",
        "training.manage_training",
        # the floor statistics of the halls one sees (visible_to)
        "floorstats.view_floor_stats",
        # meetings the hall attended, its own decisions; bulletins issued to the hall
        "meetings.view_meetings",
        "meetings.report_progress",
        "bulletins.acknowledge_bulletins",
        # the yearly ranking's totals (circulated to every hall), the own halls' detail
        # and inspection findings (assessment.views looks them up through visible_to)
        "assessment.view_assessment",
        "assessment.answer_findings",
        # the own halls' monthly report handed in; the process insight of the own halls
        "reports.submit_reports",
        "insight.view_insight",
    }
    for role in HALL_ROLES:
        assert set(ROLE_PERMISSIONS[role]) <= hall_bounded, role
