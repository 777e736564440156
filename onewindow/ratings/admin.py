from django.contrib import admin

from .models import Rating, StaffCard


@admin.register(StaffCard)
class StaffCardAdmin(admin.ModelAdmin):
    """The photo and staff number the window tablet shows of a staff member."""

    list_display = ("staff", "number")
    search_fields = ("staff__username", "staff__full_name", "number")
    raw_id_fields = ("staff",)


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    """Ratings, read only (never updated or deleted): the act, the case and the queue
    ticket the visit began with."""

    list_display = ("rated_at", "hall", "case", "ticket", "act", "level", "channel")
    list_filter = ("hall", "level", "channel")
    list_select_related = ("hall", "case", "ticket")
    search_fields = ("case__number", "ticket__number")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
