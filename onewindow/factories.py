"""Test data helpers: `make_*` functions and named personas. No JSON fixtures.

Personas (see `Personas`): a window clerk, a handler, a reviewer and an approver of the
vehicle sub-centre, its hall manager, the centre administrator, a supervision officer, a
legal and a fee reviewer, and an outsider: a clerk of another hall.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from onewindow.accounts.models import User
from onewindow.accounts.roles import Role
from onewindow.halls.models import Department, Hall, Window

PASSWORD = "Test-pass-2026"
_counter = itertools.count(1)
_password_hash = None


def _hash() -> str:
    global _password_hash
    if _password_hash is None:
        _password_hash = make_password(PASSWORD)
    return _password_hash


def make_department(code: str | None = None, name: str | None = None) -> Department:
    n = next(_counter)
    code = code or f"D{n}"
    return Department.objects.get_or_create(code=code, defaults={"name": name or f"部门{code}"})[0]


def make_hall(
    code: str | None = None, *, kind=Hall.Kind.SUB_CENTRE, parent=None, department=None, name=None
) -> Hall:
    n = next(_counter)
    code = code or f"H{n}"
    return Hall.objects.get_or_create(
        code=code,
        defaults={
            "name": name or f"测试分中心{code}",
            "kind": kind,
            "parent": parent,
            "department": department,
        },
    )[0]


def make_window(hall: Hall, number: int = 1, department=None) -> Window:
    return Window.objects.get_or_create(
        hall=hall, number=number, defaults={"department": department}
    )[0]


def make_user(
    username: str | None = None,
    *,
    halls=(),
    roles=(),
    department=None,
    full_name="",
    qualified: bool = True,
) -> User:
    """A staff member; ``qualified`` (the default) gives them the training records that
    let them serve at a window (`qualify`), so that signing in at a window works."""
    from django.contrib.auth.models import Group

    username = username or f"user{next(_counter)}"
    user = User.objects.create(
        username=username, full_name=full_name or username, department=department, password=_hash()
    )
    user.halls.set(halls)
    user.groups.set(Group.objects.filter(name__in=list(roles)))
    if qualified:
        qualify(user)
    return user


# Years of the test sessions that qualify staff: a frozen clock anywhere in them finds a
# qualifying pass of that year or the last, and 24 hours the year before.
QUALIFYING_YEARS = range(2015, 2031)


def qualify(user: User) -> None:
    """Record ``user`` as passing a qualifying course of 24 hours on 2 January of every
    year of `QUALIFYING_YEARS`: qualified under the default training rule on any day."""
    import datetime as dt
    from decimal import Decimal

    from onewindow.training.models import Attendance, TrainingSession

    topic = "测试岗前培训"
    sessions = {s.date.year: s for s in TrainingSession.objects.filter(topic=topic)}
    missing = [
        TrainingSession(
            date=dt.date(year, 1, 2),
            hours=Decimal("24"),
            topic=topic,
            trainer="测试",
            has_exam=True,
            qualifying=True,
        )
        for year in QUALIFYING_YEARS
        if year not in sessions
    ]
    if missing:
        TrainingSession.objects.bulk_create(missing)
        sessions = {s.date.year: s for s in TrainingSession.objects.filter(topic=topic)}
    Attendance.objects.bulk_create(
        (
            Attendance(session=s, user=user, result=Attendance.Result.PASSED)
            for s in sessions.values()
        ),
        ignore_conflicts=True,
    )


@dataclass
class Personas:
    centre: Hall
    hall: Hall
    other_hall: Hall
    department: Department
    other_department: Department
    window: Window
    clerk: User
    handler: User
    reviewer: User
    approver: User
    manager: User
    admin: User
    supervisor: User
    legal: User
    fee: User
    outsider: User


def make_personas() -> Personas:
    centre = make_hall("ZX", kind=Hall.Kind.CENTRE, name="测试市行政服务中心")
    dept = make_department("GA", "市公安局")
    other_dept = make_department("MZ", "市民政局")
    hall = make_hall("CG", parent=centre, department=dept, name="车辆管理分中心")
    other = make_hall("MZ", parent=centre, department=other_dept, name="民政分中心")
    window = make_window(hall, 1, dept)
    make_window(other, 1, other_dept)
    return Personas(
        centre=centre,
        hall=hall,
        other_hall=other,
        department=dept,
        other_department=other_dept,
        window=window,
        clerk=make_user(
            "clerk", halls=[hall], roles=[Role.WINDOW_CLERK], department=dept, full_name="窗口小王"
        ),
        handler=make_user(
            "handler", halls=[hall], roles=[Role.HANDLER], department=dept, full_name="承办小李"
        ),
        reviewer=make_user(
            "reviewer", halls=[hall], roles=[Role.REVIEWER], department=dept, full_name="审核老张"
        ),
        approver=make_user(
            "approver", halls=[hall], roles=[Role.APPROVER], department=dept, full_name="审批陈科"
        ),
        manager=make_user(
            "manager",
            halls=[hall],
            roles=[Role.HALL_MANAGER],
            department=dept,
            full_name="车管科长",
        ),
        admin=make_user("admin", halls=[centre], roles=[Role.CENTRE_ADMIN], full_name="中心主任"),
        supervisor=make_user(
            "supervisor", halls=[centre], roles=[Role.SUPERVISOR], full_name="监察员"
        ),
        legal=make_user("legal", halls=[centre], roles=[Role.LEGAL_REVIEWER], full_name="法制审核"),
        fee=make_user("fee", halls=[centre], roles=[Role.FEE_REVIEWER], full_name="收费审核"),
        outsider=make_user(
            "outsider",
            halls=[other],
            roles=[Role.WINDOW_CLERK],
            department=other_dept,
            full_name="民政窗口",
        ),
    )
