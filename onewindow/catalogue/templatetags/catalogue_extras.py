"""Template filters of the catalogue pages."""

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def pct(value, digits: int = 1) -> str:
    """A share (0.4) as a percentage ("40.0 %"); empty for no value."""
    if value is None or value == "":
        return ""
    return f"{number_format(float(value) * 100, int(digits))} %"
