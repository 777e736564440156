"""The staff home's panel of overdue decisions (the portal includes it)."""

from django import template

from ..models import Decision

register = template.Library()


@register.inclusion_tag("meetings/_overdue_panel.html", takes_context=True)
def overdue_decisions_panel(context):
    """Overdue decisions of the user's own halls, for the managers who follow them up."""
    user = context["request"].user
    overdue = []
    if user.has_perm("meetings.report_progress"):
        overdue = list(
            Decision.objects.filter(owner_hall__in=user.hall_id_set)
            .overdue()
            .select_related("owner_hall")
            .order_by("due_on", "pk")[:20]
        )
    return {"overdue": overdue}
