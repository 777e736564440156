"""Test data for cases: published items built straight on the catalogue models, valid
identity numbers, and cases brought to a given point of their life cycle through the
services (so every test case has its events and audit rows like a real one)."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from onewindow.catalogue.models import Fee, ItemType, ItemVersion, Material, ServiceItem, Step
from onewindow.lib.idnumbers import credit_code_check_char, resident_id_check_char

SHANGHAI = ZoneInfo("Asia/Shanghai")
_seq = itertools.count(1)

PROMISED_STEPS = (("受理审查", "handler", 3), ("审核", "reviewer", 2), ("审批决定", "approver", 2))
MATERIALS = (
    # name, required, may follow later
    ("申请表", True, False),
    ("居民身份证", True, False),
    ("机动车登记证书", True, False),
    ("交通事故责任强制保险凭证", True, True),
    ("委托书", False, False),
)


def at(day: str, hour: int = 10, minute: int = 0) -> dt.datetime:
    """An aware moment in Shanghai: at("2026-03-02", 9, 30)."""
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour, minute), tzinfo=SHANGHAI)


def resident_id(birth: str = "19900307", region: str = "320582", seq: str | None = None) -> str:
    """A valid 18-character resident ID (check character computed)."""
    seq = seq or f"{next(_seq) % 1000:03d}"
    first17 = f"{region}{birth}{seq}"
    return first17 + resident_id_check_char(first17)


def credit_code(body: str = "91320582MA1XXXX0") -> str:
    """A valid unified social credit code for a company registered in Zhangjiagang."""
    first17 = (body + "0" * 17)[:17]
    return first17 + credit_code_check_char(first17)


def with_wrong_check_char(number: str) -> str:
    last = number[-1]
    return number[:-1] + ("1" if last != "1" else "2")


def make_item(
    department,
    halls,
    *,
    name: str | None = None,
    code: str | None = None,
    handling: str = ItemVersion.Handling.PROMISED,
    legal: int = 20,
    promised: int = 10,
    steps=PROMISED_STEPS,
    materials=MATERIALS,
    fees=(("工本费", "10.00"),),
    joint: bool = False,
    item_type: str = ItemType.LICENSING,
    result_name: str = "机动车行驶证",
    pinyin: str = "",
) -> ServiceItem:
    """A service item with one published version (materials, steps, fees)."""
    n = next(_seq)
    if handling == ItemVersion.Handling.IMMEDIATE:
        legal, promised = legal if legal is not None else 0, 0
    item = ServiceItem.objects.create(
        implementation_code=code or f"11320582TEST{n:05d}",
        catalogue_code=f"000{n:05d}",
        department=department,
    )
    version = ItemVersion.objects.create(
        item=item,
        number=1,
        status=ItemVersion.Status.PUBLISHED,
        name=name or f"测试事项{n}",
        pinyin_initials=pinyin.upper(),
        item_type=item_type,
        handling=handling,
        legal_limit_days=legal,
        promised_limit_days=promised,
        is_joint=joint,
        legal_basis="《中华人民共和国道路交通安全法》第八条",
        result_name=result_name,
        published_at=at("2026-01-05"),
    )
    version.halls.set(halls)
    for i, (mname, required, follow) in enumerate(materials, start=1):
        Material.objects.create(
            version=version, position=i, name=mname, required=required, may_follow_later=follow
        )
    for i, (sname, role, limit) in enumerate(steps, start=1):
        Step.objects.create(version=version, position=i, name=sname, role=role, limit_days=limit)
    for i, (fname, amount) in enumerate(fees, start=1):
        Fee.objects.create(
            version=version,
            position=i,
            name=fname,
            amount=amount,
            standard=f"{amount}元/证",
            basis="苏价费〔2017〕1号",
        )
    item.published_version = version
    item.save(update_fields=["published_version"])
    return item


def make_immediate_item(department, halls, **kwargs) -> ServiceItem:
    kwargs.setdefault("steps", ())
    kwargs.setdefault("materials", (("申请表", True, False), ("居民身份证", True, False)))
    kwargs.setdefault("legal", 0)
    kwargs.setdefault("result_name", "驾驶证补证")
    return make_item(department, halls, handling=ItemVersion.Handling.IMMEDIATE, **kwargs)


def required_ids(item) -> list[int]:
    return [m.pk for m in item.published_version.materials.all() if m.required]


def all_ids(item) -> list[int]:
    return [m.pk for m in item.published_version.materials.all()]


def material_id(item, name: str) -> int:
    return item.published_version.materials.get(name=name).pk


def make_case(
    personas,
    item,
    *,
    provided=None,
    applicant_name="张三丰",
    kind="person",
    id_number=None,
    **kwargs,
):
    """A received case at the personas' hall (all required materials handed in unless
    ``provided`` says otherwise)."""
    from onewindow.cases import services

    return services.receive_case(
        actor=kwargs.pop("actor", personas.clerk),
        hall=kwargs.pop("hall", personas.hall),
        item=item,
        applicant_kind=kind,
        applicant_name=applicant_name,
        applicant_id_number=id_number or (resident_id() if kind == "person" else credit_code()),
        contact_phone=kwargs.pop("contact_phone", "13812345678"),
        window=kwargs.pop("window", personas.window),
        provided_material_ids=required_ids(item) if provided is None else provided,
        **kwargs,
    )


def make_accepted_case(personas, item, **kwargs):
    from onewindow.cases import services

    case = make_case(personas, item, **kwargs)
    return services.accept_case(actor=personas.clerk, case=case)


def run_steps(personas, case, decisions=("pass", "pass", "approve")):
    """Decide every step as its assignee would."""
    from onewindow.cases import services

    for decision in decisions:
        case.refresh_from_db()
        services.decide_step(
            actor=case.current_assignee, case=case, decision=decision, opinion="同意"
        )
    case.refresh_from_db()
    return case
