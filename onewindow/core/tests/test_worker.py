from datetime import timedelta

import pytest
from django.utils import timezone

from onewindow.core import worker
from onewindow.core.models import JobRun, WorkerLease

pytestmark = pytest.mark.django_db

CALLS = []


def record_call():
    CALLS.append(timezone.now())


def failing_job():
    raise RuntimeError("boom")


@pytest.fixture(autouse=True)
def jobs(settings):
    CALLS.clear()
    settings.ONEWINDOW_WORKER_JOBS = [
        ("onewindow.core.tests.test_worker.record_call", 60),
        ("onewindow.core.tests.test_worker.failing_job", 60),
    ]


def test_only_one_worker_holds_the_lease():
    assert worker.claim_lease("a", 30)
    assert not worker.claim_lease("b", 30)
    assert worker.claim_lease("a", 30)  # renewing


def test_a_second_worker_takes_over_an_expired_lease(time_machine):
    time_machine.move_to(timezone.now())
    assert worker.claim_lease("a", 30)
    time_machine.shift(timedelta(seconds=31))
    assert worker.claim_lease("b", 30)
    assert WorkerLease.objects.get().owner == "b"


def test_two_workers_never_run_the_same_job_twice():
    assert worker.run_once("a") == 2
    assert worker.run_once("b") == 0  # no lease
    assert worker.run_once("a") == 0  # nothing due yet
    assert len(CALLS) == 1


def test_jobs_run_again_when_due(time_machine):
    time_machine.move_to(timezone.now())
    worker.run_once("a")
    time_machine.shift(timedelta(seconds=61))
    worker.run_once("a")
    assert len(CALLS) == 2


def test_a_failing_job_is_recorded_and_does_not_stop_the_others():
    worker.run_once("a")
    failed = JobRun.objects.get(name="onewindow.core.tests.test_worker.failing_job")
    assert "boom" in failed.last_error and failed.runs == 1
    assert JobRun.objects.get(name="onewindow.core.tests.test_worker.record_call").last_error == ""


def test_releasing_lets_another_worker_in():
    worker.claim_lease("a", 300)
    worker.release_lease("a")
    assert worker.claim_lease("b", 30)
