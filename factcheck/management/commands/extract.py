"""manage.py extract FILE... [--format jsonl|text] [--all]

Runs claim extraction on text files and prints the claims: with ``--format jsonl`` (the
default) one JSON object per claim with file, text, start, end, score, label, kind, reasons,
claimant (``{text, name, start, end}`` or null: the words as written, the fullest name the
article gives that person, and their offsets), cue, content (``{start, end}`` of the attributed
words, or null), quantities and entities; with ``--format text`` a line per claim for reading.
Offsets index into the file's text as read. Needs no database or broker.
"""

import dataclasses
import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from factcheck import ingestion
from factcheck.extraction.pipeline import BATCH_WORDS, get_nlp, iter_extract


def read_text(path: Path) -> str:
    """The lead's HTML-aware reader when the ingestion module offers one, else plain UTF-8."""
    reader = getattr(ingestion, "read_document_text", None)
    if reader is not None:
        return reader(path)
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def _claimant(claim) -> dict | None:
    if not claim.claimant:
        return None
    return {
        "text": claim.claimant,
        "name": claim.claimant_name or claim.claimant,
        "start": claim.claimant_start,
        "end": claim.claimant_end,
    }


class Command(BaseCommand):
    help = "Extract claims from text files; prints JSON lines (one per claim)."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+")
        parser.add_argument("--format", choices=("jsonl", "text"), default="jsonl")
        parser.add_argument(
            "--check-worthy-only",
            action="store_true",
            help="Print only claims labelled check_worthy.",
        )
        parser.add_argument(
            "--batch-words", type=int, default=BATCH_WORDS, help="Words per spaCy batch."
        )

    def handle(self, *args, **options):
        files = options["files"]
        for name in files:
            if not Path(name).is_file():
                raise CommandError(f"cannot read {name}: no such file")
        nlp = get_nlp(settings.SPACY_MODEL)
        # Files are read and extracted one after another (bounded batches inside), so a long
        # list of files never sits in memory at once.
        texts = (self._read(name) for name in files)
        results = iter_extract(texts, nlp=nlp, batch_words=max(1, options["batch_words"]))
        try:
            self._print(files, results, options)
        except BrokenPipeError:  # the reader went away (| head): nothing left to do
            return

    def _read(self, name: str) -> str:
        try:
            return read_text(Path(name))
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {name}: {exc}") from exc

    def _print(self, files, results, options) -> None:
        for name, result in zip(files, results, strict=True):
            for claim in result.claims:
                if options["check_worthy_only"] and claim.label != "check_worthy":
                    continue
                if options["format"] == "text":
                    who = f"{claim.claimant} ({claim.cue})" if claim.claimant else "-"
                    self.stdout.write(
                        f"{name}:{claim.start}-{claim.end} {claim.label} {claim.score:.2f} "
                        f"{claim.kind} [{who}] {claim.text}"
                    )
                    continue
                record = {
                    "file": name,
                    "text": claim.text,
                    "start": claim.start,
                    "end": claim.end,
                    "score": round(claim.score, 4),
                    "label": claim.label,
                    "kind": claim.kind,
                    "reasons": list(claim.reasons),
                    "claimant": _claimant(claim),
                    "cue": claim.cue,
                    "content": (
                        {"start": claim.content_start, "end": claim.content_end}
                        if claim.content_start is not None
                        else None
                    ),
                    "is_headline": claim.is_headline,
                    "quantities": [dataclasses.asdict(q) for q in claim.quantities],
                    "entities": [dataclasses.asdict(e) for e in claim.entities],
                }
                self.stdout.write(json.dumps(record, ensure_ascii=False))
