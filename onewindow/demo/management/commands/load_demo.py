"""`onewindow load_demo`: the Zhangjiagang demo data. Safe to run again (idempotent)."""

import sys

from django.core.management.base import BaseCommand

from onewindow.assessment.demo import load_demo_assessment
from onewindow.bulletins.demo import load_demo_bulletins
from onewindow.cases.simulate import DEMO_CASES, simulate_demo
from onewindow.catalogue.demo import load_demo_catalogue
from onewindow.complaints.demo import load_demo_complaints
from onewindow.conduct.demo import load_demo_conduct
from onewindow.demo.alerts import raise_history_alerts
from onewindow.demo.organisation import DEMO_PASSWORD, load_organisation
from onewindow.floor.demo import load_demo_floor
from onewindow.followups.demo import load_demo_followups
from onewindow.meetings.demo import load_demo_meetings
from onewindow.ratings.demo import link_demo_ratings_to_tickets, load_demo_ratings
from onewindow.reports.demo import load_demo_reports
from onewindow.training.demo import load_demo_training


class Command(BaseCommand):
    help = "Load the Zhangjiagang demo: halls, departments, windows, staff, catalogue (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--simulate-cases",
            type=int,
            default=DEMO_CASES,
            help=f"simulated cases of this year up to now (default {DEMO_CASES:,}; 0: none)",
        )

    def handle(self, *args, **options):
        accounts = load_organisation(stdout=self.stdout)
        load_demo_catalogue(stdout=self.stdout)
        # Training records, before anyone signs in at a window (training.demo).
        load_demo_training(stdout=self.stdout)
        self.stdout.write("")
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for roles, usernames in accounts.items():
            usernames = sorted(usernames, key=len)  # the short logins first (zx_clerk, cg_clerk)
            shown = ", ".join(usernames[:4]) + (
                f" … ({len(usernames)})" if len(usernames) > 4 else ""
            )
            self.stdout.write(f"  {roles:<40} {shown}")
        # A year of cases to date (cases.simulate); skipped when simulated cases exist.
        simulate_demo(
            cases=options["simulate_cases"],
            stdout=self.stdout,
            stderr=options.get("stderr") or sys.stderr,
        )
        # The warnings and cards that history would have raised, dated when it raised them.
        if options["simulate_cases"] > 0:
            raise_history_alerts(stdout=self.stdout)
        # A year of ratings (好差评) of the simulated service acts.
        load_demo_ratings(stdout=self.stdout)
        # The follow-ups (差评整改) of the bad ones, in every state.
        load_demo_followups(stdout=self.stdout)
        # Complaints of the year in every state (complaints.demo).
        load_demo_complaints(stdout=self.stdout)
        # Conduct observers and a year of their visits to every hall.
        load_demo_conduct(stdout=self.stdout, password=DEMO_PASSWORD)
        # The queue lines of every hall (the floor's kiosk, console and calling screen).
        load_demo_floor(stdout=self.stdout)
        # Every past month's report of every hall: submitted, reviewed, published.
        load_demo_reports(stdout=self.stdout)
        # Joint meetings over the year with decisions in every state (meetings.demo).
        load_demo_meetings(stdout=self.stdout)
        # Bulletins, one drafted from last month's report, acknowledged by most halls.
        load_demo_bulletins(stdout=self.stdout)
        # The assessment (检查考核) of the simulated year: deductions, bonuses, inspections.
        load_demo_assessment(stdout=self.stdout)
        # The ratings of cases that came from a queue ticket, linked to it.
        link_demo_ratings_to_tickets(stdout=self.stdout)
