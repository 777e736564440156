from django.contrib import admin

from .models import StaffCard


@admin.register(StaffCard)
class StaffCardAdmin(admin.ModelAdmin):
    """The photo and staff number the window tablet shows of a staff member."""

    list_display = ("staff", "number")
    search_fields = ("staff__username", "staff__full_name", "number")
    raw_id_fields = ("staff",)
