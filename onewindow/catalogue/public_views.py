"""Public guides (办事公开): browse and search published items, the item guide, the fee list.

Only versions in force are shown: drafts and versions in review never reach the public.
The guide is the same in every hall, because every hall reads the same version.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render

from onewindow.halls.models import Department

from .filters import ItemFilterForm
from .models import Fee, ItemVersion


def guide_index(request):
    form = ItemFilterForm(request.GET or None)
    filters = form.to_filter()
    versions = (
        filters.apply(ItemVersion.objects.published())
        .select_related("item__department")
        .prefetch_related("halls")
        .annotate(fee_count=Count("fees", distinct=True))
        .order_by("item__department__code", "name", "pk")
    )
    page = Paginator(versions, 30).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    departments = (
        Department.objects.annotate(
            published=Count("items", filter=Q(items__published_version__isnull=False))
        )
        .filter(published__gt=0)
        .order_by("code")
    )
    searched = any(
        getattr(filters, name) not in ("", None)
        for name in ("q", "hall", "department", "item_type", "immediate")
    )
    return render(
        request,
        "catalogue/guide/index.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "departments": departments,
            "searched": searched,
        },
    )


def guide_detail(request, code):
    version = get_object_or_404(
        ItemVersion.objects.published()
        .select_related("item__department")
        .prefetch_related("halls", "materials", "steps", "fees"),
        item__implementation_code=code,
    )
    return render(request, "catalogue/guide/detail.html", {"version": version})


def fee_list(request):
    fees = (
        Fee.objects.filter(version__status=ItemVersion.Status.PUBLISHED)
        .select_related("version__item__department")
        .order_by("version__item__department__code", "version__name", "position", "pk")
    )
    return render(request, "catalogue/guide/fees.html", {"fees": fees})
