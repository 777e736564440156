from django.contrib import admin

from .models import QueueCategory


@admin.register(QueueCategory)
class QueueCategoryAdmin(admin.ModelAdmin):
    """The hall's lines: letters, names, items, windows, limits (edited by the centre's
    administrators in the admin until a staff page exists)."""

    list_display = (
        "hall",
        "letter",
        "name",
        "is_active",
        "daily_limit_per_id",
        "no_show_after_calls",
    )
    list_filter = ("hall", "is_active")
    filter_horizontal = ("items", "windows")
