from django.contrib import admin

from .models import Alert, AlertEvent, Rule


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "threshold", "enabled"]
    list_filter = ["level", "enabled"]
    readonly_fields = ["code", "updated_at", "updated_by"]


class AlertEventInline(admin.TabularInline):
    model = AlertEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "from_status", "to_status", "actor", "at", "note"]


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    """Read-only: alerts change only through the actions (services), which audit them."""

    list_display = ["id", "level", "rule", "case", "hall", "status", "raised_at"]
    list_filter = ["level", "status", "rule", "hall"]
    search_fields = ["case__number", "breach_key"]
    inlines = [AlertEventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
