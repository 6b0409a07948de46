"""manage.py evaluate_extraction [--gold PATH] [--seeds DIR]

Runs claim extraction on the seed articles and prints recall, not_claims violations and
claimant/cue accuracy against the hand annotations. Needs no database or broker.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from factcheck.extraction import evaluation
from factcheck.extraction.pipeline import extract_many, get_nlp


class Command(BaseCommand):
    help = "Evaluate claim extraction against ../shared/gold/seed_claims.json."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--gold", default=str(evaluation.GOLD_PATH))
        parser.add_argument("--seeds", default=str(evaluation.SEEDS_DIR))

    def handle(self, *args, **options):
        try:
            gold = evaluation.load_gold(options["gold"])
            texts = evaluation.read_seeds(gold, options["seeds"])
        except OSError as exc:
            raise CommandError(f"cannot read the gold file or seeds: {exc}") from exc
        broken = evaluation.check_anchors(gold, texts)
        if broken:
            raise CommandError(f"gold anchors do not match the seed texts: {', '.join(broken)}")
        names = list(texts)
        results = extract_many([texts[n] for n in names], nlp=get_nlp(settings.SPACY_MODEL))
        report = evaluation.evaluate(gold, dict(zip(names, results, strict=True)))
        self.stdout.write(report.as_text())
