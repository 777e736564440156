"""The writes of the assessment (scheme, deductions and bonuses, inspections, locking)
and the scores. Every refusal is an `AssessmentError` with a translated message, raised
before anything is written."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.audit.services import record
from onewindow.cases.uploads import validate_scan
from onewindow.halls.models import Hall

from . import indicators
from .defaults import DEFAULT_BONUS_CAP, DEFAULT_SCHEME
from .models import (
    HUNDRED,
    Adjustment,
    AssessmentScheme,
    Block,
    Indicator,
    Inspection,
    InspectionFinding,
    Result,
)

CENT = Decimal("0.01")


class AssessmentError(Exception):
    """A refusal, with its translated message."""


def q(value) -> Decimal:
    return Decimal(value).quantize(CENT, ROUND_HALF_UP)


def parse_points(text, label: str) -> Decimal:
    try:
        value = Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        raise AssessmentError(_("%(field)s must be a number.") % {"field": label}) from None
    if not value.is_finite() or value < 0 or value > 1000:
        raise AssessmentError(_("%(field)s must be a number.") % {"field": label})
    return q(value)


def parse_year(text) -> int:
    try:
        year = int(str(text))
    except ValueError:
        raise AssessmentError(_("“%(year)s” is not a year.") % {"year": text}) from None
    if not 2000 <= year <= timezone.localdate().year + 1:
        raise AssessmentError(_("“%(year)s” is not a year.") % {"year": text})
    return year


def sub_centres():
    return Hall.objects.filter(kind=Hall.Kind.SUB_CENTRE, is_active=True).order_by(
        "sort_order", "code"
    )


# ------------------------------------------------------------------------ the scheme


def scheme_problems(blocks: list[tuple[Block, list[Indicator]]]) -> list[str]:
    """Why a scheme cannot be used (empty when it can): the blocks must add up to 100
    points, each block's indicators to 100, and an automatic indicator must name a
    registered source."""
    problems = []
    total = sum((b.weight for b, _inds in blocks), Decimal(0))
    if total != HUNDRED:
        problems.append(
            _("The weights of the blocks add up to %(total)s, not 100.") % {"total": q(total)}
        )
    for block, inds in blocks:
        if not inds:
            problems.append(_("The block “%(block)s” has no indicators.") % {"block": block})
            continue
        subtotal = sum((i.weight for i in inds), Decimal(0))
        if subtotal != HUNDRED:
            problems.append(
                _("The indicators of “%(block)s” add up to %(total)s, not 100.")
                % {"block": block, "total": q(subtotal)}
            )
        for i in inds:
            if i.weight <= 0:
                problems.append(_("“%(name)s” needs a weight above 0.") % {"name": i.name})
            if i.method == Indicator.Method.AUTOMATIC and i.source not in indicators.REGISTRY:
                problems.append(
                    _("“%(name)s” is automatic but “%(source)s” is no automatic indicator.")
                    % {"name": i.name, "source": i.source or "—"}
                )
    return problems


def structure(scheme: AssessmentScheme) -> list[tuple[Block, list[Indicator]]]:
    blocks = list(scheme.blocks.prefetch_related("indicators"))
    for b in blocks:
        for i in b.indicators.all():
            i.block = b  # full_points without a query
    return [(b, list(b.indicators.all())) for b in blocks]


def check_usable(scheme: AssessmentScheme) -> list[tuple[Block, list[Indicator]]]:
    blocks = structure(scheme)
    problems = scheme_problems(blocks)
    if problems:
        raise AssessmentError(
            _("The scheme of %(year)s cannot be used: %(problems)s")
            % {"year": scheme.year, "problems": " ".join(problems)}
        )
    return blocks


@transaction.atomic
def create_scheme(*, actor, year: int, request=None) -> AssessmentScheme:
    """The year's scheme: a copy of the latest earlier year's, or the default one."""
    if AssessmentScheme.objects.filter(year=year).exists():
        raise AssessmentError(_("There is a scheme for %(year)s already.") % {"year": year})
    earlier = AssessmentScheme.objects.filter(year__lt=year).order_by("-year").first()
    scheme = AssessmentScheme.objects.create(
        year=year, bonus_cap=earlier.bonus_cap if earlier else DEFAULT_BONUS_CAP
    )
    if earlier:
        layout = [
            (b.code, b.weight, [(i.code, i.name, i.weight, i.method, i.source) for i in inds])
            for b, inds in structure(earlier)
        ]
    else:
        layout = DEFAULT_SCHEME
    fill_scheme(scheme, layout)
    record(
        actor=actor,
        action="assessment.scheme_created",
        obj=scheme,
        after={"year": year, "copied_from": earlier.year if earlier else None},
        request=request,
    )
    return scheme


def fill_scheme(scheme, layout) -> None:
    for n, (code, weight, inds) in enumerate(layout):
        block = Block.objects.create(scheme=scheme, code=code, weight=weight, order=n)
        Indicator.objects.bulk_create(
            Indicator(block=block, code=c, name=name, weight=w, method=m, source=s, order=k)
            for k, (c, name, w, m, s) in enumerate(inds)
        )


@transaction.atomic
def edit_scheme(*, actor, scheme: AssessmentScheme, data, request=None) -> None:
    """Apply the weights, methods, sources and names posted for every block and indicator
    (`block-<id>-weight`, `ind-<id>-weight|method|source|name`) and the bonus cap, all
    at once: a scheme whose weights do not add up is refused and nothing changes."""
    scheme = AssessmentScheme.objects.select_for_update().get(pk=scheme.pk)
    if scheme.is_locked:
        raise AssessmentError(
            _("The scores of %(year)s are locked: the scheme can no longer change.")
            % {"year": scheme.year}
        )
    blocks = structure(scheme)
    before = _snapshot(scheme, blocks)
    bonus_cap = parse_points(data.get("bonus_cap", scheme.bonus_cap), _("Bonus points at most"))
    for block, inds in blocks:
        block.weight = parse_points(data.get(f"block-{block.pk}-weight", block.weight),
                                    str(block))  # fmt: skip
        for i in inds:
            p = f"ind-{i.pk}-"
            i.weight = parse_points(data.get(p + "weight", i.weight), i.name)
            name = str(data.get(p + "name", i.name)).strip()
            if not name or len(name) > 100:
                raise AssessmentError(_("Every indicator needs a name of at most 100 characters."))
            i.name = name
            method = data.get(p + "method", i.method)
            if method not in Indicator.Method.values:
                raise AssessmentError(
                    _("Choose automatic or manual for “%(name)s”.") % {"name": name}
                )
            i.method = method
            i.source = (
                str(data.get(p + "source", i.source)).strip() if method == "automatic" else ""
            )
    problems = scheme_problems(blocks)
    if problems:
        raise AssessmentError(" ".join(problems))
    scheme.bonus_cap = bonus_cap
    scheme.save(update_fields=["bonus_cap", "updated_at"])
    for block, inds in blocks:
        block.save(update_fields=["weight"])
        for i in inds:
            i.save(update_fields=["weight", "name", "method", "source"])
    record(
        actor=actor,
        action="assessment.scheme_edited",
        obj=scheme,
        before=before,
        after=_snapshot(scheme, blocks),
        request=request,
    )


def _snapshot(scheme, blocks) -> dict:
    return {
        "bonus_cap": str(scheme.bonus_cap),
        "blocks": {
            b.code: {
                "weight": str(b.weight),
                "indicators": {i.code: [str(i.weight), i.method, i.source, i.name] for i in inds},
            }
            for b, inds in blocks
        },
    }


# ------------------------------------------------------------------------ the scores


def _f(value) -> float:
    return float(q(value))


def hall_detail(scheme, blocks, hall, adjustments: list[Adjustment]) -> dict:
    """One hall's points: per indicator its score (automatic, or 100 for a manual one),
    its points, the deductions taken from them (not below 0); the bonuses (up to the
    scheme's cap) on top."""
    deducted: dict[int, Decimal] = {}
    bonus = Decimal(0)
    for a in adjustments:
        if a.kind == Adjustment.Kind.DEDUCTION:
            deducted[a.indicator_id] = deducted.get(a.indicator_id, Decimal(0)) + a.points
        else:
            bonus += a.points
    bonus = min(bonus, scheme.bonus_cap)
    out_blocks, total = [], Decimal(0)
    for block, inds in blocks:
        block_points, rows = Decimal(0), []
        for i in inds:
            if i.method == Indicator.Method.AUTOMATIC:
                m = indicators.measure(i.source, hall, scheme.year)
                score, evidence = m.score, m.evidence
            else:
                score, evidence = HUNDRED, {}
            full = i.full_points
            earned = full * score / HUNDRED
            off = min(deducted.get(i.pk, Decimal(0)), earned)
            points = earned - off
            block_points += points
            rows.append({
                "id": i.pk, "code": i.code, "name": i.name, "method": i.method,
                "source": i.source, "full": _f(full), "score": _f(score),
                "earned": _f(earned), "deducted": _f(off), "points": _f(points),
                "evidence": evidence,
            })  # fmt: skip
        total += block_points
        out_blocks.append({
            "code": block.code, "weight": _f(block.weight),
            "points": _f(block_points), "indicators": rows,
        })  # fmt: skip
    total += bonus
    return {"code": hall.code, "name": hall.name, "blocks": out_blocks,
            "bonus": _f(bonus), "total": _f(total)}  # fmt: skip


def _ranked(details: list[dict]) -> list[dict]:
    """Highest total first; equal totals share a rank (1, 2, 2, 4)."""
    details.sort(key=lambda d: (-d["total"], d["code"]))
    for n, d in enumerate(details):
        same = n and details[n - 1]["total"] == d["total"]
        d["rank"] = details[n - 1]["rank"] if same else n + 1
    return details


def ranking(scheme: AssessmentScheme) -> list[dict]:
    """The sub-centres' scores of the year, ranked: the locked ones once the year is
    locked, else counted now. An unusable scheme is refused."""
    if scheme.is_locked or scheme.results.exists():
        return [dict(r.detail, rank=r.rank) for r in scheme.results.order_by("rank", "hall__code")]
    blocks = check_usable(scheme)
    adjustments: dict[int, list] = {}
    for a in Adjustment.objects.filter(scheme=scheme):
        adjustments.setdefault(a.hall_id, []).append(a)
    return _ranked([
        hall_detail(scheme, blocks, hall, adjustments.get(hall.pk, []))
        for hall in sub_centres()
    ])  # fmt: skip


def one_hall(scheme: AssessmentScheme, hall: Hall) -> dict:
    for d in ranking(scheme):
        if d["code"] == hall.code:
            return d
    blocks = check_usable(scheme)
    return dict(hall_detail(scheme, blocks, hall, list(scheme.adjustments.filter(hall=hall))),
                rank=None)  # fmt: skip


@transaction.atomic
def lock_scores(*, actor, scheme: AssessmentScheme, request=None, today=None) -> list[Result]:
    """Keep the year's scores as they are now; the scheme, deductions and bonuses of
    the year can no longer change. Only a year that is over can be locked."""
    given = scheme
    scheme = AssessmentScheme.objects.select_for_update().get(pk=scheme.pk)
    today = today or timezone.localdate()
    if scheme.is_locked:
        raise AssessmentError(
            _("The scores of %(year)s are locked already.") % {"year": scheme.year}
        )
    if scheme.year >= today.year:
        raise AssessmentError(
            _("%(year)s is not over yet: its scores can be locked from 1 January.")
            % {"year": scheme.year}
        )
    details = ranking(scheme)
    halls = {h.code: h for h in sub_centres()}
    results = Result.objects.bulk_create(
        Result(
            scheme=scheme,
            hall=halls[d["code"]],
            total=Decimal(str(d["total"])),
            rank=d["rank"],
            detail=d,
        )  # fmt: skip
        for d in details
    )
    scheme.locked_at, scheme.locked_by = timezone.now(), actor
    scheme.save(update_fields=["locked_at", "locked_by", "updated_at"])
    given.locked_at, given.locked_by = scheme.locked_at, actor
    record(
        actor=actor,
        action="assessment.scores_locked",
        obj=scheme,
        after={"year": scheme.year, "ranking": [[d["code"], d["total"]] for d in details]},
        request=request,
    )
    return results


# ---------------------------------------------------------- deductions and bonuses


@transaction.atomic
def record_adjustment(
    *, actor, scheme: AssessmentScheme, hall: Hall, indicator_id, kind: str, points,
    reason: str, note: str = "", upload=None, finding: InspectionFinding | None = None,
    request=None,
) -> Adjustment:  # fmt: skip
    """A deduction from one indicator's points, or a bonus, with its evidence (a scan or
    a note; a deduction or bonus without one is refused) and the inspector (the actor)."""
    scheme = AssessmentScheme.objects.select_for_update().get(pk=scheme.pk)
    if scheme.is_locked:
        raise AssessmentError(
            _("The scores of %(year)s are locked: no more deductions or bonuses.")
            % {"year": scheme.year}
        )
    if hall.kind != Hall.Kind.SUB_CENTRE:
        raise AssessmentError(_("Only sub-centres are assessed."))
    if kind not in Adjustment.Kind.values:
        raise AssessmentError(_("Choose a deduction or a bonus."))
    indicator = (
        Indicator.objects.select_related("block")
        .filter(block__scheme=scheme, pk=indicator_id if str(indicator_id).isdigit() else 0)
        .first()
    )
    if indicator is None:
        raise AssessmentError(
            _("Choose an indicator of the %(year)s scheme.") % {"year": scheme.year}
        )
    value = parse_points(points, _("Points"))
    if value <= 0:
        raise AssessmentError(_("The points must be above 0."))
    if kind == Adjustment.Kind.DEDUCTION and value > indicator.full_points:
        raise AssessmentError(
            _("“%(name)s” is worth %(full)s points: no more can be deducted from it.")
            % {"name": indicator.name, "full": q(indicator.full_points)}
        )
    if kind == Adjustment.Kind.BONUS and value > scheme.bonus_cap:
        raise AssessmentError(
            _("A bonus is at most %(cap)s points.") % {"cap": q(scheme.bonus_cap)}
        )
    reason, note = (reason or "").strip(), (note or "").strip()
    if not reason:
        raise AssessmentError(_("Say why the points are deducted or added."))
    if not note and not upload:
        raise AssessmentError(
            _("A deduction or bonus needs its evidence: a scan (PDF, JPG, PNG) or a note.")
        )
    content_type = ""
    if upload:
        try:
            content_type = validate_scan(upload)
        except ValidationError as e:
            raise AssessmentError(" ".join(e.messages)) from None
    if finding is not None and finding.inspection.hall_id != hall.pk:
        raise AssessmentError(_("That finding is of another hall."))
    adjustment = Adjustment(
        scheme=scheme, hall=hall, indicator=indicator, kind=kind, points=value,
        reason=reason, evidence_note=note, evidence_type=content_type,
        finding=finding, inspector=actor,
    )  # fmt: skip
    if upload:
        adjustment.evidence.save(upload.name, upload, save=False)
    adjustment.save()
    record(
        actor=actor,
        action=f"assessment.{kind}",
        obj=adjustment,
        hall=hall,
        after={"year": scheme.year, "indicator": indicator.code, "points": str(value),
               "reason": reason, "note": note, "file": adjustment.evidence.name or ""},
        request=request,
    )  # fmt: skip
    return adjustment


# --------------------------------------------------------------------- inspections


@transaction.atomic
def record_inspection(
    *, actor, hall: Hall, date: dt.date, inspectors, summary: str,
    findings: list[tuple[str, dt.date]], request=None,
) -> Inspection:  # fmt: skip
    """An inspection of a hall by named inspectors, with its findings, each to be fixed
    by a date."""
    if hall.kind != Hall.Kind.SUB_CENTRE:
        raise AssessmentError(_("Only sub-centres are assessed."))
    if date is None:
        raise AssessmentError(_("Give the date of the inspection."))
    if date > timezone.localdate():
        raise AssessmentError(_("An inspection is recorded on or after its date."))
    inspectors = list(inspectors)
    if not inspectors:
        raise AssessmentError(_("Name at least one inspector."))
    summary = (summary or "").strip()
    if not summary:
        raise AssessmentError(_("Write what the inspection looked at."))
    for text, fix_by in findings:
        if not text.strip():
            raise AssessmentError(_("Every finding needs a description."))
        if fix_by is None or fix_by < date:
            raise AssessmentError(_("A finding is fixed by a date after the inspection."))
    inspection = Inspection.objects.create(hall=hall, date=date, summary=summary, recorded_by=actor)
    inspection.inspectors.set(inspectors)
    InspectionFinding.objects.bulk_create(
        InspectionFinding(inspection=inspection, description=t.strip(), fix_by=d)
        for t, d in findings
    )
    record(
        actor=actor,
        action="assessment.inspection_recorded",
        obj=inspection,
        hall=hall,
        after={"date": date.isoformat(), "inspectors": [u.username for u in inspectors],
               "summary": summary, "findings": [[t, d.isoformat()] for t, d in findings]},
        request=request,
    )  # fmt: skip
    return inspection


@transaction.atomic
def act_on_finding(*, actor, finding: InspectionFinding, action: str, note: str = "",
                   request=None) -> InspectionFinding:  # fmt: skip
    """fix (the hall: what was done), verify or reopen (the centre)."""
    finding = InspectionFinding.objects.select_for_update().get(pk=finding.pk)
    if action not in InspectionFinding.TRANSITIONS:
        raise AssessmentError(_("Unknown action."))
    sources, target = InspectionFinding.TRANSITIONS[action]
    if finding.status not in sources:
        raise AssessmentError(
            _("The finding is “%(status)s”: that cannot be done now.")
            % {"status": finding.get_status_display()}
        )
    note = (note or "").strip()
    before = finding.status
    now = timezone.now()
    if action == "fix":
        if not note:
            raise AssessmentError(_("Say what was done to fix it."))
        finding.fixed_at, finding.fix_note = now, note
    elif action == "verify":
        finding.verified_at, finding.verified_by = now, actor
    else:
        if not note:
            raise AssessmentError(_("Say why the fix is not accepted."))
        finding.fixed_at = None
        finding.fix_note = f"{finding.fix_note}\n— {note}".strip()
    finding.status = target
    finding.save()
    record(
        actor=actor,
        action=f"assessment.finding_{action}",
        obj=finding,
        hall=finding.inspection.hall,
        before={"status": before},
        after={"status": target, "note": note},
        request=request,
    )
    return finding
