"""Read-only admin views of the catalogue.

Items are written on the catalogue pages only: every change there becomes a version that the
legal office (and the fee reviewers) review, and is audited. The admin lets staff look, not edit.
"""

from django.contrib import admin

from .models import Fee, ItemVersion, Material, ReviewRecord, ServiceItem, Step


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MaterialInline(ReadOnlyMixin, admin.TabularInline):
    model = Material
    extra = 0


class StepInline(ReadOnlyMixin, admin.TabularInline):
    model = Step
    extra = 0


class FeeInline(ReadOnlyMixin, admin.TabularInline):
    model = Fee
    extra = 0


class ReviewInline(ReadOnlyMixin, admin.TabularInline):
    model = ReviewRecord
    extra = 0


@admin.register(ServiceItem)
class ServiceItemAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "implementation_code",
        "catalogue_code",
        "department",
        "published_version",
        "latest_version",
    ]
    list_filter = ["department"]
    search_fields = ["implementation_code", "catalogue_code", "versions__name"]
    list_select_related = ["department", "published_version", "latest_version"]


@admin.register(ItemVersion)
class ItemVersionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "item",
        "number",
        "name",
        "status",
        "handling",
        "legal_limit_days",
        "promised_limit_days",
    ]
    list_filter = ["status", "handling", "item_type", "halls"]
    search_fields = ["name", "pinyin_initials", "item__implementation_code"]
    list_select_related = ["item"]
    inlines = [MaterialInline, StepInline, FeeInline, ReviewInline]
