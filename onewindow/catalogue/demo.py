"""The demo catalogue: 400+ published items for Zhangjiagang, 150+ of them in the 8 sub-centres.

Built from the per-department templates in demo_data.py with bulk inserts (a few seconds), each
item with the history a real one would have: drafted, submitted, passed by the legal office
(and the fee reviewers when it charges fees), published. A handful of items then get a new
version on its way through review, so that the review queues are not empty. Idempotent: items
that already exist are left alone.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from onewindow.accounts.models import User
from onewindow.audit.services import record
from onewindow.halls.models import Department, Hall

from . import demo_data as data
from . import services
from .models import Fee, ItemVersion, Material, ReviewRecord, ServiceItem, Step
from .search import pinyin_full, pinyin_initials

REGION = "320582"  # 张家港市
JOINT = {
    "民办学校（实施学历教育）设立审批",
    "特殊建设工程消防验收",
    "危险化学品建设项目安全条件审查",
    "企业投资项目核准",
    "医疗机构执业登记",
}
CONDITIONS = {
    data.LIC: "申请人符合{law}规定的条件；申请材料齐全、符合法定形式。",
    data.CONF: "申请事项属于本部门职责范围；申请材料齐全、真实、有效。",
    data.BEN: "符合{law}规定的待遇享受条件，在规定期限内提出申请。",
    data.PUB: "有办理需求的个人或者单位均可申请。",
    data.LEV: "依法负有纳税义务的单位和个人，在规定期限内申报。",
}
LEGAL_OPINIONS = [
    "设定依据准确、有效，同意。",
    "法律依据充分，办理时限符合规定，同意。",
    "经审查，设定依据和承诺时限合法，同意公布。",
]
FEE_OPINION = "收费项目和标准有合法依据，同意公示。"


def _steps(kind: str, mode: str, promised: int, result: str) -> list[tuple[str, str, int]]:
    """Handling steps that share the promised limit (immediate items: all at once)."""
    handler, reviewer, approver = Step.Role.HANDLER, Step.Role.REVIEWER, Step.Role.APPROVER
    if mode == "I":
        if kind in (data.PUB, data.LEV):
            return [("受理并办结", handler, 0)]
        return [("受理", handler, 0), ("审核决定", approver, 0)]
    accept = 1 if promised >= 5 else 0
    review = max(1, (promised - accept) // 2)
    steps = [
        ("受理", handler, accept),
        ("审核", reviewer, review),
        ("审批决定", approver, promised - accept - review),
    ]
    if kind == data.LIC and "证" in result:
        steps.append(("制证送达", handler, 0))
    return steps


def _basis(dept: data.Department, name: str) -> str:
    """The department's general basis, the company law, then the item's own laws (no repeats)."""
    laws = [dept.basis]
    laws.append(next((law for form, law in data.COMPANY_FORMS if name.startswith(form)), ""))
    laws.append(
        next((law for word, law in data.SPECIFIC_BASIS.get(dept.code, []) if word in name), "")
    )
    parts: list[str] = []
    for law in laws:
        for part in law.split("；"):
            if part and part not in parts:
                parts.append(part)
    return "；".join(parts)


def _money(text: str | None) -> Decimal | None:
    return Decimal(text) if text else None


def _material(text: str, position: int) -> Material:
    optional, later = text.startswith("?"), text.startswith("~")
    name = text.lstrip("?~")
    is_form = name.endswith(("申请表", "申请书", "登记表", "备案表", "信息表"))
    is_id = "身份证" in name or "营业执照" in name
    return Material(
        position=position,
        name=name,
        required=not optional,
        originals=1,
        copies=1 if is_id else 0,
        form=Material.Form.EITHER if is_form else Material.Form.PAPER,
        may_follow_later=later,
        note="现场核验原件" if is_id else "",
    )


def _plan() -> list[dict]:
    """Every demo item as plain values, in a stable order."""
    items = []
    for dept_index, dept in enumerate(data.DEPARTMENTS, start=1):
        for seq, row in enumerate(dept.rows, start=1):
            name, kind, mode, legal, promised, result, fee_keys, materials = row
            basis = _basis(dept, name)
            first_law = basis.split("；")[0]
            online = kind in (data.PUB, data.OTH, data.LEV) or (seq % 3 == 0 and kind != data.CONF)
            items.append(
                {
                    "dept": dept,
                    "implementation_code": f"{REGION}-{dept.code}-{seq:03d}",
                    "catalogue_code": f"{kind}{dept_index:03d}{seq:03d}0000",
                    "name": name,
                    "kind": kind,
                    "mode": mode,
                    "legal": legal,
                    "promised": 0 if mode == "I" else promised,
                    "result": result,
                    "basis": basis,
                    "conditions": CONDITIONS.get(kind, "按规定提交材料的单位和个人。").format(
                        law=first_law
                    ),
                    "online": online,
                    "materials": [*dept.common, *materials],
                    "steps": _steps(kind, mode, promised, result),
                    "fees": [data.FEES[key] for key in fee_keys],
                }
            )
    return items


@transaction.atomic
def load_demo_catalogue(stdout=None) -> int:
    """Create the demo catalogue (needs the demo organisation). Returns the items created."""
    halls = {h.code: h for h in Hall.objects.all()}
    departments = {d.code: d for d in Department.objects.all()}
    missing = {code for dept in data.DEPARTMENTS for code in dept.halls if code not in halls} | {
        dept.code for dept in data.DEPARTMENTS if dept.code not in departments
    }
    if missing:
        raise RuntimeError(
            "load the demo organisation first (missing halls or departments: "
            + ", ".join(sorted(missing))
            + ")"
        )
    users = {u.username: u for u in User.objects.filter(username__in=["admin", "fazhi", "shoufei"])}
    editor, legal, fee_reviewer = users.get("admin"), users.get("fazhi"), users.get("shoufei")

    plan = _plan()
    existing = set(
        ServiceItem.objects.filter(
            implementation_code__in=[p["implementation_code"] for p in plan]
        ).values_list("implementation_code", flat=True)
    )
    plan = [p for p in plan if p["implementation_code"] not in existing]
    if not plan:
        if stdout:
            stdout.write(f"catalogue: {ServiceItem.objects.count()} items (nothing to add)")
        return 0

    now = timezone.now()
    items = ServiceItem.objects.bulk_create(
        [
            ServiceItem(
                implementation_code=p["implementation_code"],
                catalogue_code=p["catalogue_code"],
                department=departments[p["dept"].code],
                created_at=now - timedelta(days=400),
            )
            for p in plan
        ]
    )
    versions = []
    for n, (p, item) in enumerate(zip(plan, items, strict=True)):
        published_at = now - timedelta(days=300 - (n % 200), minutes=n)
        p["published_at"] = published_at
        versions.append(
            ItemVersion(
                item=item,
                number=1,
                status=ItemVersion.Status.PUBLISHED,
                name=p["name"],
                pinyin_initials=pinyin_initials(p["name"]),
                pinyin=pinyin_full(p["name"]),
                item_type=p["kind"],
                handling=ItemVersion.Handling.IMMEDIATE
                if p["mode"] == "I"
                else ItemVersion.Handling.PROMISED,
                legal_limit_days=p["legal"],
                promised_limit_days=p["promised"],
                is_joint=p["name"] in JOINT,
                legal_basis=p["basis"],
                conditions=p["conditions"],
                result_name=p["result"],
                visits_needed=1 if p["mode"] == "I" or p["online"] else 2,
                online_available=p["online"],
                consult_phone=p["dept"].phone,
                complaint_phone="12345",
                created_by=editor,
                created_at=published_at - timedelta(days=10),
                published_at=published_at,
            )
        )
    versions = ItemVersion.objects.bulk_create(versions)

    through = ItemVersion.halls.through
    links, materials, steps, fees, reviews = [], [], [], [], []
    for n, (p, version) in enumerate(zip(plan, versions, strict=True)):
        for code in p["dept"].halls:
            links.append(through(itemversion_id=version.pk, hall_id=halls[code].pk))
        for position, text in enumerate(p["materials"], start=1):
            material = _material(text, position)
            material.version = version
            materials.append(material)
        for position, (name, role, days) in enumerate(p["steps"], start=1):
            steps.append(
                Step(version=version, position=position, name=name, role=role, limit_days=days)
            )
        for position, (name, amount, standard, basis, waivable, *more) in enumerate(
            p["fees"], start=1
        ):
            conditions = more[0] if more else {}
            fees.append(
                Fee(
                    version=version,
                    position=position,
                    name=name,
                    amount=Decimal(amount) if amount else None,
                    standard=standard,
                    basis=basis,
                    waivable=waivable,
                    waiver_condition=conditions.get("waiver_condition", ""),
                    per_copy_amount=_money(conditions.get("per_copy_amount")),
                    reduced_amount=_money(conditions.get("reduced_amount")),
                    reduced_condition=conditions.get("reduced_condition", ""),
                )
            )
        at = version.created_at
        history = [
            (ReviewRecord.Stage.DRAFTED, ReviewRecord.Decision.CREATE, editor, "", at),
            (
                ReviewRecord.Stage.SUBMITTED,
                ReviewRecord.Decision.SUBMIT,
                editor,
                "",
                at + timedelta(hours=2),
            ),
            (
                ReviewRecord.Stage.LEGAL,
                ReviewRecord.Decision.PASS,
                legal,
                LEGAL_OPINIONS[n % len(LEGAL_OPINIONS)],
                at + timedelta(days=3),
            ),
        ]
        if p["fees"]:
            history.append(
                (
                    ReviewRecord.Stage.FEE,
                    ReviewRecord.Decision.PASS,
                    fee_reviewer,
                    FEE_OPINION,
                    at + timedelta(days=6),
                )
            )
        history.append(
            (
                ReviewRecord.Stage.PUBLISHED,
                ReviewRecord.Decision.PUBLISH,
                editor,
                "",
                p["published_at"],
            )
        )
        reviews.extend(
            ReviewRecord(version=version, stage=s, decision=d, reviewer=u, opinion=o, at=t)
            for s, d, u, o, t in history
        )
    through.objects.bulk_create(links)
    Material.objects.bulk_create(materials)
    Step.objects.bulk_create(steps)
    Fee.objects.bulk_create(fees)
    ReviewRecord.objects.bulk_create(reviews)
    for item, version in zip(items, versions, strict=True):
        item.published_version = version
        item.latest_version = version
    ServiceItem.objects.bulk_update(items, ["published_version", "latest_version"], batch_size=500)

    if not existing:
        _start_new_versions(editor, legal)
    record(
        actor=None,
        action="catalogue.demo_loaded",
        object_type="catalogue.serviceitem",
        object_repr="demo catalogue",
        after={"items": len(items)},
    )
    if stdout:
        sub = (
            ItemVersion.objects.published()
            .filter(halls__kind=Hall.Kind.SUB_CENTRE)
            .distinct()
            .count()
        )
        stdout.write(
            f"catalogue: {len(items)} items published ({sub} handled by sub-centres), "
            f"{len(materials)} materials, {len(steps)} steps, {len(fees)} fees"
        )
    return len(items)


def _start_new_versions(editor, legal) -> None:
    """A few versions on their way through review, so that every queue has work."""

    def new_draft(code: str, **changes) -> ItemVersion:
        item = ServiceItem.objects.get(implementation_code=f"{REGION}-{code}")
        version = services.new_draft_from_published(actor=editor, item=item)
        content = services.content_of(version)
        content.fields.update(changes)
        if "promised_limit_days" in changes:
            content.steps = [dict(s, limit_days=0) for s in content.steps]
            content.steps[-1]["limit_days"] = changes["promised_limit_days"]
        services.save_draft(actor=editor, version=version, content=content)
        services.submit_for_review(actor=editor, version=version)
        return version

    # Speed-ups proposed by the sub-centres (三个到位: simplify, delegate, speed up).
    new_draft("MZ-006", promised_limit_days=15)
    new_draft("LB-013", promised_limit_days=30)
    with_fees = new_draft(
        "FC-002",
        conditions="买卖双方材料齐全、已完税的住宅转移登记，一个工作日内办结。",
        promised_limit_days=1,
    )
    services.legal_review(actor=legal, version=with_fees, passed=True, opinion="同意压缩承诺时限。")
    returned = new_draft("GA-001", legal_basis="《机动车登记规定》")
    services.legal_review(
        actor=legal,
        version=returned,
        passed=False,
        opinion="设定依据不完整：请补充《中华人民共和国道路交通安全法》第八条。",
    )
