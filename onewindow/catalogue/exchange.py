"""Excel exchange of the catalogue (docs/CATALOGUE_XLSX.md describes the workbook).

Export writes one row per item (its newest version, or with ``published_only`` the version in
force) and one row per material, step and fee. Import reads the same workbook back: every row
is checked first, and a file with any bad row imports nothing. Imported content becomes a new
version of the item, submitted to legal review like any edited draft; rows identical to the
item's newest version change nothing, so importing the same file twice is harmless.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.audit.services import record
from onewindow.core.scoping import visible_hall_ids
from onewindow.halls.models import Department, Hall

from . import services
from .filters import FALSE_WORDS, TRUE_WORDS
from .models import (
    CATALOGUE_CODE_RE,
    IMPLEMENTATION_CODE_RE,
    Fee,
    ItemType,
    ItemVersion,
    Material,
    ServiceItem,
    Step,
)

ITEM_COLUMNS = [
    "implementation_code",
    "catalogue_code",
    "department",
    "name",
    "item_type",
    "handling",
    "legal_limit_days",
    "promised_limit_days",
    "is_joint",
    "halls",
    "legal_basis",
    "conditions",
    "result_name",
    "visits_needed",
    "online_available",
    "consult_phone",
    "complaint_phone",
]
MATERIAL_COLUMNS = [
    "implementation_code",
    "name",
    "required",
    "originals",
    "copies",
    "form",
    "may_follow_later",
    "note",
]
STEP_COLUMNS = ["implementation_code", "name", "role", "limit_days"]
FEE_COLUMNS = ["implementation_code", "name", "amount", "standard", "basis", "waivable"]

SHEETS = {
    "items": ITEM_COLUMNS,
    "materials": MATERIAL_COLUMNS,
    "steps": STEP_COLUMNS,
    "fees": FEE_COLUMNS,
}

# Column descriptions for the "readme" sheet of every exported file (and the template).
COLUMN_HELP = {
    "implementation_code": gettext_lazy(
        "Implementation code of the item (letters, digits, hyphens)"
    ),
    "catalogue_code": gettext_lazy("National catalogue code, 12 letters or digits"),
    "department": gettext_lazy("Department code, e.g. GA"),
    "name": gettext_lazy("Name"),
    "item_type": gettext_lazy(
        "Item type code: 01 licensing … 07 confirmation … 10 other, 20 public service"
    ),
    "handling": gettext_lazy("immediate (即办件) or promised (承诺件)"),
    "legal_limit_days": gettext_lazy("Legal time limit in working days"),
    "promised_limit_days": gettext_lazy(
        "Promised time limit in working days (0 for immediate items)"
    ),
    "is_joint": gettext_lazy("Joint handling (TRUE/FALSE)"),
    "halls": gettext_lazy("Codes of the halls that handle the item, separated by commas"),
    "legal_basis": gettext_lazy("Legal basis (设定依据), required"),
    "conditions": gettext_lazy("Conditions"),
    "result_name": gettext_lazy("Result or certificate"),
    "visits_needed": gettext_lazy("Visits needed"),
    "online_available": gettext_lazy("Can be applied for online (TRUE/FALSE)"),
    "consult_phone": gettext_lazy("Phone for questions"),
    "complaint_phone": gettext_lazy("Phone for complaints"),
    "required": gettext_lazy("Required (TRUE/FALSE)"),
    "originals": gettext_lazy("Number of originals"),
    "copies": gettext_lazy("Number of copies"),
    "form": gettext_lazy("paper, electronic or either"),
    "may_follow_later": gettext_lazy("May follow later under 容缺受理 (TRUE/FALSE)"),
    "note": gettext_lazy("Note"),
    "role": gettext_lazy("Acting role: handler (承办), reviewer (审核) or approver (审批)"),
    "limit_days": gettext_lazy("Step limit in working days"),
    "amount": gettext_lazy("Amount in yuan (empty when the standard is not one amount)"),
    "standard": gettext_lazy("Standard, e.g. 10 yuan per certificate"),
    "basis": gettext_lazy("Basis of the fee (收费依据), required"),
    "waivable": gettext_lazy("Can be waived (TRUE/FALSE)"),
}

HANDLING_WORDS = {
    "immediate": ItemVersion.Handling.IMMEDIATE,
    "即办件": ItemVersion.Handling.IMMEDIATE,
    "即办": ItemVersion.Handling.IMMEDIATE,
    "promised": ItemVersion.Handling.PROMISED,
    "承诺件": ItemVersion.Handling.PROMISED,
    "承诺": ItemVersion.Handling.PROMISED,
}
ROLE_WORDS = {
    "handler": Step.Role.HANDLER,
    "承办": Step.Role.HANDLER,
    "reviewer": Step.Role.REVIEWER,
    "审核": Step.Role.REVIEWER,
    "approver": Step.Role.APPROVER,
    "审批": Step.Role.APPROVER,
    "决定": Step.Role.APPROVER,
}
FORM_WORDS = {
    "paper": Material.Form.PAPER,
    "纸质": Material.Form.PAPER,
    "electronic": Material.Form.ELECTRONIC,
    "电子": Material.Form.ELECTRONIC,
    "either": Material.Form.EITHER,
    "纸质或电子": Material.Form.EITHER,
}
_SPLIT = re.compile(r"[\s,，、;；]+")


class ImportFileError(Exception):
    """The file as a whole cannot be read: not an xlsx, or sheets and columns are wrong."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Problem:
    sheet: str
    row: int
    reason: str

    def __str__(self) -> str:
        return _("Sheet %(sheet)s, row %(row)s: %(reason)s") % {
            "sheet": self.sheet,
            "row": self.row,
            "reason": self.reason,
        }


class ImportRowsError(Exception):
    """Some rows are bad; nothing was imported."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} bad rows")
        self.problems = problems


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------- export


def _export_versions(*, published_only: bool, user=None):
    qs = ItemVersion.objects.all()
    if user is not None:
        qs = qs.visible_to(user)
    qs = qs.published() if published_only else qs.newest()
    return (
        qs.select_related("item__department")
        .prefetch_related("halls", "materials", "steps", "fees")
        .order_by("item__implementation_code")
    )


def export_workbook(fh, *, published_only: bool = False, user=None, empty: bool = False) -> int:
    """Write the catalogue to ``fh`` (a path or binary file); returns the number of items.

    ``user`` limits the export to the items the user may see; ``empty`` writes the template
    (sheets, columns and the readme, no rows).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    sheets = {}
    for name, columns in SHEETS.items():
        ws = wb.create_sheet(name)
        ws.append(columns)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        sheets[name] = ws
    count = 0
    versions = [] if empty else _export_versions(published_only=published_only, user=user)
    for v in versions:
        count += 1
        code = v.item.implementation_code
        halls = ",".join(sorted(h.code for h in v.halls.all()))
        sheets["items"].append(
            [
                code,
                v.item.catalogue_code,
                v.item.department.code,
                v.name,
                v.item_type,
                v.handling,
                v.legal_limit_days,
                v.promised_limit_days,
                v.is_joint,
                halls,
                v.legal_basis,
                v.conditions,
                v.result_name,
                v.visits_needed,
                v.online_available,
                v.consult_phone,
                v.complaint_phone,
            ]
        )
        for m in v.materials.all():
            sheets["materials"].append(
                [
                    code,
                    m.name,
                    m.required,
                    m.originals,
                    m.copies,
                    m.form,
                    m.may_follow_later,
                    m.note,
                ]
            )
        for s in v.steps.all():
            sheets["steps"].append([code, s.name, s.role, s.limit_days])
        for f in v.fees.all():
            sheets["fees"].append([code, f.name, f.amount, f.standard, f.basis, f.waivable])
    readme = wb.create_sheet("readme")
    readme.append([_("Sheet"), _("Column"), _("Meaning")])
    for sheet, columns in SHEETS.items():
        for column in columns:
            readme.append([sheet, column, str(COLUMN_HELP.get(column, ""))])
    readme.append([])
    readme.append(
        [
            _(
                "Rows of the materials, steps and fees sheets belong to the item with the same "
                "implementation code, in the order given. See docs/CATALOGUE_XLSX.md."
            )
        ]
    )
    for ws in sheets.values():
        for letter, width in zip("ABCDEFGHIJKLMNOPQ", [22, 14, 10, 30], strict=False):
            ws.column_dimensions[letter].width = width
    wb.save(fh)
    return count


# ---------------------------------------------------------------------------------- import


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class _RowReader:
    """Converts the cells of one row, collecting a reason for every bad cell."""

    def __init__(self, sheet: str, row: int, values: dict[str, Any]):
        self.sheet, self.row, self.values = sheet, row, values
        self.reasons: list[str] = []

    def bad(self, reason: str) -> None:
        self.reasons.append(reason)

    def text(self, column: str) -> str:
        return _text(self.values.get(column))

    def integer(self, column: str, default: int | None = None) -> int | None:
        value = self.values.get(column)
        if value is None or value == "":
            if default is None:
                self.bad(_("%(column)s is empty.") % {"column": column})
            return default
        try:
            number = Decimal(str(value).strip())
            if number != number.to_integral_value() or number < 0:
                raise InvalidOperation
            return int(number)
        except (InvalidOperation, ValueError):
            self.bad(
                _("%(column)s must be a whole number of zero or more, not “%(value)s”.")
                % {"column": column, "value": value}
            )
            return default

    def flag(self, column: str, default: bool) -> bool:
        value = self.values.get(column)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        text = _text(value).lower()
        if text in TRUE_WORDS:
            return True
        if text in FALSE_WORDS:
            return False
        self.bad(
            _("%(column)s must be TRUE or FALSE, not “%(value)s”.")
            % {"column": column, "value": value}
        )
        return default

    def choice(self, column: str, words: dict[str, str], default: str | None = None) -> str | None:
        text = self.text(column)
        if not text and default is not None:
            return default
        key = text.lower()
        if key in words:
            return words[key]
        self.bad(
            _("Unknown %(column)s “%(value)s”: use one of %(allowed)s.")
            % {"column": column, "value": text, "allowed": ", ".join(sorted({*words.values()}))}
        )
        return default

    def amount(self, column: str) -> Decimal | None:
        value = self.values.get(column)
        if value is None or value == "":
            return None
        try:
            number = Decimal(str(value).strip())
            if number < 0 or not number.is_finite():
                raise InvalidOperation
            return number.quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            self.bad(
                _("%(column)s must be an amount in yuan, not “%(value)s”.")
                % {"column": column, "value": value}
            )
            return None


def _read_sheets(fh) -> dict[str, list[tuple[int, dict[str, Any]]]]:
    """The rows of each data sheet as (row number, {column: value}); checks sheets and columns."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(fh, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise ImportFileError(
            _("The file is not an Excel workbook (.xlsx). Save it as .xlsx and try again.")
        ) from exc
    except Exception as exc:  # openpyxl raises its own InvalidFileException and others
        raise ImportFileError(
            _("The file is not an Excel workbook (.xlsx). Save it as .xlsx and try again.")
        ) from exc
    try:
        result = {}
        for sheet, columns in SHEETS.items():
            if sheet not in wb.sheetnames:
                raise ImportFileError(
                    _("The workbook has no sheet “%(sheet)s”. Use the template: sheets %(sheets)s.")
                    % {"sheet": sheet, "sheets": ", ".join(SHEETS)}
                )
            rows = wb[sheet].iter_rows(values_only=True)
            header = next(rows, None) or ()
            found = [_text(h) for h in header]
            while found and not found[-1]:
                found.pop()
            missing = [c for c in columns if c not in found]
            unknown = [c for c in found if c not in columns]
            if missing or unknown or len(found) != len(set(found)):
                raise ImportFileError(
                    _(
                        "Sheet “%(sheet)s” has the wrong columns. Expected: %(expected)s. "
                        "Missing: %(missing)s. Unknown: %(unknown)s."
                    )
                    % {
                        "sheet": sheet,
                        "expected": ", ".join(columns),
                        "missing": ", ".join(missing) or "—",
                        "unknown": ", ".join(unknown) or "—",
                    }
                )
            parsed = []
            for number, values in enumerate(rows, start=2):
                if values is None or all(v is None or _text(v) == "" for v in values):
                    continue
                parsed.append((number, dict(zip(found, values, strict=False))))
            result[sheet] = parsed
        return result
    finally:
        wb.close()


@dataclass
class _ItemRow:
    row: int
    code: str
    catalogue_code: str
    department: Department | None
    content: services.Content
    hall_codes: list[str]
    children_ok: bool = True
    item: ServiceItem | None = None  # the existing item, if any
    base: services.Content | None = None  # its newest version's content


def _parse(fh, actor) -> tuple[list[_ItemRow], list[Problem]]:
    sheets = _read_sheets(fh)
    problems: list[Problem] = []
    departments = {d.code: d for d in Department.objects.all()}
    halls = {h.code: h for h in Hall.objects.all()}
    allowed_hall_ids = visible_hall_ids(actor) if actor is not None else None

    items: dict[str, _ItemRow] = {}
    for row, values in sheets["items"]:
        r = _RowReader("items", row, values)
        code = r.text("implementation_code")
        if not code:
            r.bad(_("implementation_code is empty."))
        elif not IMPLEMENTATION_CODE_RE.fullmatch(code):
            r.bad(
                _(
                    "Implementation code “%(code)s” may use only letters, digits and hyphens (at most 40)."
                )
                % {"code": code}
            )
        elif code in items:
            r.bad(
                _("Duplicate implementation code “%(code)s” (also in row %(row)s).")
                % {"code": code, "row": items[code].row}
            )
        cat_code = r.text("catalogue_code").upper()
        if not CATALOGUE_CODE_RE.fullmatch(cat_code):
            r.bad(
                _("The national catalogue code “%(code)s” must have exactly 12 letters or digits.")
                % {"code": cat_code}
            )
        dept_code = r.text("department").upper()
        department = departments.get(dept_code)
        if department is None:
            r.bad(_("Unknown department “%(code)s”.") % {"code": dept_code})
        item_type = r.text("item_type")
        if item_type.isdigit() and len(item_type) == 1:
            item_type = "0" + item_type
        if item_type not in ItemType.values:
            r.bad(
                _("Unknown item type “%(value)s”: use a code from %(codes)s.")
                % {"value": item_type, "codes": ", ".join(ItemType.values)}
            )
        hall_codes = [c.upper() for c in _SPLIT.split(r.text("halls")) if c]
        item_halls = []
        for hc in hall_codes:
            if hc not in halls:
                r.bad(_("Unknown hall “%(code)s”.") % {"code": hc})
            else:
                item_halls.append(halls[hc])
        fields = {
            "name": r.text("name"),
            "item_type": item_type,
            "handling": r.choice("handling", HANDLING_WORDS),
            "legal_limit_days": r.integer("legal_limit_days"),
            "promised_limit_days": r.integer("promised_limit_days"),
            "is_joint": r.flag("is_joint", False),
            "legal_basis": r.text("legal_basis"),
            "conditions": r.text("conditions"),
            "result_name": r.text("result_name"),
            "visits_needed": r.integer("visits_needed", 1),
            "online_available": r.flag("online_available", False),
            "consult_phone": r.text("consult_phone"),
            "complaint_phone": r.text("complaint_phone"),
        }
        if r.reasons:
            problems.extend(Problem("items", row, reason) for reason in r.reasons)
        if code and code not in items:
            items[code] = _ItemRow(
                row=row,
                code=code,
                catalogue_code=cat_code,
                department=department,
                content=services.Content(fields=fields, halls=item_halls),
                hall_codes=hall_codes,
                children_ok=not r.reasons,
            )

    def child(sheet, model, build):
        for row, values in sheets[sheet]:
            r = _RowReader(sheet, row, values)
            code = r.text("implementation_code")
            data = build(r)
            owner = items.get(code)
            if owner is None:
                r.bad(
                    _("No item with implementation code “%(code)s” in sheet items.")
                    % {"code": code}
                )
            elif not r.reasons:
                obj = model(**data)
                try:
                    obj.full_clean(exclude=services.CLEANED_BY_MODEL)
                except ValidationError as exc:
                    for name, msgs in exc.message_dict.items():
                        for msg in msgs:
                            r.bad(f"{name}: {msg}")
            if r.reasons:
                problems.extend(Problem(sheet, row, reason) for reason in r.reasons)
                if owner is not None:
                    owner.children_ok = False
            elif owner is not None:
                getattr(owner.content, sheet).append(data)

    child(
        "materials",
        Material,
        lambda r: {
            "name": r.text("name"),
            "required": r.flag("required", True),
            "originals": r.integer("originals", 0),
            "copies": r.integer("copies", 0),
            "form": r.choice("form", FORM_WORDS, Material.Form.PAPER),
            "may_follow_later": r.flag("may_follow_later", False),
            "note": r.text("note"),
        },
    )
    child(
        "steps",
        Step,
        lambda r: {
            "name": r.text("name"),
            "role": r.choice("role", ROLE_WORDS),
            "limit_days": r.integer("limit_days", 0),
        },
    )
    child(
        "fees",
        Fee,
        lambda r: {
            "name": r.text("name"),
            "amount": r.amount("amount"),
            "standard": r.text("standard"),
            "basis": r.text("basis"),
            "waivable": r.flag("waivable", False),
        },
    )

    existing = {
        i.implementation_code: i
        for i in ServiceItem.objects.filter(implementation_code__in=list(items))
        .select_related("department", "latest_version")
        .prefetch_related(
            "latest_version__halls",
            "latest_version__materials",
            "latest_version__steps",
            "latest_version__fees",
        )
    }
    for code, item_row in items.items():
        if not item_row.children_ok:
            continue
        reasons = []
        try:
            services.validate_content(item_row.content)
        except ValidationError as exc:
            for name, msgs in exc.message_dict.items():
                for msg in msgs:
                    # Prefixed with the column (or sheet) the problem is in.
                    reasons.append(msg if name == NON_FIELD_ERRORS else f"{name}: {msg}")
        if (
            allowed_hall_ids is not None
            and {h.pk for h in item_row.content.halls} - allowed_hall_ids
        ):
            reasons.append(_("You can only import items of the halls you work in."))
        item = existing.get(code)
        if item is not None:
            item_row.item = item
            item_row.base = services.content_of(item.latest_version)
            if item.department_id != getattr(item_row.department, "pk", None):
                reasons.append(
                    _(
                        "Item “%(code)s” belongs to department %(dept)s; the department of an item cannot be changed by import."
                    )
                    % {"code": code, "dept": item.department.code}
                )
            if item.catalogue_code != item_row.catalogue_code:
                reasons.append(
                    _(
                        "Item “%(code)s” has the national catalogue code %(cat)s; it cannot be changed by import."
                    )
                    % {"code": code, "cat": item.catalogue_code}
                )
            latest = item.latest_version
            if (
                latest is not None
                and latest.status
                in (
                    ItemVersion.Status.LEGAL_REVIEW,
                    ItemVersion.Status.FEE_REVIEW,
                    ItemVersion.Status.APPROVED,
                )
                and _comparable(item_row.base) != _comparable(item_row.content)
            ):
                reasons.append(
                    _(
                        "Version %(number)s of item “%(code)s” is in review (%(status)s); import it again when the review is over."
                    )
                    % {"number": latest.number, "code": code, "status": latest.get_status_display()}
                )
        problems.extend(Problem("items", item_row.row, reason) for reason in reasons)
    problems.sort(key=lambda p: (list(SHEETS).index(p.sheet), p.row))
    return list(items.values()), problems


def _comparable(content: services.Content) -> tuple:
    """What the workbook carries of a version (files of materials are not in the workbook)."""

    def norm(rows, fields):
        return [tuple(_norm_value(row.get(f)) for f in fields) for row in rows]

    return (
        tuple(_norm_value(content.fields.get(f)) for f in services.VERSION_FIELDS),
        tuple(sorted(h.code for h in content.halls)),
        norm(
            content.materials,
            [f for f in services.MATERIAL_FIELDS if f not in ("blank_form", "sample")],
        ),
        norm(content.steps, services.STEP_FIELDS),
        norm(content.fees, services.FEE_FIELDS),
    )


def _norm_value(value):
    if isinstance(value, Decimal):
        return value.quantize(Decimal("0.01"))
    if value is None:
        return None
    return str(value) if not isinstance(value, bool | int) else value


def _carry_files(base: services.Content, new: services.Content) -> None:
    """Blank forms and samples are not in the workbook: keep those of same-named materials."""
    files = {m["name"]: m for m in base.materials}
    for m in new.materials:
        old = files.get(m["name"])
        m.setdefault("blank_form", old.get("blank_form", "") if old else "")
        m.setdefault("sample", old.get("sample", "") if old else "")


def import_workbook(fh, *, actor=None, request=None, filename: str = "") -> ImportResult:
    """Check every row; import all of them or nothing. Raises ImportFileError or ImportRowsError."""
    rows, problems = _parse(fh, actor)
    if problems:
        raise ImportRowsError(problems)
    result = ImportResult()
    with transaction.atomic():
        for item_row in rows:
            item = item_row.item
            if item is None:
                _carry_files(services.Content(fields={}, halls=[]), item_row.content)
                version = services.create_item(
                    actor=actor,
                    implementation_code=item_row.code,
                    catalogue_code=item_row.catalogue_code,
                    department=item_row.department,
                    content=item_row.content,
                    request=request,
                )
                services.submit_for_review(actor=actor, version=version, request=request)
                result.created.append(item_row.code)
                continue
            latest, base = item.latest_version, item_row.base
            if _comparable(base) == _comparable(item_row.content):
                result.unchanged.append(item_row.code)
                continue
            _carry_files(base, item_row.content)
            version = latest if latest.is_editable else None
            if version is None:
                version = services.new_draft_from_published(actor=actor, item=item, request=request)
            services.save_draft(
                actor=actor, version=version, content=item_row.content, request=request
            )
            services.submit_for_review(actor=actor, version=version, request=request)
            result.updated.append(item_row.code)
        record(
            actor=actor,
            action="catalogue.imported",
            object_type="catalogue.serviceitem",
            object_repr=filename[:200] or "workbook",
            after={
                "created": len(result.created),
                "updated": len(result.updated),
                "unchanged": len(result.unchanged),
            },
            request=request,
        )
    return result
