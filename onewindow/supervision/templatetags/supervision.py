"""Template helpers of the supervision app.

The case page shows a case's cards with::

    {% load supervision %}
    {% case_cards case %}

(`cards_for_case case as cards` gives the list itself, for a custom layout.)
"""

from django import template

from onewindow.supervision.services import cards_for_case as _cards_for_case

register = template.Library()

LEVEL_CLASSES = {
    "warning": "text-bg-info",
    "yellow": "text-bg-warning",
    "red": "text-bg-danger",
    "flag": "text-bg-dark",
}
STATUS_CLASSES = {
    "raised": "text-bg-danger",
    "explained": "text-bg-info",
    "corrected": "text-bg-info",
    "closed": "text-bg-success",
    "upheld": "text-bg-dark",
}


@register.filter
def alert_level_class(level: str) -> str:
    return LEVEL_CLASSES.get(str(level), "text-bg-secondary")


@register.filter
def alert_status_class(status: str) -> str:
    return STATUS_CLASSES.get(str(status), "text-bg-secondary")


@register.simple_tag
def cards_for_case(case):
    """The alerts (cards and flags) of a case, newest first."""
    return _cards_for_case(case)


@register.inclusion_tag("supervision/case_cards.html", takes_context=True)
def case_cards(context, case):
    return {"cards": _cards_for_case(case), "request": context.get("request"), "case": case}
