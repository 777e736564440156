"""Writes of the bulletins: write and publish (the centre), read and acknowledge (the
halls), and a draft made from a month's report.

Each function is one transaction with one audit row; invalid input raises a translated
`ValidationError` and writes nothing. A draft carries a `version`, so a form filled in
on an older state of it is refused.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.audit.services import record
from onewindow.halls.models import Hall
from onewindow.reports.services import ReportError, figures_for, parse_month

from .models import Attachment, Bulletin, Receipt
from .uploads import MAX_ATTACHMENTS, validate_attachment

FIELDS = ("kind", "title", "body", "is_public", "report_to", "send_to")


def _require(actor, perm: str) -> None:
    if not actor.has_perm(perm):
        raise PermissionDenied


def _snapshot(bulletin: Bulletin) -> dict:
    data = {f: getattr(bulletin, f) for f in FIELDS if f != "body"}
    data["body_chars"] = len(bulletin.body)
    data["halls"] = sorted(bulletin.halls.values_list("code", flat=True))
    data["status"] = bulletin.status
    return data


def _no_recipients() -> ValidationError:
    return ValidationError(
        _(
            "Choose who receives the bulletin: halls it is issued to (发), or bodies it "
            "is reported (报) or sent (送) to."
        ),
        code="no_recipients",
    )


def _stale() -> ValidationError:
    return ValidationError(
        _(
            "This bulletin was changed by someone else while you were editing it. Nothing "
            "was saved: open it again and retry."
        ),
        code="stale",
    )


@transaction.atomic
def save_bulletin(
    *,
    actor,
    title: str,
    body: str,
    halls,
    kind: str = Bulletin.Kind.NOTICE,
    is_public: bool = False,
    report_to: str = "",
    send_to: str = "",
    uploads=(),
    bulletin: Bulletin | None = None,
    version: int | None = None,
    source_month: dt.date | None = None,
    request=None,
) -> Bulletin:
    """Write a new bulletin or change a draft. It must have recipients: halls, or named
    bodies to report or send it to."""
    _require(actor, "bulletins.manage_bulletins")
    halls = list(halls)
    report_to = "\n".join(Bulletin.bodies(report_to))
    send_to = "\n".join(Bulletin.bodies(send_to))
    if not halls and not report_to and not send_to:
        raise _no_recipients()
    uploads = list(uploads)
    checked = [(upload, validate_attachment(upload)) for upload in uploads]
    creating = bulletin is None
    before = None
    if creating:
        bulletin = Bulletin(created_by=actor, source_month=source_month)
    else:
        bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
        if version is not None and bulletin.version != version:
            raise _stale()
        if bulletin.status != Bulletin.Status.DRAFT:
            raise ValidationError(_("A published bulletin is not changed."), code="state")
        before = _snapshot(bulletin)
        bulletin.version += 1
    if len(checked) + (0 if creating else bulletin.attachments.count()) > MAX_ATTACHMENTS:
        raise ValidationError(
            _("A bulletin has at most %(n)s attachments.") % {"n": MAX_ATTACHMENTS},
            code="too_many",
        )
    bulletin.kind, bulletin.title, bulletin.body = kind, title.strip(), body.strip()
    bulletin.is_public, bulletin.report_to, bulletin.send_to = is_public, report_to, send_to
    bulletin.full_clean()
    bulletin.save()
    bulletin.halls.set(halls)
    for upload, content_type in checked:
        Attachment.objects.create(
            bulletin=bulletin,
            file=upload,
            original_name=upload.name[:200],
            content_type=content_type,
            size=upload.size,
        )
    after = _snapshot(bulletin)
    after["attachments_added"] = [u.name for u, _t in checked]
    record(
        actor=actor,
        action="bulletin.created" if creating else "bulletin.changed",
        obj=bulletin,
        before=before,
        after=after,
        request=request,
    )
    return bulletin


@transaction.atomic
def publish_bulletin(*, actor, bulletin: Bulletin, version: int | None = None, request=None):
    """Publish a draft: each hall it is issued to gets a receipt to acknowledge."""
    _require(actor, "bulletins.manage_bulletins")
    bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
    if version is not None and bulletin.version != version:
        raise _stale()
    if bulletin.status != Bulletin.Status.DRAFT:
        raise ValidationError(_("This bulletin is already published."), code="state")
    halls = list(bulletin.halls.all())
    if not halls and not bulletin.report_to_list and not bulletin.send_to_list:
        raise _no_recipients()
    bulletin.status = Bulletin.Status.PUBLISHED
    bulletin.published_at = timezone.now()
    bulletin.version += 1
    bulletin.save()
    Receipt.objects.bulk_create([Receipt(bulletin=bulletin, hall=h) for h in halls])
    record(
        actor=actor,
        action="bulletin.published",
        obj=bulletin,
        before={"status": Bulletin.Status.DRAFT},
        after=_snapshot(bulletin),
        request=request,
    )
    return bulletin


def receipts_of(user, bulletin: Bulletin):
    """The receipts of ``bulletin`` for the user's own halls."""
    return bulletin.receipts.filter(hall__in=user.hall_id_set)


@transaction.atomic
def mark_read(*, actor, bulletin: Bulletin, request=None) -> int:
    """Record that the bulletin was opened by somebody of its recipient halls (the first
    opening per hall only). Returns how many receipts were marked."""
    receipts = list(receipts_of(actor, bulletin).filter(read_at__isnull=True).select_for_update())
    now = timezone.now()
    for receipt in receipts:
        receipt.read_at, receipt.read_by = now, actor
        receipt.save(update_fields=["read_at", "read_by"])
        record(
            actor=actor,
            action="bulletin.read",
            obj=bulletin,
            hall=receipt.hall,
            after={"hall": receipt.hall.code},
            request=request,
        )
    return len(receipts)


@transaction.atomic
def acknowledge(*, actor, bulletin: Bulletin, request=None) -> list[Receipt]:
    """The hall manager acknowledges the bulletin for their halls; once."""
    _require(actor, "bulletins.acknowledge_bulletins")
    receipts = list(receipts_of(actor, bulletin).select_for_update().select_related("hall"))
    if not receipts:
        raise PermissionDenied
    pending = [r for r in receipts if r.acknowledged_at is None]
    if not pending:
        raise ValidationError(
            _("Your hall has already acknowledged this bulletin."), code="already"
        )
    now = timezone.now()
    for receipt in pending:
        receipt.acknowledged_at, receipt.acknowledged_by = now, actor
        if receipt.read_at is None:
            receipt.read_at, receipt.read_by = now, actor
        receipt.save()
        record(
            actor=actor,
            action="bulletin.acknowledged",
            obj=bulletin,
            hall=receipt.hall,
            after={"hall": receipt.hall.code},
            request=request,
        )
    return pending


def _pct(rate: dict) -> str:
    if rate["value"] is None:
        return "—"
    return f"{rate['value'] * 100:.1f}%（{rate['num']}/{rate['den']}）"


def ranking_text(month: dt.date, figures: dict) -> str:
    """The body of a bulletin on a month: the centre's totals, then the halls ranked by
    the share of decisions in time against the promised date and by satisfaction."""
    total = figures["levels"]["total"][0]
    rows = figures["levels"]["hall"]
    lines = [
        _(
            "In %(month)s the halls received %(received)s applications and decided "
            "%(decided)s; %(in_time)s of the decisions were in time against the promised "
            "date, and the satisfaction of the ratings was %(satisfaction)s."
        )
        % {
            "month": f"{month:%Y-%m}",
            "received": total["counts"]["received"],
            "decided": total["counts"]["decided"],
            "in_time": _pct(total["rates"]["in_time_promised"]),
            "satisfaction": _pct(total["rates"]["satisfaction"]),
        },
        "",
        _("1. Halls by decisions in time against the promised date"),
    ]

    def by(rate):
        def key(r):
            value = r["rates"][rate]["value"]
            return (value is None, -(value or 0), -r["rates"][rate]["den"], r["code"])

        return sorted(rows, key=key)

    for n, r in enumerate(by("in_time_promised"), 1):
        lines.append(f"{n}. {r['name']}：{_pct(r['rates']['in_time_promised'])}")
    lines += ["", _("2. Halls by satisfaction")]
    for n, r in enumerate(by("satisfaction"), 1):
        lines.append(f"{n}. {r['name']}：{_pct(r['rates']['satisfaction'])}")
    return "\n".join(lines)


@transaction.atomic
def draft_from_report(*, actor, month_text: str, request=None) -> Bulletin:
    """A draft bulletin on a month's figures (the report kept for it, or the month
    counted now), issued to every active sub-centre, for the centre to edit."""
    _require(actor, "bulletins.manage_bulletins")
    try:
        month = parse_month(month_text)
    except ReportError as exc:
        raise ValidationError({"month": str(exc)}) from exc
    figures, _report = figures_for(month, None)
    halls = Hall.objects.active().filter(kind=Hall.Kind.SUB_CENTRE)
    title = _("Bulletin on the halls' service in %(month)s") % {"month": f"{month:%Y-%m}"}
    return save_bulletin(
        actor=actor,
        title=title,
        body=ranking_text(month, figures),
        halls=halls,
        kind=Bulletin.Kind.NOTICE,
        source_month=month,
        request=request,
    )
