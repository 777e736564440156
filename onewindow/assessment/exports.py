"""The year's scores and ranking as an xlsx workbook (numbers as numbers, Chinese
headers, native bar charts) and as a printable PDF in Chinese (WeasyPrint, the CJK fonts
of the monthly bulletin, a bar chart per block drawn as inline SVG)."""

from __future__ import annotations

import io

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from onewindow.reports.exports import bar_svg

from .models import Block


def block_label(code: str) -> str:
    return str(Block.Code(code).label)


def title(year: int) -> str:
    return _("Assessment of the sub-centres, %(year)s") % {"year": year}


def to_xlsx(year: int, rows: list[dict]) -> bytes:
    """Sheet 排名: rank, hall, total, each block's points, bonus, with a chart of the
    totals; then a sheet per block: each indicator's points per hall, with its chart."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font

    bold = Font(bold=True)
    with translation.override("zh-hans"):
        wb = Workbook()
        ws = wb.active
        ws.title = _("Ranking")
        blocks = rows[0]["blocks"] if rows else []
        ws.append(
            [_("Rank"), _("Code"), _("Sub-centre"), _("Total points")]
            + [block_label(b["code"]) for b in blocks]
            + [_("Bonus")]
        )
        for cell in ws[1]:
            cell.font = bold
        for r in rows:
            ws.append(
                [r["rank"], r["code"], r["name"], r["total"]]
                + [b["points"] for b in r["blocks"]]
                + [r["bonus"]]
            )
        ws.column_dimensions["C"].width = 24

        def chart(sheet, cols, n, anchor, name):
            c = BarChart()
            c.title = name
            c.y_axis.title = _("Points")
            for col in cols:
                c.add_data(
                    Reference(sheet, min_col=col, min_row=1, max_row=n + 1), titles_from_data=True
                )
            c.set_categories(Reference(sheet, min_col=3, min_row=2, max_row=n + 1))
            c.width, c.height = 24, 10
            sheet.add_chart(c, anchor)

        if rows:
            chart(ws, [4], len(rows), f"B{len(rows) + 4}", title(year))
        for n, b in enumerate(blocks):
            sheet = wb.create_sheet(block_label(b["code"])[:31])
            inds = b["indicators"]
            sheet.append(
                [_("Rank"), _("Code"), _("Sub-centre"), _("Block points")]
                + [f"{i['name']}（{i['full']:g}）" for i in inds]
            )
            for cell in sheet[1]:
                cell.font = bold
            for r in rows:
                rb = r["blocks"][n]
                sheet.append(
                    [r["rank"], r["code"], r["name"], rb["points"]]
                    + [i["points"] for i in rb["indicators"]]
                )
            sheet.column_dimensions["C"].width = 24
            if rows:
                chart(sheet, [4], len(rows), f"B{len(rows) + 4}", block_label(b["code"]))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def to_pdf(year: int, rows: list[dict], locked: bool) -> tuple[bytes, int]:
    """The printable ranking and its page count."""
    from weasyprint import HTML

    with translation.override("zh-hans"):
        blocks = rows[0]["blocks"] if rows else []
        charts = [
            {
                "label": block_label(b["code"]),
                "weight": b["weight"],
                "svg": bar_svg([(r["name"], r["blocks"][n]["points"]) for r in rows]),
            }
            for n, b in enumerate(blocks)
        ]
        html = render_to_string(
            "assessment/ranking_pdf.html",
            {
                "title": title(year),
                "rows": rows,
                "block_labels": [block_label(b["code"]) for b in blocks],
                "total_chart": bar_svg([(r["name"], r["total"]) for r in rows]),
                "charts": charts,
                "locked": locked,
                "generated": timezone.localtime(),
            },
        )
    document = HTML(string=html).render()
    buffer = io.BytesIO()
    document.write_pdf(buffer)
    return buffer.getvalue(), len(document.pages)
