"""manage.py score_sentences < sentences.txt

Reads one sentence per line on stdin and prints one JSON object per line, in the same order:
{"sentence", "score", "label", "reasons"}. Blank lines are scored too, so output line N always
answers input line N. Needs no database or broker.
"""

import json
import sys

from django.core.management.base import BaseCommand

from factcheck.extraction.checkworthiness import judge_sentences

BATCH = 512  # scores stream out in batches, so long inputs do not sit in memory


class Command(BaseCommand):
    help = "Score sentences (one per line on stdin) for check-worthiness; prints JSON lines."
    requires_system_checks = []

    def handle(self, *args, **options):
        batch: list[str] = []
        for line in sys.stdin:
            batch.append(line.rstrip("\r\n"))
            if len(batch) >= BATCH:
                self._emit(batch)
                batch = []
        self._emit(batch)

    def _emit(self, sentences: list[str]) -> None:
        for sentence, judgement in zip(sentences, judge_sentences(sentences), strict=True):
            record = {
                "sentence": sentence,
                "score": round(judgement.probability, 4),
                "label": judgement.label,
                "reasons": list(judgement.reasons),
            }
            self.stdout.write(json.dumps(record, ensure_ascii=False))
