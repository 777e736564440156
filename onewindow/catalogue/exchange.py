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
    "status",
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
STEP_COLUMNS = ["implementation_code", *services.STEP_FIELDS]
FEE_COLUMNS = ["implementation_code", *services.FEE_FIELDS]

SHEETS = {
    "items": ITEM_COLUMNS,
    "materials": MATERIAL_COLUMNS,
    "steps": STEP_COLUMNS,
    "fees": FEE_COLUMNS,
}
# Columns export writes for people to read and import leaves alone (workflow state).
INFORMATIONAL = {"status"}

# The workbook speaks Chinese, the language of the catalogue, whatever the language of the
# page: sheet titles, headers and the words of the values are the same in every file, so
# a file exported anywhere reads back. (Import also takes the code names of older files.)
SHEET_TITLES = {"items": "事项", "materials": "申请材料", "steps": "办理环节", "fees": "收费项目"}
README_TITLE = "说明"
HEADERS = {
    "implementation_code": "实施编码",
    "catalogue_code": "基本目录编码",
    "department": "实施部门",
    "name": "名称",
    "item_type": "事项类型",
    "handling": "办件类型",
    "legal_limit_days": "法定时限（工作日）",
    "promised_limit_days": "承诺时限（工作日）",
    "is_joint": "联办",
    "halls": "办理大厅",
    "legal_basis": "设定依据",
    "conditions": "受理条件",
    "result_name": "办理结果",
    "visits_needed": "到现场次数",
    "online_available": "网上办理",
    "consult_phone": "咨询电话",
    "complaint_phone": "投诉电话",
    "status": "版本状态（仅供查看）",
    "required": "必须提交",
    "originals": "原件份数",
    "copies": "复印件份数",
    "form": "材料形式",
    "may_follow_later": "可容缺后补",
    "note": "备注",
    "role": "办理角色",
    "limit_days": "环节时限（工作日）",
    "amount": "收费金额（元）",
    "standard": "收费标准",
    "basis": "收费依据",
    "waivable": "可减免",
    "waiver_condition": "减免条件",
    "reduced_amount": "减收金额（元）",
    "reduced_condition": "减收条件",
    "per_copy_amount": "每增加一份加收（元）",
}
YES, NO = "是", "否"
ITEM_TYPE_NAMES = {
    "01": "行政许可",
    "02": "行政处罚",
    "03": "行政强制",
    "04": "行政征收",
    "05": "行政给付",
    "06": "行政检查",
    "07": "行政确认",
    "08": "行政奖励",
    "09": "行政裁决",
    "10": "其他行政权力",
    "20": "公共服务",
}
STATUS_NAMES = {
    ItemVersion.Status.DRAFT: "草稿",
    ItemVersion.Status.LEGAL_REVIEW: "法制审核中",
    ItemVersion.Status.FEE_REVIEW: "收费审核中",
    ItemVersion.Status.RETURNED: "已退回修改",
    ItemVersion.Status.APPROVED: "审核通过待发布",
    ItemVersion.Status.PUBLISHED: "已发布",
    ItemVersion.Status.SUPERSEDED: "已被取代",
}
HANDLING_NAMES = {ItemVersion.Handling.IMMEDIATE: "即办件", ItemVersion.Handling.PROMISED: "承诺件"}
ROLE_NAMES = {Step.Role.HANDLER: "承办", Step.Role.REVIEWER: "审核", Step.Role.APPROVER: "审批"}
FORM_NAMES = {
    Material.Form.PAPER: "纸质",
    Material.Form.ELECTRONIC: "电子",
    Material.Form.EITHER: "纸质或电子",
}
HALL_SEPARATOR = "、"

# Column descriptions for the readme sheet of every exported file (and the template).
COLUMN_HELP = {
    "implementation_code": gettext_lazy(
        "Implementation code of the item (letters, digits, hyphens)"
    ),
    "catalogue_code": gettext_lazy("National catalogue code, 12 letters or digits"),
    "department": gettext_lazy("Department that owns the item: its name (or its code, e.g. GA)"),
    "name": gettext_lazy("Name"),
    "item_type": gettext_lazy(
        "Item type: 行政许可 … 行政确认 … 其他行政权力, 公共服务 (or its code 01 … 20)"
    ),
    "handling": gettext_lazy("即办件 (immediate) or 承诺件 (promised)"),
    "legal_limit_days": gettext_lazy("Legal time limit in working days"),
    "promised_limit_days": gettext_lazy(
        "Promised time limit in working days (0 for immediate items)"
    ),
    "is_joint": gettext_lazy("Joint handling (是/否)"),
    "halls": gettext_lazy("Halls that handle the item: names (or codes) separated by 、"),
    "legal_basis": gettext_lazy("Legal basis (设定依据), required"),
    "conditions": gettext_lazy("Conditions"),
    "result_name": gettext_lazy("Result or certificate"),
    "visits_needed": gettext_lazy("Visits needed"),
    "online_available": gettext_lazy("Can be applied for online (是/否)"),
    "consult_phone": gettext_lazy("Phone for questions"),
    "complaint_phone": gettext_lazy("Phone for complaints"),
    "status": gettext_lazy("Status of the exported version; not read on import"),
    "required": gettext_lazy("Required (是/否)"),
    "originals": gettext_lazy("Number of originals"),
    "copies": gettext_lazy("Number of copies"),
    "form": gettext_lazy("纸质 (paper), 电子 (electronic) or 纸质或电子 (either)"),
    "may_follow_later": gettext_lazy("May follow later under 容缺受理 (是/否)"),
    "note": gettext_lazy("Note"),
    "role": gettext_lazy("Acting role: 承办 (handler), 审核 (reviewer) or 审批 (approver)"),
    "limit_days": gettext_lazy("Step limit in working days"),
    "amount": gettext_lazy("Amount in yuan (empty when the standard is not one amount)"),
    "standard": gettext_lazy("Standard, e.g. 10 yuan per certificate"),
    "basis": gettext_lazy("Basis of the fee (收费依据), required"),
    "waivable": gettext_lazy("Can be waived (是/否)"),
    "waiver_condition": gettext_lazy("Who is exempt (only for a fee that can be waived)"),
    "reduced_amount": gettext_lazy("Reduced amount in yuan, with its condition"),
    "reduced_condition": gettext_lazy("When the reduced amount applies"),
    "per_copy_amount": gettext_lazy("Charged for every copy beyond the first, in yuan"),
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
ITEM_TYPE_WORDS = {
    **{code: code for code in ITEM_TYPE_NAMES},
    **{n: c for c, n in ITEM_TYPE_NAMES.items()},
}
# Hall names may hold spaces; codes of older files are separated by commas or spaces too.
_SPLIT_HALLS = re.compile(r"[,，、;；\n]+")
_SPLIT = re.compile(r"[\s,，、;；]+")


def _yes_no(value: bool) -> str:
    return YES if value else NO


def header_of(column: str) -> str:
    return HEADERS.get(column, column)


def sheet_title(sheet: str) -> str:
    return SHEET_TITLES.get(sheet, sheet)


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
            "sheet": sheet_title(self.sheet),
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
        ws = wb.create_sheet(SHEET_TITLES[name])
        ws.append([HEADERS[c] for c in columns])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        sheets[name] = ws
    count = 0
    versions = [] if empty else _export_versions(published_only=published_only, user=user)
    for v in versions:
        count += 1
        code = v.item.implementation_code
        halls = HALL_SEPARATOR.join(sorted(h.name for h in v.halls.all()))
        sheets["items"].append(
            [
                code,
                v.item.catalogue_code,
                v.item.department.name,
                v.name,
                ITEM_TYPE_NAMES.get(v.item_type, v.item_type),
                HANDLING_NAMES.get(v.handling, v.handling),
                v.legal_limit_days,
                v.promised_limit_days,
                _yes_no(v.is_joint),
                halls,
                v.legal_basis,
                v.conditions,
                v.result_name,
                v.visits_needed,
                _yes_no(v.online_available),
                v.consult_phone,
                v.complaint_phone,
                STATUS_NAMES.get(v.status, v.status),
            ]
        )
        for m in v.materials.all():
            sheets["materials"].append(
                [
                    code,
                    m.name,
                    _yes_no(m.required),
                    m.originals,
                    m.copies,
                    FORM_NAMES.get(m.form, m.form),
                    _yes_no(m.may_follow_later),
                    m.note,
                ]
            )
        for st in v.steps.all():
            sheets["steps"].append([code, st.name, ROLE_NAMES.get(st.role, st.role), st.limit_days])
        for f in v.fees.all():
            sheets["fees"].append(
                [
                    code,
                    f.name,
                    f.amount,
                    f.standard,
                    f.basis,
                    _yes_no(f.waivable),
                    f.waiver_condition,
                    f.reduced_amount,
                    f.reduced_condition,
                    f.per_copy_amount,
                ]
            )
    readme = wb.create_sheet(README_TITLE)
    readme.append([_("Sheet"), _("Column"), _("Meaning")])
    for sheet, columns in SHEETS.items():
        for column in columns:
            readme.append([SHEET_TITLES[sheet], HEADERS[column], str(COLUMN_HELP.get(column, ""))])
    readme.append([])
    readme.append(
        [
            _(
                "Rows of the sheets of materials, steps and fees belong to the item with the "
                "same implementation code, in the order given. Yes/no columns take 是 or 否. "
                "See docs/CATALOGUE_XLSX.md."
            )
        ]
    )
    for ws in sheets.values():
        for letter, width in zip("ABCDEFGHIJKLMNOPQR", [22, 14, 16, 30], strict=False):
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
                self.bad(_("%(column)s is empty.") % {"column": header_of(column)})
            return default
        try:
            number = Decimal(str(value).strip())
            if number != number.to_integral_value() or number < 0:
                raise InvalidOperation
            return int(number)
        except (InvalidOperation, ValueError):
            self.bad(
                _("%(column)s must be a whole number of zero or more, not “%(value)s”.")
                % {"column": header_of(column), "value": value}
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
            _("%(column)s must be 是 or 否, not “%(value)s”.")
            % {"column": header_of(column), "value": value}
        )
        return default

    def choice(
        self, column: str, words: dict[str, str], names: dict[str, str], default: str | None = None
    ) -> str | None:
        """A value given by its name as people read it (``names``: value -> name) or by one
        of the other ``words`` for it."""
        text = self.text(column)
        if not text and default is not None:
            return default
        key = text.lower()
        if key in words:
            return words[key]
        if text in words:
            return words[text]
        self.bad(
            _("Unknown %(column)s “%(value)s”: use one of %(allowed)s.")
            % {"column": header_of(column), "value": text, "allowed": "、".join(names.values())}
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
                % {"column": header_of(column), "value": value}
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
            title = next((t for t in (SHEET_TITLES[sheet], sheet) if t in wb.sheetnames), None)
            if title is None:
                raise ImportFileError(
                    _("The workbook has no sheet “%(sheet)s”. Use the template: sheets %(sheets)s.")
                    % {
                        "sheet": SHEET_TITLES[sheet],
                        "sheets": "、".join(SHEET_TITLES.values()),
                    }
                )
            rows = wb[title].iter_rows(values_only=True)
            header = next(rows, None) or ()
            written = [_text(h) for h in header]
            while written and not written[-1]:
                written.pop()
            # Each header as the column it names: its Chinese header, or its code name.
            aliases = {HEADERS[c]: c for c in columns} | {c: c for c in columns}
            found = [aliases.get(h, h) for h in written]
            missing = [c for c in columns if c not in found and c not in INFORMATIONAL]
            unknown = [h for h, c in zip(written, found, strict=True) if c not in columns]
            if missing or unknown or len(found) != len(set(found)):
                raise ImportFileError(
                    _(
                        "Sheet “%(sheet)s” has the wrong columns. Expected: %(expected)s. "
                        "Missing: %(missing)s. Unknown: %(unknown)s."
                    )
                    % {
                        "sheet": SHEET_TITLES[sheet],
                        "expected": "、".join(HEADERS[c] for c in columns),
                        "missing": "、".join(HEADERS[c] for c in missing) or "—",
                        "unknown": "、".join(unknown) or "—",
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


def _hall_words(text: str, halls: dict) -> list[str]:
    """The halls of a cell: names (or codes) separated by 、 or commas; a part that is not a
    hall but splits at blanks into halls is read so (codes separated by spaces)."""
    words = []
    for part in (p.strip() for p in _SPLIT_HALLS.split(text)):
        if not part:
            continue
        pieces = [p for p in _SPLIT.split(part) if p]
        if (
            part not in halls
            and len(pieces) > 1
            and all(p in halls or p.upper() in halls for p in pieces)
        ):
            words.extend(pieces)
        else:
            words.append(part)
    return words


def _parse(fh, actor) -> tuple[list[_ItemRow], list[Problem]]:
    sheets = _read_sheets(fh)
    problems: list[Problem] = []
    # A department or hall by its name (as exported) or its code (upper or lower case).
    departments, halls = {}, {}
    for d in Department.objects.all():
        departments[d.code.upper()] = departments[d.name] = d
    for h in Hall.objects.all():
        halls[h.code.upper()] = halls[h.name] = h
    allowed_hall_ids = visible_hall_ids(actor) if actor is not None else None

    items: dict[str, _ItemRow] = {}
    for row, values in sheets["items"]:
        r = _RowReader("items", row, values)
        code = r.text("implementation_code")
        if not code:
            r.bad(_("%(column)s is empty.") % {"column": header_of("implementation_code")})
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
        dept_text = r.text("department")
        department = departments.get(dept_text) or departments.get(dept_text.upper())
        if department is None:
            r.bad(_("Unknown department “%(code)s”.") % {"code": dept_text})
        item_type = r.text("item_type")
        if item_type.isdigit() and len(item_type) == 1:
            item_type = "0" + item_type
        item_type = ITEM_TYPE_WORDS.get(item_type, item_type)
        if item_type not in ItemType.values:
            r.bad(
                _("Unknown item type “%(value)s”: use one of %(codes)s.")
                % {"value": item_type, "codes": "、".join(ITEM_TYPE_NAMES.values())}
            )
        item_halls, hall_codes = [], []
        for part in _hall_words(r.text("halls"), halls):
            hall = halls.get(part) or halls.get(part.upper())
            if hall is None:
                r.bad(_("Unknown hall “%(code)s”.") % {"code": part})
            else:
                item_halls.append(hall)
                hall_codes.append(hall.code)
        fields = {
            "name": r.text("name"),
            "item_type": item_type,
            "handling": r.choice("handling", HANDLING_WORDS, HANDLING_NAMES),
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
                    _("No item with implementation code “%(code)s” in sheet %(items)s.")
                    % {"code": code, "items": SHEET_TITLES["items"]}
                )
            elif not r.reasons:
                obj = model(**data)
                try:
                    obj.full_clean(exclude=services.CLEANED_BY_MODEL)
                except ValidationError as exc:
                    for name, msgs in exc.message_dict.items():
                        for msg in msgs:
                            r.bad(f"{header_of(name)}: {msg}")
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
            "form": r.choice("form", FORM_WORDS, FORM_NAMES, Material.Form.PAPER),
            "may_follow_later": r.flag("may_follow_later", False),
            "note": r.text("note"),
        },
    )
    child(
        "steps",
        Step,
        lambda r: {
            "name": r.text("name"),
            "role": r.choice("role", ROLE_WORDS, ROLE_NAMES),
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
            "waiver_condition": r.text("waiver_condition"),
            "reduced_amount": r.amount("reduced_amount"),
            "reduced_condition": r.text("reduced_condition"),
            "per_copy_amount": r.amount("per_copy_amount"),
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
