from django.contrib import admin

from .models import ComplaintCategory


@admin.register(ComplaintCategory)
class ComplaintCategoryAdmin(admin.ModelAdmin):
    """The categories (each an Open311 service) are data the office edits here."""

    list_display = ("code", "name", "group", "kind", "active", "sort")
    list_filter = ("kind", "active")
    search_fields = ("code", "name", "name_en")
