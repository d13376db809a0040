from django.core.management.base import BaseCommand

from apps.core import bench


class Command(BaseCommand):
    help = (
        "Build DESIGN's data set of a scale in a database of its own, measure pages (latency "
        "under gunicorn against the floor, queries at a tenth and in full), the nightly jobs and "
        "the load, print a table and, last, the figures as one JSON line; then drop the database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=list(bench.SCALES), default="county")
        parser.add_argument("--keep", action="store_true", help="leave the database for inspection")
        parser.add_argument("--seed", type=int, default=13)
        parser.add_argument("--requests", type=int, help="requests per page (default 1000)")

    def handle(self, *args, **options):
        figures = bench.run(
            options["scale"],
            keep=options["keep"],
            seed=options["seed"],
            requests=options["requests"],
            stderr=self.stderr,
        )
        self.stdout.write(bench.table(figures))
        self.stdout.write(bench.json_line(figures))
