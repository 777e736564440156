"""The staff home's panel of bulletins waiting for the hall's acknowledgement."""

from django import template

from ..models import Bulletin

register = template.Library()


@register.inclusion_tag("bulletins/_inbox_panel.html", takes_context=True)
def bulletin_inbox_panel(context):
    user = context["request"].user
    pending = []
    if user.has_perm("bulletins.acknowledge_bulletins"):
        pending = list(
            Bulletin.objects.published()
            .filter(receipts__hall__in=user.hall_id_set, receipts__acknowledged_at__isnull=True)
            .distinct()[:10]
        )
    return {"pending": pending}
