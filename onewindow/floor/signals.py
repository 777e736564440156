"""The floor's receiver of `cases.signals.case_changed`: a case received from a ticket
(it carries the ticket's intake key) is linked to that ticket. No rule lives here; the
service `link_case` does the work."""

from onewindow.cases.models import Case, CaseEvent


def link_received_case(sender, case_id, kinds, **kwargs) -> None:
    if CaseEvent.Kind.RECEIVED not in kinds:
        return
    from .services import link_case

    case = Case.objects.filter(pk=case_id).only("pk", "hall_id", "intake_key").first()
    if case is not None:
        link_case(case)
