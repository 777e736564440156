"""Helpers of the conduct tests: an appointed observer, a visit, findings, photos."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from onewindow.accounts.roles import Role
from onewindow.conduct import services
from onewindow.conduct.models import ConductClause, Finding, ObserverProfile, Visit
from onewindow.factories import make_user

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 64


def png(name: str = "photo.png", content: bytes = PNG) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, "image/png")


def make_observer(username: str = "observer", *, halls=(), **profile) -> object:
    """A user with the conduct observer role, appointed for a term around today."""
    user = make_user(username, halls=halls, roles=[Role.CONDUCT_OBSERVER], full_name="人大代表老周")
    today = timezone.localdate()
    ObserverProfile.objects.create(
        user=user,
        organisation=profile.get("organisation", "npc"),
        term_from=profile.get("term_from", today - timedelta(days=365)),
        term_to=profile.get("term_to", today + timedelta(days=365)),
        active=profile.get("active", True),
    )
    return user


def clause(code: str = "4.2") -> ConductClause:
    return ConductClause.objects.get(code=code)


def make_visit(observer, hall, *, windows=(), summary="上午暗访", at=None) -> Visit:
    return services.record_visit(
        actor=observer,
        hall=hall,
        visited_at=at or timezone.now() - timedelta(hours=1),
        windows=windows,
        summary=summary,
    )


def make_finding(
    observer, visit, *, kind=Finding.Kind.NEGATIVE, code="4.2", staff=None, window=None,
    photos=(), description="窗口工作人员上班时间玩手机游戏",
) -> Finding:  # fmt: skip
    return services.add_finding(
        actor=observer,
        visit=visit,
        clause=clause(code),
        kind=kind,
        description=description,
        window=window,
        staff=staff,
        photos=photos,
    )


def term(years_ago: int) -> tuple[date, date]:
    today = timezone.localdate()
    return today.replace(year=today.year - years_ago - 1), today.replace(
        year=today.year - years_ago
    )


def make_conduct_world(personas, observer) -> dict:
    """For the access matrix: the observer appointed, a visit to the personas' hall with a
    shortcoming (and its photo) about the clerk; the values its routes take."""
    ObserverProfile.objects.get_or_create(
        user=observer,
        defaults={
            "organisation": "citizen",
            "term_from": timezone.localdate() - timedelta(days=30),
            "term_to": timezone.localdate() + timedelta(days=365),
        },
    )
    visit = make_visit(observer, personas.hall, windows=[personas.window])
    finding = make_finding(observer, visit, staff=personas.clerk, photos=[png()])
    return {
        "visit_pk": visit.pk,
        "finding_pk": finding.pk,
        "photo_pk": finding.photos.get().pk,
        "clause": "4.2",
        "observer": observer.username,
    }
