"""manage.py evaluate_attribution FILE.jsonl [--limit N] [--sample N] [--examples N]

Runs claim extraction over each article's ``text`` in a PolNeAR-format JSON-lines file and
prints, for direct quotes and for all attributions, how many gold attributions a claim
covers, names a claimant for, and names the right claimant for (definitions in
``factcheck.extraction.attribution_eval``). Needs no database or broker.
"""

import random

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from factcheck.extraction import attribution_eval
from factcheck.extraction.pipeline import BATCH_WORDS, get_nlp, iter_extract


class Command(BaseCommand):
    help = "Evaluate attribution (claimant, content) against a PolNeAR-format JSONL file."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--limit", type=int, default=0, help="Only the first N articles.")
        parser.add_argument(
            "--sample", type=int, default=0, help="A random sample of N articles (--seed)."
        )
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--examples", type=int, default=5, help="Misses to list.")
        parser.add_argument(
            "--batch-words", type=int, default=BATCH_WORDS, help="Words per spaCy batch."
        )

    def handle(self, *args, **options):
        try:
            articles = list(attribution_eval.read_articles(options["file"]))
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(f"cannot read {options['file']}: {exc}") from exc
        if options["sample"]:
            rng = random.Random(options["seed"])
            articles = rng.sample(articles, min(options["sample"], len(articles)))
        if options["limit"]:
            articles = articles[: options["limit"]]
        results = iter_extract(
            (a.text for a in articles),
            nlp=get_nlp(settings.SPACY_MODEL),
            batch_words=max(1, options["batch_words"]),
        )
        report = attribution_eval.evaluate(articles, results)
        self.stdout.write(report.as_text(examples=options["examples"]))
