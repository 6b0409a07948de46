"""manage.py evaluate_evidence [--gold PATH] [--seeds DIR] [--source SPEC] [--verbose]

Prints recall@5 and MRR of the gold pages (shared/gold/seed_claims.json) for the evidence
ranking, over the claims whose gold pages the source has. Needs no database or broker.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from factcheck.evidence.evaluation import evaluate, gold_cases
from factcheck.evidence.sources import source_from_spec

SHARED = Path(settings.BASE_DIR).parent / "shared"


class Command(BaseCommand):
    help = "Evidence retrieval against the gold annotations: recall@5 and MRR."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--gold", default=str(SHARED / "gold" / "seed_claims.json"))
        parser.add_argument("--seeds", default=str(SHARED / "seeds"))
        parser.add_argument("--source", default="corpus")
        parser.add_argument("--top", type=int, default=5)
        parser.add_argument("--verbose", action="store_true", help="one line per claim")

    def handle(self, *args, **options):
        gold_path, seeds_dir = Path(options["gold"]), Path(options["seeds"])
        if not gold_path.is_file() or not seeds_dir.is_dir():
            raise CommandError(f"Need the gold file {gold_path} and the seeds in {seeds_dir}.")
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        seeds = {p.name: p.read_text(encoding="utf-8") for p in seeds_dir.glob("*.txt")}
        report = evaluate(
            gold_cases(gold, seeds), source_from_spec(options["source"]), top_k=options["top"]
        )
        if options["verbose"]:
            for result in report.cases:
                rank = result.rank or "-"
                self.stdout.write(
                    f"{rank!s:>2} {result.case.claim_id}: {', '.join(result.ranked_pages)}"
                )
        self.stdout.write(
            f"claims evaluated: {len(report.cases)} "
            f"(skipped, gold page not in source: {len(report.skipped)})"
        )
        self.stdout.write(f"recall@{report.top_k}: {report.recall_at_k:.3f}")
        self.stdout.write(f"MRR: {report.mrr:.3f}")
