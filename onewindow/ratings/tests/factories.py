"""Cases brought to a service act through the case services, for the rating tests."""

from onewindow.cases import services
from onewindow.cases.models import CaseEvent
from onewindow.cases.tests.factories import make_case


def immediate_service(personas, immediate_item, **kwargs):
    """An immediate case handled at the personas' window: returns (case, its one act)."""
    case = make_case(personas, immediate_item, **kwargs)
    case = services.handle_immediately(
        actor=personas.clerk,
        case=case,
        certificate_number="补证-001",
        window=personas.window,
    )
    return case, case.events.get(kind=CaseEvent.Kind.CONCLUDED)


def accepted(personas, item, **kwargs):
    """A promised case accepted at the personas' window: returns (case, the acceptance)."""
    case = make_case(personas, item, **kwargs)
    case = services.accept_case(actor=personas.clerk, case=case, window=personas.window)
    return case, case.events.get(kind=CaseEvent.Kind.ACCEPTED)
