"""manage.py seed_scale: a synthetic desk at newsroom scale, for manage.py bench_queue.

A fixture generator (factcheck.scale_fixtures): bulk inserts, no services, no audit entries.
Never run it against a desk in use.
"""

import time

from django.core.management.base import BaseCommand

from factcheck.scale_fixtures import seed_desk


class Command(BaseCommand):
    help = "Add synthetic articles, claims, evidence and reviews in every state (for benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=2000)
        parser.add_argument("--claims-per-article", type=int, default=50)
        parser.add_argument("--seed", type=int, default=0)

    def handle(self, *args, articles: int, claims_per_article: int, seed: int, **options):
        started = time.monotonic()
        report = seed_desk(articles=articles, claims_per_article=claims_per_article, seed=seed)
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(f"seeded in {time.monotonic() - started:.1f} s")
