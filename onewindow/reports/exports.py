"""The monthly report as an xlsx workbook (a sheet per level, a native chart) and as a
printable PDF bulletin in Chinese (WeasyPrint; bar charts drawn here as inline SVG)."""

from __future__ import annotations

import io
import logging

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from .figures import COUNTS, LATER, RATES

LEVEL_NAMES = {
    "total": pgettext_lazy("monthly report", "Summary"),
    "hall": pgettext_lazy("monthly report", "Halls"),
    "department": pgettext_lazy("monthly report", "Departments"),
    "window": pgettext_lazy("monthly report", "Windows"),
    "item": pgettext_lazy("monthly report", "Items"),
}

LABELS = {
    "received": pgettext_lazy("monthly report", "Received"),
    "accepted": pgettext_lazy("monthly report", "Accepted"),
    "refused": pgettext_lazy("monthly report", "Not accepted"),
    "immediate": pgettext_lazy("monthly report", "Immediate cases accepted"),
    "promised": pgettext_lazy("monthly report", "Promised cases accepted"),
    "concluded": pgettext_lazy("monthly report", "Concluded"),
    "decided": pgettext_lazy("monthly report", "Decided (granted or refused)"),
    "early_promised": pgettext_lazy("monthly report", "Early (promised date)"),
    "on_time_promised": pgettext_lazy("monthly report", "On time (promised date)"),
    "overdue_promised": pgettext_lazy("monthly report", "Overdue (promised date)"),
    "early_legal": pgettext_lazy("monthly report", "Early (legal date)"),
    "on_time_legal": pgettext_lazy("monthly report", "On time (legal date)"),
    "overdue_legal": pgettext_lazy("monthly report", "Overdue (legal date)"),
    "open_at_end": pgettext_lazy("monthly report", "Open at month end"),
    "overdue_open_at_end": pgettext_lazy("monthly report", "Overdue among open"),
    "promised_decided": pgettext_lazy("monthly report", "Promised cases decided"),
    "promised_days_sum": pgettext_lazy("monthly report", "Working days used (promised cases)"),
    "immediate_decided": pgettext_lazy("monthly report", "Immediate cases decided"),
    "immediate_minutes_sum": pgettext_lazy("monthly report", "Minutes used (immediate cases)"),
    "promised_limit_sum": pgettext_lazy("monthly report", "Sum of promised limits"),
    "legal_limit_sum": pgettext_lazy("monthly report", "Sum of legal limits"),
    "actual_days_sum": pgettext_lazy("monthly report", "Sum of working days used"),
    "ratings": pgettext_lazy("monthly report", "Ratings"),
    "ratings_satisfied": pgettext_lazy("monthly report", "Satisfied ratings"),
    "warnings": pgettext_lazy("monthly report", "Warnings"),
    "yellow_cards": pgettext_lazy("monthly report", "Yellow cards"),
    "red_cards": pgettext_lazy("monthly report", "Red cards"),
    "fee_anomalies": pgettext_lazy("monthly report", "Fee anomalies"),
    "immediate_share": pgettext_lazy("monthly report", "Immediate share"),
    "in_time_promised": pgettext_lazy("monthly report", "In time (promised date)"),
    "in_time_legal": pgettext_lazy("monthly report", "In time (legal date)"),
    "overdue_open": pgettext_lazy("monthly report", "Overdue share of open cases"),
    "avg_days_promised": pgettext_lazy("monthly report", "Average working days (promised cases)"),
    "avg_minutes_immediate": pgettext_lazy("monthly report", "Average minutes (immediate cases)"),
    "speedup_promised": pgettext_lazy("monthly report", "Promised speed-up"),
    "speedup_actual": pgettext_lazy("monthly report", "Actual speed-up"),
    "satisfaction": pgettext_lazy("monthly report", "Satisfaction"),
    "followups_opened": pgettext_lazy("monthly report", "Bad-rating follow-ups opened"),
    "followups_called_back": pgettext_lazy("monthly report", "Follow-ups called back"),
    "followups_called_back_on_time": pgettext_lazy(
        "monthly report", "Follow-ups called back on time"
    ),
    "followups_closed": pgettext_lazy("monthly report", "Follow-ups closed (reported back)"),
    "followups_open_at_end": pgettext_lazy("monthly report", "Follow-ups open at month end"),
    "followups_overdue_at_end": pgettext_lazy("monthly report", "Follow-ups overdue at month end"),
    "complaints_received": pgettext_lazy("monthly report", "Complaints received"),
    "complaints_answered": pgettext_lazy("monthly report", "Complaints answered"),
    "complaints_answered_on_time": pgettext_lazy("monthly report", "Complaints answered on time"),
    "complaints_closed": pgettext_lazy("monthly report", "Complaints closed"),
    "complaints_closed_on_time": pgettext_lazy("monthly report", "Complaints closed on time"),
    "followups_callback_in_time": pgettext_lazy("monthly report", "Follow-ups called back in time"),
    "followups_overdue_open": pgettext_lazy("monthly report", "Overdue share of open follow-ups"),
    "complaints_answered_in_time": pgettext_lazy("monthly report", "Complaints answered in time"),
    "complaints_closed_in_time": pgettext_lazy("monthly report", "Complaints closed in time"),
}

logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

#: Rates shown as percentages (the averages are days and minutes).
PERCENT = {r for r in RATES if not r.startswith("avg_")}

#: What the bulletin's summary table shows (the xlsx has every count).
SUMMARY_COUNTS = (
    "received", "accepted", "refused", "immediate", "promised", "decided",
    "early_promised", "on_time_promised", "overdue_promised", "overdue_legal",
    "open_at_end", "overdue_open_at_end", "ratings", "warnings", "yellow_cards",
    "red_cards", "fee_anomalies", "followups_opened", "followups_closed",
    "followups_overdue_at_end", "complaints_received", "complaints_closed",
)  # fmt: skip


def title(figures: dict, scope_name: str) -> str:
    year, month = figures["month"].split("-")
    return _("%(scope)s monthly case report, %(year)s-%(month)s") % {
        "scope": scope_name,
        "year": year,
        "month": month,
    }


def rate_text(name: str, rate: dict) -> str:
    if rate["value"] is None:
        return "—"
    if name in PERCENT:
        return f"{rate['value'] * 100:.2f}%"
    return f"{rate['value']:.2f}"


def _change_text(name, change, is_rate=False) -> str:
    if not change:
        return "—"
    if is_rate:
        d = change["delta"]
        if d is None:
            return "—"
        return f"{d * 100:+.2f}" if name in PERCENT else f"{d:+.2f}"
    r = change["ratio"]
    return "—" if r is None else f"{r * 100:+.1f}%"


def summary_rows(figures: dict) -> list[dict]:
    """The summary table: each indicator with this month, its numerator and denominator
    (rates), and the month-on-month and year-on-year change."""
    row = figures["levels"]["total"][0]
    mom, yoy = figures["changes"]["mom"], figures["changes"]["yoy"]
    out = []
    for name in COUNTS:
        out.append({
            "name": name, "label": str(LABELS[name]), "value": row["counts"][name],
            "num": None, "den": None, "text": str(row["counts"][name]),
            "mom": mom.get("counts", {}).get(name), "yoy": yoy.get("counts", {}).get(name),
            "mom_text": _change_text(name, mom.get("counts", {}).get(name)),
            "yoy_text": _change_text(name, yoy.get("counts", {}).get(name)),
        })  # fmt: skip
    for name in RATES:
        rate = row["rates"][name]
        out.append({
            "name": name, "label": str(LABELS[name]), "value": rate["value"],
            "num": rate["num"], "den": rate["den"], "text": rate_text(name, rate),
            "mom": mom.get("rates", {}).get(name), "yoy": yoy.get("rates", {}).get(name),
            "mom_text": _change_text(name, mom.get("rates", {}).get(name), True),
            "yoy_text": _change_text(name, yoy.get("rates", {}).get(name), True),
        })  # fmt: skip
    return out


# ------------------------------------------------------------------------------- xlsx


def to_xlsx(figures: dict, scope_name: str) -> bytes:
    """A sheet per level with every count and rate as numbers, Chinese headers, and a
    native bar chart of received and decided cases on each sheet of rows."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font

    bold = Font(bold=True)
    with translation.override("zh-hans"):
        wb = Workbook()
        ws = wb.active
        ws.title = str(LEVEL_NAMES["total"])
        ws.append([title(figures, scope_name)])
        ws["A1"].font = Font(bold=True, size=14)
        ws.append([
            _("Indicator"), _("This month"), _("Numerator"), _("Denominator"),
            _("Last month"), _("Month on month"), _("Same month last year"), _("Year on year"),
        ])  # fmt: skip
        for cell in ws[2]:
            cell.font = bold
        for r in summary_rows(figures):
            mom, yoy = r["mom"] or {}, r["yoy"] or {}
            ws.append([
                r["label"], r["value"], r["num"], r["den"],
                mom.get("before"), mom.get("ratio", mom.get("delta")),
                yoy.get("before"), yoy.get("ratio", yoy.get("delta")),
            ])  # fmt: skip
        for name in LATER:
            ws.append([str(LABELS[name]), _("counted once its module is in service")])
        ws.column_dimensions["A"].width = 36
        levels = [
            lv
            for lv in ("hall", "department", "window", "item")
            if lv != "hall" or not figures["hall"]
        ]
        for level in levels:
            sheet = wb.create_sheet(str(LEVEL_NAMES[level]))
            sheet.append(
                [_("Code"), _("Name")]
                + [str(LABELS[c]) for c in COUNTS]
                + [str(LABELS[r]) for r in RATES]
            )
            for cell in sheet[1]:
                cell.font = bold
            rows = figures["levels"][level]
            for row in rows:
                sheet.append(
                    [row["code"], row["name"]]
                    + [row["counts"][c] for c in COUNTS]
                    + [row["rates"][r]["value"] for r in RATES]
                )
            sheet.column_dimensions["B"].width = 28
            if rows:
                chart = BarChart()
                chart.title = _("Received and decided")
                chart.y_axis.title = _("Cases")
                received = 3 + COUNTS.index("received")
                decided = 3 + COUNTS.index("decided")
                for col in (received, decided):
                    data = Reference(sheet, min_col=col, min_row=1, max_row=len(rows) + 1)
                    chart.add_data(data, titles_from_data=True)
                chart.set_categories(Reference(sheet, min_col=2, min_row=2, max_row=len(rows) + 1))
                chart.width, chart.height = 24, 10
                sheet.add_chart(chart, f"B{len(rows) + 4}")
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# -------------------------------------------------------------------------------- PDF


def bar_svg(pairs: list[tuple[str, float]], *, width=480, bar=16, unit="") -> str:
    """A horizontal bar chart as inline SVG: one bar per (label, value)."""
    if not pairs:
        return ""
    top = max(v for _label, v in pairs) or 1
    label_w, gap = 150, 6
    height = len(pairs) * (bar + gap) + gap
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="Noto Sans CJK SC" font-size="10">'
    ]
    for n, (label, value) in enumerate(pairs):
        y = gap + n * (bar + gap)
        w = (width - label_w - 60) * value / top
        parts.append(
            f'<text x="{label_w - 4}" y="{y + bar - 4}" text-anchor="end">{escape(label[:14])}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar}" fill="#3465a4"/>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + bar - 4}">{value:g}{escape(unit)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def to_pdf(figures: dict, scope_name: str) -> tuple[bytes, int]:
    """The printable bulletin in Chinese and its page count."""
    from weasyprint import HTML

    with translation.override("zh-hans"):
        level = "department" if figures["hall"] else "hall"
        rows = figures["levels"][level][:15]
        items = figures["levels"]["item"][:15]
        context = {
            "title": title(figures, scope_name),
            "figures": figures,
            "summary": summary_rows(figures),
            "later": [str(LABELS[n]) for n in LATER],
            "level_name": LEVEL_NAMES[level],
            "rows": rows,
            "received_chart": bar_svg(
                [(r["name"] or r["code"], r["counts"]["received"]) for r in rows]
            ),
            "in_time_chart": bar_svg(
                [
                    (
                        r["name"] or r["code"],
                        round(r["rates"]["in_time_promised"]["value"] * 100, 1),
                    )
                    for r in items
                    if r["rates"]["in_time_promised"]["value"] is not None
                ],
                unit="%",
            ),
            "rate_text": {r["name"]: r["text"] for r in summary_rows(figures)},
            "generated": timezone.localtime(),
        }
        html = render_to_string("reports/bulletin.html", context)
    document = HTML(string=html).render()
    buffer = io.BytesIO()
    document.write_pdf(buffer)
    return buffer.getvalue(), len(document.pages)
