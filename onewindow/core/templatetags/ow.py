"""Template filters used on every page; loaded as a builtin."""

from django import template
from django.utils.translation import gettext as _

from onewindow.lib import idnumbers

register = template.Library()


@register.filter
def mask_id(value: str) -> str:
    return idnumbers.mask_resident_id(value or "")


@register.filter
def mask_phone(value: str) -> str:
    return idnumbers.mask_phone(value or "")


@register.filter
def mask_name(value: str) -> str:
    return idnumbers.mask_name(value or "")


@register.filter
def add_class(field, css: str):
    """Render a bound field's widget with extra CSS classes."""
    existing = field.field.widget.attrs.get("class", "")
    return field.as_widget(attrs={"class": f"{existing} {css}".strip()})


@register.simple_tag
def yes_no(value) -> str:
    return _("Yes") if value else _("No")
