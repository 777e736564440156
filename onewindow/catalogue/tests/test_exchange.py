"""Excel exchange: lossless round trip, all-or-nothing import with every bad row, bad files."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from onewindow.audit.models import AuditEntry
from onewindow.catalogue import services
from onewindow.catalogue.exchange import (
    HEADERS,
    SHEET_TITLES,
    SHEETS,
    ImportFileError,
    ImportRowsError,
    export_workbook,
    import_workbook,
)
from onewindow.catalogue.models import Fee, ItemType, ItemVersion, ServiceItem

from .factories import make_content, make_item, make_published

pytestmark = pytest.mark.django_db
Status = ItemVersion.Status


def export_bytes(**kwargs) -> bytes:
    buffer = io.BytesIO()
    export_workbook(buffer, **kwargs)
    return buffer.getvalue()


def cells(data: bytes) -> dict:
    wb = load_workbook(io.BytesIO(data))
    return {
        name: [list(row) for row in wb[SHEET_TITLES[name]].iter_rows(values_only=True)]
        for name in SHEETS
    }


def content(data: bytes) -> dict:
    """The cells import reads: all but the status of the items (workflow state, not carried)."""
    sheets = cells(data)
    status = SHEETS["items"].index("status")
    sheets["items"] = [row[:status] + row[status + 1 :] for row in sheets["items"]]
    return sheets


def make_catalogue(personas):
    make_published(personas.department, [personas.hall], code="GA-1", name="机动车注册登记", fees=2)
    make_published(
        personas.other_department,
        [personas.other_hall, personas.centre],
        code="MZ-1",
        name="内地居民结婚登记",
        immediate=True,
        fees=0,
        item_type=ItemType.CONFIRMATION,
        conditions="双方自愿\n达到法定婚龄",
        is_joint=True,
        online_available=True,
    )
    make_item(
        personas.department,
        [personas.hall],
        code="GA-2",
        name="机动车抵押登记",
        legal=5,
        promised=1,
        steps=[],
    )


def wipe_catalogue():
    ServiceItem.objects.update(published_version=None, latest_version=None)
    ItemVersion.objects.all().delete()
    ServiceItem.objects.all().delete()


def test_it_exports_and_imports_without_losing_anything(personas):
    make_catalogue(personas)
    first = export_bytes()
    wipe_catalogue()
    result = import_workbook(io.BytesIO(first))
    assert sorted(result.created) == ["GA-1", "GA-2", "MZ-1"]
    assert ItemVersion.objects.filter(status=Status.LEGAL_REVIEW).count() == 3
    second = export_bytes()
    assert content(first) == content(second)
    assert len(cells(first)["items"]) == 4
    assert len(cells(first)["fees"]) == 4  # header and three fees


def test_it_writes_values_as_people_read_them_and_reads_them_back(personas):
    make_catalogue(personas)
    fee = Fee.objects.filter(version__item__implementation_code="GA-1").first()
    Fee.objects.filter(pk=fee.pk).update(
        waivable=True,
        waiver_condition="小微企业（含个体工商户）",
        reduced_amount=fee.amount / 2,
        reduced_condition="经济适用住房减半",
        per_copy_amount="10.00",
    )
    first = export_bytes()
    sheets = cells(first)
    header, *rows = sheets["items"]
    items = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    marriage = items["MZ-1"]
    assert marriage["实施部门"] == personas.other_department.name
    assert marriage["事项类型"] == "行政确认" and marriage["办件类型"] == "即办件"
    assert (marriage["联办"], marriage["网上办理"]) == ("是", "是")
    assert marriage["办理大厅"] == "、".join(
        sorted([personas.other_hall.name, personas.centre.name])
    )
    assert marriage["版本状态（仅供查看）"] == "已发布"
    assert items["GA-2"]["版本状态（仅供查看）"] == "草稿"
    fee_header, *fee_rows = sheets["fees"]
    conditioned = dict(zip(fee_header, fee_rows[0], strict=True))
    assert conditioned["可减免"] == "是" and conditioned["减免条件"] == "小微企业（含个体工商户）"
    assert conditioned["减收条件"] == "经济适用住房减半"
    assert conditioned["每增加一份加收（元）"] == 10
    material_header, *materials = sheets["materials"]
    assert {dict(zip(material_header, m, strict=True))["必须提交"] for m in materials} <= {
        "是",
        "否",
    }
    # Back into an empty catalogue and out again: the same cells, conditions included.
    wipe_catalogue()
    import_workbook(io.BytesIO(first))
    again = Fee.objects.get(version__item__implementation_code="GA-1", name=fee.name)
    assert (again.waivable, again.reduced_condition, again.per_copy_amount) == (
        True,
        "经济适用住房减半",
        10,
    )
    assert content(first) == content(export_bytes())


def test_it_refuses_a_fee_condition_the_fee_does_not_publish(personas):
    data = write(
        {
            "items": [item_row()],
            "fees": [
                {
                    "implementation_code": "GA-9",
                    "name": "工本费",
                    "amount": "10",
                    "standard": "10元/本",
                    "basis": "依据",
                    "waivable": "否",
                    "waiver_condition": "小微企业",
                    "reduced_amount": "20",
                    "reduced_condition": "减半",
                },
            ],
        }
    )
    with pytest.raises(ImportRowsError) as exc:
        import_workbook(data)
    reasons = " ".join(p.reason for p in exc.value.problems)
    assert "减免条件" in reasons and "减收金额（元）" in reasons
    assert not ServiceItem.objects.exists()


def test_it_exports_only_the_versions_in_force_on_request(personas):
    v1 = make_published(personas.department, [personas.hall], code="GA-1", name="机动车注册登记")
    draft = services.new_draft_from_published(actor=None, item=v1.item)
    services.save_draft(
        actor=None,
        version=draft,
        content=make_content([personas.hall], name="机动车注册登记（新）"),
    )
    make_item(personas.department, [personas.hall], code="GA-2")
    published = cells(export_bytes(published_only=True))["items"]
    latest = cells(export_bytes())["items"]
    assert [r[0] for r in published[1:]] == ["GA-1"]
    assert published[1][3] == "机动车注册登记"
    assert [(r[0], r[3]) for r in latest[1:]][0] == ("GA-1", "机动车注册登记（新）")
    assert len(latest) == 3


def test_it_writes_an_empty_template_with_a_readme():
    wb = load_workbook(io.BytesIO(export_bytes(empty=True)))
    assert wb.sheetnames == ["事项", "申请材料", "办理环节", "收费项目", "说明"]
    assert [c.value for c in wb["事项"][1]] == [HEADERS[c] for c in SHEETS["items"]]
    assert [c.value for c in wb["收费项目"][1]][5:] == [
        "可减免",
        "减免条件",
        "减收金额（元）",
        "减收条件",
        "每增加一份加收（元）",
    ]
    assert wb["事项"].max_row == 1
    assert wb["说明"].max_row > 20


def test_it_imports_the_same_file_twice_without_new_versions(personas):
    make_catalogue(personas)
    data = export_bytes()
    result = import_workbook(io.BytesIO(data))
    assert sorted(result.unchanged) == ["GA-1", "GA-2", "MZ-1"]
    assert ItemVersion.objects.count() == 3


def test_it_imports_a_change_as_a_new_version_in_legal_review(personas):
    v1 = make_published(personas.department, [personas.hall], code="GA-1", name="机动车注册登记")
    wb = load_workbook(io.BytesIO(export_bytes()))
    wb["事项"]["D2"] = "机动车注册登记（改）"
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    result = import_workbook(buffer, actor=personas.admin)
    assert result.updated == ["GA-1"]
    v1.item.refresh_from_db()
    assert v1.item.published_version == v1
    new = v1.item.latest_version
    assert (new.number, new.name, new.status) == (2, "机动车注册登记（改）", Status.LEGAL_REVIEW)
    assert AuditEntry.objects.filter(action="catalogue.imported", actor=personas.admin).count() == 1


def write(sheets: dict, headers: dict | None = None) -> io.BytesIO:
    """A workbook from {sheet: [rows as dicts]}, with the template's headers unless given."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, columns in SHEETS.items():
        ws = wb.create_sheet(name)
        ws.append((headers or {}).get(name, columns))
        for row in sheets.get(name, []):
            ws.append([row.get(c) for c in columns] if isinstance(row, dict) else row)
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def item_row(**over):
    row = {
        "implementation_code": "GA-9",
        "catalogue_code": "010010900000",
        "department": "GA",
        "name": "机动车注册登记",
        "item_type": "01",
        "handling": "promised",
        "legal_limit_days": 20,
        "promised_limit_days": 5,
        "is_joint": False,
        "halls": "CG",
        "legal_basis": "《机动车登记规定》",
        "visits_needed": 1,
        "online_available": False,
    }
    row.update(over)
    return row


def test_it_imports_a_hand_written_file(personas):
    data = write(
        {
            "items": [
                item_row(),
                item_row(
                    implementation_code="GA-10",
                    handling="即办件",
                    promised_limit_days=0,
                    item_type=1,
                    halls="cg，ZX",
                ),
            ],
            "materials": [
                {
                    "implementation_code": "GA-9",
                    "name": "身份证明",
                    "required": "是",
                    "originals": 1,
                    "copies": 1,
                    "form": "纸质",
                }
            ],
            "steps": [
                {"implementation_code": "GA-9", "name": "审核", "role": "审核", "limit_days": 3}
            ],
            "fees": [
                {
                    "implementation_code": "GA-9",
                    "name": "工本费",
                    "amount": 10,
                    "standard": "10元/本",
                    "basis": "《行政事业性收费标准管理办法》",
                    "waivable": "否",
                }
            ],
        }
    )
    result = import_workbook(data)
    assert result.created == ["GA-9", "GA-10"]
    second = ServiceItem.objects.get(implementation_code="GA-10").latest_version
    assert second.item_type == "01"
    assert second.handling == "immediate"
    assert sorted(h.code for h in second.halls.all()) == ["CG", "ZX"]
    first = ServiceItem.objects.get(implementation_code="GA-9").latest_version
    assert str(first.fees.get().amount) == "10.00"
    assert first.steps.get().role == "reviewer"


def test_it_lists_every_bad_row_and_imports_nothing(personas):
    data = write(
        {
            "items": [
                item_row(implementation_code="OK-1"),
                item_row(implementation_code="B-2", legal_basis=""),
                item_row(implementation_code="B-3", legal_limit_days=5, promised_limit_days=8),
                item_row(implementation_code="B-4", department="XX"),
                item_row(implementation_code="B-5", halls="CG,QQ"),
                item_row(implementation_code="OK-1", name="重复"),
                item_row(implementation_code="B-7", item_type="99"),
                item_row(implementation_code="B-8", handling="immediate", promised_limit_days=0),
                item_row(implementation_code="B-9", catalogue_code="123", legal_limit_days="二十"),
            ],
            "steps": [
                {"implementation_code": "B-8", "name": "审核", "role": "reviewer", "limit_days": 2}
            ],
            "fees": [
                {"implementation_code": "OK-1", "name": "工本费", "standard": "10元", "basis": ""},
                {
                    "implementation_code": "NONE",
                    "name": "工本费",
                    "standard": "10元",
                    "basis": "依据",
                },
            ],
        }
    )
    with pytest.raises(ImportRowsError) as exc:
        import_workbook(data)
    problems = {(p.sheet, p.row) for p in exc.value.problems}
    assert problems == {
        ("items", 3),
        ("items", 4),
        ("items", 5),
        ("items", 6),
        ("items", 7),
        ("items", 8),
        ("items", 9),
        ("items", 10),
        ("fees", 2),
        ("fees", 3),
    }
    reasons = {(p.sheet, p.row): p.reason for p in exc.value.problems}
    assert "XX" in reasons[("items", 5)]
    assert "QQ" in reasons[("items", 6)]
    assert "OK-1" in reasons[("items", 7)] and "2" in reasons[("items", 7)]
    assert "99" in reasons[("items", 8)]
    assert "审核" in reasons[("items", 9)]
    assert "NONE" in reasons[("fees", 3)]
    assert not ServiceItem.objects.exists()
    assert not AuditEntry.objects.exists()


def test_it_refuses_a_file_that_is_not_xlsx():
    with pytest.raises(ImportFileError) as exc:
        import_workbook(io.BytesIO(b"implementation_code,name\nGA-1,x\n"))
    assert ".xlsx" in exc.value.message


def test_it_refuses_a_workbook_with_wrong_columns():
    wb = Workbook()
    wb.active.title = "items"
    wb.active.append(["code", "name"])
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    with pytest.raises(ImportFileError) as exc:
        import_workbook(buffer)
    assert "事项" in exc.value.message and "实施编码" in exc.value.message
    with pytest.raises(ImportFileError) as exc:
        import_workbook(write({}, headers={"steps": [*SHEETS["steps"], "extra"]}))
    assert "办理环节" in exc.value.message and "extra" in exc.value.message


def test_it_refuses_a_workbook_without_a_sheet():
    wb = load_workbook(io.BytesIO(export_bytes(empty=True)))
    del wb["收费项目"]
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    with pytest.raises(ImportFileError) as exc:
        import_workbook(buffer)
    assert "收费项目" in exc.value.message


def test_it_refuses_an_item_in_review_with_other_content(personas):
    version = make_item(personas.department, [personas.hall], code="GA-1")
    services.submit_for_review(actor=None, version=version)
    wb = load_workbook(io.BytesIO(export_bytes()))
    wb["事项"]["D2"] = "新名称"
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    with pytest.raises(ImportRowsError) as exc:
        import_workbook(buffer)
    assert exc.value.problems[0].row == 2


def test_a_hall_manager_imports_only_items_of_their_hall(personas):
    with pytest.raises(ImportRowsError) as exc:
        import_workbook(write({"items": [item_row(halls="MZ")]}), actor=personas.manager)
    assert exc.value.problems[0].row == 2
    result = import_workbook(write({"items": [item_row(halls="CG")]}), actor=personas.manager)
    assert result.created == ["GA-9"]


def test_it_keeps_the_files_of_materials_across_an_import(personas):
    from django.core.files.base import ContentFile

    v1 = make_published(personas.department, [personas.hall], code="GA-1")
    material = v1.materials.first()
    material.blank_form.save("form.pdf", ContentFile(b"%PDF-1.4"), save=True)
    wb = load_workbook(io.BytesIO(export_bytes()))
    wb["事项"]["D2"] = "新名称"
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    import_workbook(buffer)
    v1.item.refresh_from_db()
    new_material = v1.item.latest_version.materials.get(name=material.name)
    assert new_material.blank_form.name == material.blank_form.name


# ------------------------------------------------------------------------- command line


def test_the_command_exports_and_imports(personas, tmp_path):
    make_catalogue(personas)
    path = tmp_path / "catalogue.xlsx"
    out = io.StringIO()
    call_command("catalogue", "export", str(path), stdout=out)
    assert "3" in out.getvalue()
    wipe_catalogue()
    out = io.StringIO()
    call_command("catalogue", "import", str(path), stdout=out)
    assert "3" in out.getvalue()
    assert ServiceItem.objects.count() == 3
    again = tmp_path / "again.xlsx"
    call_command("catalogue", "export", str(again), stdout=io.StringIO())
    assert content(path.read_bytes()) == content(again.read_bytes())


def test_the_command_lists_bad_rows_and_fails(personas, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(
        write(
            {
                "items": [
                    item_row(department="XX"),
                    item_row(implementation_code="GA-10", legal_basis=""),
                ]
            }
        ).getvalue()
    )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("catalogue", "import", str(path), stderr=err, stdout=io.StringIO())
    lines = err.getvalue().strip().splitlines()
    assert len(lines) == 2
    assert "XX" in lines[0]
    assert not ServiceItem.objects.exists()


def test_the_command_refuses_a_file_that_is_not_xlsx(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0 not a zip")
    with pytest.raises(CommandError, match="xlsx"):
        call_command("catalogue", "import", str(path), stdout=io.StringIO())


# ---------------------------------------------------------------------------- staff page


def test_the_exchange_page_imports_and_reports(client, personas):
    client.force_login(personas.admin)
    upload = SimpleUploadedFile("catalogue.xlsx", write({"items": [item_row()]}).getvalue())
    response = client.post(reverse("catalogue:exchange"), {"file": upload})
    assert response.status_code == 302
    assert ServiceItem.objects.filter(implementation_code="GA-9").exists()
    assert AuditEntry.objects.filter(action="catalogue.imported", actor=personas.admin).exists()


def test_the_exchange_page_lists_bad_rows(client, personas):
    client.force_login(personas.admin)
    upload = SimpleUploadedFile(
        "catalogue.xlsx",
        write(
            {
                "items": [
                    item_row(legal_basis=""),
                    item_row(implementation_code="X2", promised_limit_days=30),
                ]
            }
        ).getvalue(),
    )
    response = client.post(reverse("catalogue:exchange"), {"file": upload})
    assert response.status_code == 200
    assert [(p.sheet, p.row) for p in response.context["problems"]] == [("items", 2), ("items", 3)]
    assert response.content.decode().count('class="import-problem"') == 2
    assert not ServiceItem.objects.exists()


def test_the_exchange_page_explains_a_bad_file_in_chinese(client, personas):
    client.force_login(personas.admin)
    upload = SimpleUploadedFile("catalogue.csv", b"a,b,c")
    response = client.post(reverse("catalogue:exchange"), {"file": upload})
    assert response.status_code == 200
    assert "不是 Excel 工作簿" in response.context["file_error"]


def test_the_exchange_page_explains_a_bad_file_in_english(english, personas):
    english.force_login(personas.admin)
    upload = SimpleUploadedFile("catalogue.csv", b"a,b,c")
    response = english.post(reverse("catalogue:exchange"), {"file": upload})
    assert "not an Excel workbook" in response.context["file_error"]


def test_the_exchange_page_exports(client, personas):
    make_published(personas.department, [personas.hall], code="GA-1")
    make_published(personas.other_department, [personas.other_hall], code="MZ-1")
    client.force_login(personas.manager)
    response = client.get(reverse("catalogue:export"), {"scope": "published"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    rows = cells(response.content)["items"]
    assert [r[0] for r in rows[1:]] == ["GA-1"]  # the hall manager's own hall only
    template = client.get(reverse("catalogue:export"), {"scope": "template"})
    assert len(cells(template.content)["items"]) == 1


def test_the_exchange_page_is_for_editors_only(client, personas):
    assert client.get(reverse("catalogue:exchange")).status_code == 302
    client.force_login(personas.clerk)
    assert client.get(reverse("catalogue:exchange")).status_code == 403
    assert client.get(reverse("catalogue:export")).status_code == 403
    client.force_login(personas.legal)
    upload = SimpleUploadedFile("catalogue.xlsx", write({"items": [item_row()]}).getvalue())
    assert client.post(reverse("catalogue:exchange"), {"file": upload}).status_code == 403
    assert not ServiceItem.objects.exists()
