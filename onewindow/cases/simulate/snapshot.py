"""What the simulation reads from the database once: halls, hours, windows, staff and the
published catalogue, shaped for fast generation (tuples of ids, JSON fragments)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

DEFAULT_HOURS = (8 * 3600 + 1800, 17 * 3600 + 1800)
LICENSING = "01"


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


@dataclass
class HallPlan:
    """A hall as the simulation needs it: hours, windows and staff pools by role."""

    index: int
    id: int
    code: str
    hours: tuple  # per weekday: (opens, closes) in seconds of the day, or None
    windows: tuple
    windows_by_dept: dict
    staff: dict  # role -> {department_id | None: tuple of user ids}
    usernames: dict  # user id -> username
    offers: list = field(default_factory=list)
    cum_weights: list = field(default_factory=list)
    weight: float = 0.0
    arrivals: dict = field(default_factory=dict)  # hours -> (slot starts, cum weights, last)

    def pool(self, roles: tuple[str, ...], department_id=None) -> tuple:
        """Staff of the hall with the first of ``roles`` that someone holds, those of
        ``department_id`` first (the services' rule for steps); (None,) when nobody."""
        for role in roles:
            by_dept = self.staff.get(role)
            if by_dept and by_dept.get(department_id):
                return by_dept[department_id]
        for role in roles:
            by_dept = self.staff.get(role)
            if by_dept:
                return by_dept[None]
        return self.staff.get("*", {}).get(None) or (None,)

    def office_hours(self, weekday: int) -> tuple[int, int]:
        """Hours for back-office work on a working day (a swapped Saturday works weekday hours)."""
        return self.hours[weekday] or next((h for h in self.hours[:5] if h), DEFAULT_HOURS)

    def public_hours(self, d: date, working: bool, holidays) -> tuple[int, int] | None:
        """When the hall receives the public on ``d``, or None when it is closed.

        Working days follow the weekday's opening hours (a swapped weekend working day
        those of the weekdays); other days only the hall's own weekend hours, never on a
        public holiday.
        """
        wd = d.weekday()
        if working:
            if wd < 5:
                return self.hours[wd]
            return next((h for h in self.hours[:5] if h), None)
        if d in holidays:
            return None
        return self.hours[wd]


@dataclass
class StepPlan:
    step_id: int
    position: int
    name: str
    role: str
    limit_days: int
    pool: tuple  # who may take it
    assigned_json: dict  # assignee id -> the data of the step_assigned event
    decided_json: dict  # (decision, final) -> the data of the step_decided event


@dataclass
class Offer:
    """One published item version as handled in one hall."""

    hall: HallPlan
    item_id: int
    version_id: int
    version_number: int
    department_id: int
    code: str
    name: str
    immediate: bool
    legal: int
    promised: int
    max_extension: int
    steps: tuple[StepPlan, ...]
    clerks: tuple
    approvers: tuple
    windows: tuple
    fee: str | None
    has_certificate: bool
    materials: tuple  # (material id, name, required)
    required: tuple  # (material id, name) of the required materials
    followable: tuple  # (material id, name) that may follow later (容缺)
    organisation_share: float
    weight: float = 0.0
    received: str = ""  # the data of its `received` event when everything is handed in
    material_rows: tuple = ()  # (material id, name, required, provided, to_follow) when complete
    fee_json: str = ""  # the data of the fee_charged event
    fee_lines: tuple = ()  # (fee id, name, waived, reduced, extra copies, due) as charged

    def __post_init__(self):
        self.material_rows = tuple(
            (mid, name, req, req, False) for mid, name, req in self.materials
        )

    def received_json(self, missing=()) -> str:
        provided = sorted(mid for mid, _n, req in self.materials if req and mid not in missing)
        return _json(
            {
                "item": self.code,
                "version": self.version_number,
                "provided": provided,
                "source": "simulation",
            }
        )


@dataclass
class Snapshot:
    halls: list[HallPlan]
    holidays: frozenset
    calendar: object

    @property
    def offers(self) -> list[Offer]:
        return [o for h in self.halls for o in h.offers]


def _seconds(t) -> int:
    return t.hour * 3600 + t.minute * 60 + t.second


def _organisation_share(version) -> float:
    """Companies apply for licences in tax, market, construction…; people for the rest."""
    name = version.name
    if any(w in name for w in ("企业", "公司", "单位", "经营", "施工", "生产", "建设")):
        return 0.85
    return 0.12


def load_snapshot(hall_codes=None, calendar=None) -> Snapshot:
    """Read halls, hours, windows, staff and the published catalogue (a few queries)."""
    from onewindow.accounts.models import User
    from onewindow.catalogue.models import ItemVersion
    from onewindow.halls.models import Hall, OpeningHours, Window
    from onewindow.workdays.models import CalendarDay
    from onewindow.workdays.services import get_calendar

    from .. import fees

    halls_qs = Hall.objects.filter(is_active=True).order_by("sort_order", "code")
    if hall_codes:
        halls_qs = halls_qs.filter(code__in=[c.upper() for c in hall_codes])
    halls = []
    for index, hall in enumerate(halls_qs):
        hours: list = [None] * 7
        for oh in OpeningHours.objects.filter(hall=hall).order_by("weekday", "opens"):
            o, c = _seconds(oh.opens), _seconds(oh.closes)
            prev = hours[oh.weekday]
            hours[oh.weekday] = (min(o, prev[0]), max(c, prev[1])) if prev else (o, c)
        windows = list(
            Window.objects.filter(hall=hall, is_active=True)
            .order_by("number")
            .values_list("pk", "department_id")
        )
        by_dept: dict = {}
        for pk, dept in windows:
            by_dept.setdefault(dept, []).append(pk)
        staff: dict = {}
        usernames = {}
        users = (
            User.objects.filter(halls=hall, is_active=True)
            .order_by("pk")
            .prefetch_related("groups")
        )
        for user in users:
            usernames[user.pk] = user.username
            for role in sorted(g.name for g in user.groups.all()) + ["*"]:
                by = staff.setdefault(role, {None: []})
                by[None].append(user.pk)
                if user.department_id:
                    by.setdefault(user.department_id, []).append(user.pk)
        halls.append(
            HallPlan(
                index=index,
                id=hall.pk,
                code=hall.code,
                hours=tuple(hours),
                windows=tuple(pk for pk, _d in windows),
                windows_by_dept={k: tuple(v) for k, v in by_dept.items()},
                staff={role: {k: tuple(v) for k, v in by.items()} for role, by in staff.items()},
                usernames=usernames,
            )
        )
    by_id = {h.id: h for h in halls}
    versions = (
        ItemVersion.objects.published()
        .select_related("item")
        .prefetch_related("halls", "steps", "materials", "fees")
        .order_by("item__implementation_code", "pk")
    )
    for version in versions:
        if version.item.published_version_id != version.pk:
            continue
        steps = sorted(version.steps.all(), key=lambda s: (s.position, s.pk))
        materials = sorted(version.materials.all(), key=lambda m: (m.position, m.pk))
        # The simulated windows charge every fee as published, no condition applied
        # (priced by cases.fees, as the services do); a per-unit standard is not charged.
        lines = [line for line in fees.price_lines(version.fees.all(), []) if line.due is not None]
        total = fees.expected_total(lines)
        fee = f"{total:.2f}" if lines and total > 0 else None
        fee_json = (
            _json(
                {
                    "charged": fee,
                    "standard": fee,
                    "lines": [{**fees.line_data(x), "due": f"{x.due:.2f}"} for x in lines],
                }
            )
            if fee
            else ""
        )
        fee_lines = tuple(
            (x.fee_id, x.name, x.waived, x.reduced, x.extra_copies, x.due) for x in lines
        )
        for hall_obj in sorted(version.halls.all(), key=lambda h: h.pk):
            hall = by_id.get(hall_obj.pk)
            if hall is None:
                continue
            dept = version.item.department_id
            plans = []
            for n, s in enumerate(steps, start=1):
                pool = hall.pool((s.role,), dept)
                assigned = {
                    uid: _json(
                        {
                            "step": s.name,
                            "role": s.role,
                            "assignee": hall.usernames.get(uid),
                            "assignee_id": uid,
                            "auto": True,
                        }
                    )
                    for uid in pool
                }
                decided = {
                    (d, final): _json(
                        {"step": s.name, "role": s.role, "decision": d, "final": final}
                    )
                    for d in ("pass", "approve", "reject")
                    for final in (False, True)
                }
                plans.append(
                    StepPlan(s.pk, n, s.name, s.role, s.limit_days, pool, assigned, decided)
                )
            hall.offers.append(
                Offer(
                    hall=hall,
                    item_id=version.item_id,
                    version_id=version.pk,
                    version_number=version.number,
                    department_id=dept,
                    code=version.item.implementation_code,
                    name=version.name,
                    immediate=version.is_immediate,
                    legal=version.legal_limit_days,
                    promised=version.promised_limit_days,
                    max_extension=version.max_extension_days,
                    steps=tuple(plans),
                    clerks=hall.pool(("window_clerk", "handler", "hall_manager"), dept),
                    # Approvers and hall managers together, so that an extension can be
                    # approved by someone other than the approver who asks for it.
                    approvers=tuple(
                        sorted(
                            {p for r in ("approver", "hall_manager") for p in hall.pool((r,), dept)}
                            - {None}
                        )
                    )
                    or (None,),
                    windows=hall.windows_by_dept.get(dept) or hall.windows or (None,),
                    fee=fee,
                    fee_json=fee_json,
                    fee_lines=fee_lines if fee else (),
                    has_certificate=version.item_type == LICENSING
                    or bool((version.result_name or "").strip()),
                    materials=tuple((m.pk, m.name, m.required) for m in materials),
                    required=tuple((m.pk, m.name) for m in materials if m.required),
                    followable=tuple(
                        (m.pk, m.name) for m in materials if m.may_follow_later and m.required
                    ),
                    organisation_share=_organisation_share(version),
                )
            )
    holidays = frozenset(
        CalendarDay.objects.filter(kind=CalendarDay.Kind.HOLIDAY).values_list("day", flat=True)
    )
    return Snapshot(halls=halls, holidays=holidays, calendar=calendar or get_calendar())
