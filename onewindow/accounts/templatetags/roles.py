"""Template filters about roles: ``{% load roles %}`` then ``{{ group.name|role_label }}``."""

from django import template

from onewindow.accounts.roles import role_label as label

register = template.Library()


@register.filter
def role_label(code: str) -> str:
    """The name of a role (a group's code) in the reader's language."""
    return label(code)
