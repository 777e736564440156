from django.contrib import admin

from .models import Department, Hall, OpeningHours, Window


class WindowInline(admin.TabularInline):
    model = Window
    extra = 0


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


@admin.register(Hall)
class HallAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent", "is_active")
    inlines = [WindowInline, OpeningHoursInline]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "is_active")
