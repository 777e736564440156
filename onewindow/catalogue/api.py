"""Public API of the catalogue: the published items, as the guide shows them (no sign-in)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Field, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from onewindow.core.api_errors import DB_INT_MAX, ErrorOut, PathKey

from .filters import ItemFilter
from .models import ItemVersion

router = Router()


class HallOut(Schema):
    code: str
    name: str


class GuideMaterialOut(Schema):
    name: str
    required: bool
    originals: int
    copies: int
    form: str
    may_follow_later: bool
    note: str
    blank_form_url: str | None = None
    sample_url: str | None = None

    @staticmethod
    def resolve_blank_form_url(obj) -> str | None:
        return obj.blank_form.url if obj.blank_form else None

    @staticmethod
    def resolve_sample_url(obj) -> str | None:
        return obj.sample.url if obj.sample else None


class GuideStepOut(Schema):
    name: str
    role: str
    limit_days: int


class FeeOut(Schema):
    id: int  # named by a case's fee conditions (POST /cases/{number}/conclude)
    name: str
    amount: Decimal | None
    standard: str
    basis: str
    waivable: bool
    waiver_condition: str
    reduced_amount: Decimal | None
    reduced_condition: str
    per_copy_amount: Decimal | None


class ItemSummaryOut(Schema):
    implementation_code: str
    catalogue_code: str
    name: str
    pinyin_initials: str
    item_type: str
    item_type_label: str
    department: str
    department_name: str
    halls: list[HallOut]
    handling: str
    immediate: bool
    legal_limit_days: int
    promised_limit_days: int
    has_fees: bool
    version: int
    guide_url: str

    @staticmethod
    def resolve_implementation_code(obj) -> str:
        return obj.item.implementation_code

    @staticmethod
    def resolve_catalogue_code(obj) -> str:
        return obj.item.catalogue_code

    @staticmethod
    def resolve_item_type_label(obj) -> str:
        return str(obj.get_item_type_display())

    @staticmethod
    def resolve_department(obj) -> str:
        return obj.item.department.code

    @staticmethod
    def resolve_department_name(obj) -> str:
        return obj.item.department.name

    @staticmethod
    def resolve_halls(obj) -> list:
        return list(obj.halls.all())

    @staticmethod
    def resolve_immediate(obj) -> bool:
        return obj.is_immediate

    @staticmethod
    def resolve_has_fees(obj) -> bool:
        count = getattr(obj, "fee_count", None)
        return bool(count) if count is not None else obj.fees.exists()

    @staticmethod
    def resolve_version(obj) -> int:
        return obj.number

    @staticmethod
    def resolve_guide_url(obj) -> str:
        return reverse("guide:detail", args=[obj.item.implementation_code])


class ItemDetailOut(ItemSummaryOut):
    is_joint: bool
    max_extension_days: int
    legal_basis: str
    conditions: str
    result_name: str
    visits_needed: int
    online_available: bool
    consult_phone: str
    complaint_phone: str
    published_at: datetime | None
    materials: list[GuideMaterialOut]
    steps: list[GuideStepOut]
    fees: list[FeeOut]

    @staticmethod
    def resolve_materials(obj) -> list:
        return list(obj.materials.all())

    @staticmethod
    def resolve_steps(obj) -> list:
        return list(obj.steps.all())

    @staticmethod
    def resolve_fees(obj) -> list:
        return list(obj.fees.all())


class GuidePagination(PageNumberPagination):
    """ninja's page numbers, held to what the database can count to."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=DB_INT_MAX // 100)
        page_size: int | None = Field(None, ge=1, le=100)


def _published():
    return ItemVersion.objects.published().select_related("item__department")


@router.get(
    "",
    response={200: list[ItemSummaryOut], 422: ErrorOut},
    auth=None,
    summary="Published items",
    description="Filters: hall and department (codes), type (item type code such as 01), "
    "immediate (true/false), q (name, pinyin initials or pinyin, or a code).",
)
@paginate(GuidePagination, page_size=50, max_page_size=100)
def list_items(
    request,
    hall: str | None = None,
    department: str | None = None,
    type: str | None = None,  # noqa: A002  (the public name of the filter)
    immediate: bool | None = None,
    q: str | None = None,
):
    filters = ItemFilter(
        q=q or "",
        hall=hall or "",
        department=department or "",
        item_type=type or "",
        immediate=immediate,
    )
    return (
        filters.apply(_published())
        .prefetch_related("halls")
        .annotate(fee_count=Count("fees", distinct=True))
        .order_by("item__implementation_code")
    )


@router.get(
    "/{implementation_code}",
    response={200: ItemDetailOut, 404: ErrorOut, 422: ErrorOut},
    auth=None,
    summary="One published item with everything its guide shows",
)
def get_item(request, implementation_code: PathKey):
    return get_object_or_404(
        _published().prefetch_related("halls", "materials", "steps", "fees"),
        item__implementation_code=implementation_code,
    )
