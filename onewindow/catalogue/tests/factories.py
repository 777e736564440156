"""Test helpers for the catalogue: `make_content`, `make_item`, `publish_item`."""

from __future__ import annotations

import itertools
from decimal import Decimal

from onewindow.catalogue import services
from onewindow.catalogue.models import ItemType, ItemVersion, Step

_counter = itertools.count(1)

LAW = "《中华人民共和国道路交通安全法》第八条；《机动车登记规定》第五条"


def make_content(
    halls,
    *,
    name: str = "机动车注册登记",
    immediate: bool = False,
    legal: int = 20,
    promised: int | None = None,
    fees: int = 1,
    legal_basis: str = LAW,
    steps=None,
    **fields,
) -> services.Content:
    """Valid content for a version; override what a test is about."""
    if promised is None:
        promised = 0 if immediate else 5
    if steps is None:
        steps = (
            [{"name": "受理并办结", "role": Step.Role.HANDLER, "limit_days": 0}]
            if immediate
            else [
                {"name": "受理", "role": Step.Role.HANDLER, "limit_days": 1},
                {
                    "name": "审核",
                    "role": Step.Role.REVIEWER,
                    "limit_days": min(2, max(promised - 1, 0)),
                },
                {"name": "审批", "role": Step.Role.APPROVER, "limit_days": 0},
            ]
        )
    values = {
        "name": name,
        "item_type": ItemType.LICENSING,
        "handling": ItemVersion.Handling.IMMEDIATE if immediate else ItemVersion.Handling.PROMISED,
        "legal_limit_days": legal,
        "promised_limit_days": promised,
        "is_joint": False,
        "legal_basis": legal_basis,
        "conditions": "在本市登记的机动车所有人",
        "result_name": "机动车登记证书",
        "visits_needed": 1,
        "online_available": False,
        "consult_phone": "0512-58680001",
        "complaint_phone": "12345",
    }
    values.update(fields)
    return services.Content(
        fields=values,
        halls=list(halls),
        materials=[
            {
                "name": "机动车所有人身份证明",
                "required": True,
                "originals": 1,
                "copies": 1,
                "form": "paper",
                "may_follow_later": False,
                "blank_form": "",
                "sample": "",
                "note": "",
            },
            {
                "name": "机动车来历证明",
                "required": True,
                "originals": 1,
                "copies": 0,
                "form": "paper",
                "may_follow_later": True,
                "blank_form": "",
                "sample": "",
                "note": "购车发票",
            },
        ],
        steps=steps,
        fees=[
            {
                "name": f"工本费{n}",
                "amount": Decimal("10.00"),
                "standard": "10元/证",
                "basis": "《行政事业性收费标准管理办法》",
                "waivable": n == 2,
            }
            for n in range(1, fees + 1)
        ],
    )


def make_item(
    department,
    halls,
    *,
    code: str | None = None,
    catalogue_code: str | None = None,
    actor=None,
    **content_args,
) -> ItemVersion:
    """A new item whose first version is a draft."""
    n = next(_counter)
    return services.create_item(
        actor=actor,
        implementation_code=code or f"T{n:05d}",
        catalogue_code=catalogue_code or f"{n:012d}",
        department=department,
        content=make_content(halls, **content_args),
    )


def publish_item(version: ItemVersion) -> ItemVersion:
    """Take a draft through both reviews to publication (as the system)."""
    services.submit_for_review(actor=None, version=version)
    services.legal_review(actor=None, version=version, passed=True)
    version.refresh_from_db()
    if version.status == ItemVersion.Status.FEE_REVIEW:
        services.fee_review(actor=None, version=version, passed=True)
    services.publish(actor=None, version=version)
    version.refresh_from_db()
    return version


def make_published(department, halls, **kwargs) -> ItemVersion:
    return publish_item(make_item(department, halls, **kwargs))


def _field(data: dict, key: str, value) -> None:
    if isinstance(value, bool):
        if value:
            data[key] = "on"
    elif value is None:
        data[key] = ""
    else:
        data[key] = str(value)


def editor_data(
    content: services.Content, *, item: dict | None = None, version=None, submit=False
) -> dict:
    """POST data for the draft editor (item fields only for a new item)."""
    data: dict = {}
    for name in services.VERSION_FIELDS:
        _field(data, f"v-{name}", content.fields[name])
    data["v-halls"] = [str(h.pk) for h in content.halls]
    for key, value in (item or {}).items():
        data[f"item-{key}"] = str(value)
    parts = {
        "materials": (
            content.materials,
            [f for f in services.MATERIAL_FIELDS if f not in ("blank_form", "sample")],
        ),
        "steps": (content.steps, services.STEP_FIELDS),
        "fees": (content.fees, services.FEE_FIELDS),
    }
    for prefix, (rows, fields) in parts.items():
        existing = list(getattr(version, prefix).values_list("pk", flat=True)) if version else []
        # Existing rows are deleted and the content's rows sent as new ones.
        for i, pk in enumerate(existing):
            data[f"{prefix}-{i}-id"] = str(pk)
            data[f"{prefix}-{i}-DELETE"] = "on"
        for j, row in enumerate(rows, start=len(existing)):
            for name in fields:
                _field(data, f"{prefix}-{j}-{name}", row.get(name))
        data[f"{prefix}-TOTAL_FORMS"] = str(len(existing) + len(rows))
        data[f"{prefix}-INITIAL_FORMS"] = str(len(existing))
        data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{prefix}-MAX_NUM_FORMS"] = "1000"
    if submit:
        data["submit"] = "1"
    return data
