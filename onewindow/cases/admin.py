"""Cases in the admin: to look, not to edit. Every change to a case goes through the
services (events, audit, clock); the admin only lets an administrator clear a client's
failed status lookups."""

from django.contrib import admin

from .models import Case, CaseEvent, CaseNumberCounter, CaseStep, StatusLookupFailure


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CaseStepInline(ReadOnlyMixin, admin.TabularInline):
    model = CaseStep
    extra = 0
    fields = [
        "position",
        "name",
        "role",
        "assignee",
        "started_at",
        "due_date",
        "finished_at",
        "decision",
        "opinion",
    ]
    readonly_fields = fields


class CaseEventInline(ReadOnlyMixin, admin.TabularInline):
    model = CaseEvent
    extra = 0
    fields = ["seq", "kind", "at", "actor", "from_status", "to_status", "reason", "data"]
    readonly_fields = fields


@admin.register(Case)
class CaseAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "number",
        "hall",
        "item_version",
        "status",
        "received_at",
        "promised_due_date",
        "due_provisional",
    ]
    list_filter = ["status", "hall", "source", "is_immediate", "due_provisional"]
    search_fields = ["number"]
    list_select_related = ["hall", "item_version"]
    date_hierarchy = "received_at"
    inlines = [CaseStepInline, CaseEventInline]
    exclude = ["applicant_id_number", "contact_phone"]  # personal numbers stay out of the admin

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(CaseNumberCounter)
class CaseNumberCounterAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["hall", "day", "last"]
    list_filter = ["hall"]


@admin.register(StatusLookupFailure)
class StatusLookupFailureAdmin(admin.ModelAdmin):
    list_display = ["client", "at"]
    search_fields = ["client"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
