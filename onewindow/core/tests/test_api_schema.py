"""The API against its own OpenAPI document, with schemathesis: every operation is called
with generated requests, valid and invalid, as a window clerk with a token, and every answer
must be documented (status code, content type, body schema) and none may be a server error.

The requests go in-process through Django's stock WSGI handler, so they see the test
database. Besides requests made up entirely, each operation on a case, an alert or an item
is also called on real ones (with the case's current version), so the services run on the
generated values and not only the lookups. Hypothesis runs derandomized: the same requests
every run.
"""

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from onewindow.accounts.models import ApiToken
from onewindow.cases.models import Case
from onewindow.cases.tests.factories import make_accepted_case, make_case, make_immediate_item
from onewindow.cases.tests.factories import make_item as make_case_item
from onewindow.supervision.tests.factories import make_alert

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# Server errors and answers that do not match the document; invalid requests must also be
# refused (negative_data_rejection).
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 15
MIN_CALLS = 1000


def settings():
    return hypothesis.settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )


class Run:
    """The calls made and the failures found, over every operation."""

    def __init__(self, headers):
        self.headers = headers
        self.calls = 0
        self.failures: list[str] = []

    def operation(self, op, mode, path_parameters=None, fix=None):
        checks = CHECKS + ([negative_data_rejection] if mode == GenerationMode.NEGATIVE else [])

        @hypothesis.given(
            case=op.as_strategy(generation_mode=mode, path_parameters=path_parameters)
        )
        @settings()
        def run(case):
            if fix is not None:
                fix(case)
            self.calls += 1
            try:
                case.call_and_validate(headers=self.headers, checks=checks)
            except (Exception, BaseExceptionGroup) as exc:
                self.failures.append(f"{op.method.upper()} {op.path} ({mode}):\n{exc}")

        try:
            run()
        except hypothesis.errors.Unsatisfiable:
            # Only invalid requests can be unsatisfiable: an operation whose parameters
            # are free strings (a month, a format) has no request the schema forbids.
            if mode != GenerationMode.NEGATIVE:
                raise


@pytest.fixture
def keep_the_test_connection():
    """Django closes the database connection after each request; the test's transaction
    lives on it. Django's own test client disconnects the same receivers."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_every_answer_matches_the_openapi_document(personas, keep_the_test_connection):
    item = make_case_item(personas.department, [personas.hall], name="机动车转移登记")
    immediate = make_immediate_item(personas.department, [personas.hall], name="补领号牌")
    accepted = make_accepted_case(personas, item)
    received = make_case(personas, item)
    make_case(personas, immediate)
    alert = make_alert(personas, accepted, responsible=personas.clerk)
    key = ApiToken.issue(personas.clerk)[1]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    run = Run({"Authorization": f"Bearer {key}", "Accept-Language": "en"})

    def current_version(number):
        def fix(case):
            if isinstance(case.body, dict) and "version" in case.body:
                case.body["version"] = (
                    Case.objects.filter(number=number).values_list("version", flat=True).first()
                )

        return fix

    def at_the_hall(case):
        if isinstance(case.body, dict):
            case.body.update(hall=personas.hall.code, item=item.implementation_code)

    for result in schema.get_all_operations():
        op = result.ok()
        run.operation(op, GenerationMode.POSITIVE)
        run.operation(op, GenerationMode.NEGATIVE)
        if "{number}" in op.path:
            for case in (accepted, received):
                run.operation(
                    op,
                    GenerationMode.POSITIVE,
                    {"number": case.number},
                    current_version(case.number),
                )
        elif "{alert_id}" in op.path:
            run.operation(op, GenerationMode.POSITIVE, {"alert_id": alert.pk})
        elif "{implementation_code}" in op.path:
            run.operation(
                op, GenerationMode.POSITIVE, {"implementation_code": item.implementation_code}
            )
        elif op.method.upper() == "POST" and op.path == "/api/v1/cases":
            run.operation(op, GenerationMode.POSITIVE, fix=at_the_hall)

    assert not run.failures, "\n\n".join(run.failures[:5])
    assert run.calls >= MIN_CALLS, run.calls
    print(f"schemathesis: {run.calls} calls")
