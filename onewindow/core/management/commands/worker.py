import signal

from django.core.management.base import BaseCommand

from onewindow.core.worker import run_forever, run_once, worker_id


class Command(BaseCommand):
    help = "Run the background worker (periodic jobs) for this database."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run what is due once and exit")
        parser.add_argument("--tick", type=float, default=5.0, help="seconds between passes")

    def handle(self, *args, **options):
        if options["once"]:
            n = run_once(worker_id())
            self.stdout.write(f"{n} jobs run")
            return
        stopping = {"flag": False}

        def stop(signum, frame):
            stopping["flag"] = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        self.stdout.write("worker running; Ctrl+C to stop")
        run_forever(tick=options["tick"], stop=lambda: stopping["flag"])
