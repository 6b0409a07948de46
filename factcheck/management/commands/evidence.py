"""manage.py evidence "CLAIM TEXT" [--claimant NAME] [--context HEADLINE]
[--source corpus|corpus:FILE[,FILE]|live] [--format jsonl|text]

Prints the top evidence sentences for one claim, one JSON object per line: page title,
revision, permalink, section, sentence index, sentence, score, method, hints. Needs no
database or broker: pages are fetched from the source directly, not from the page store.
Entity names come from capitalised phrases in the claim (no spaCy) unless --entity is given.
"""

import json
from urllib.parse import quote

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from factcheck.evidence.hints import evidence_hints
from factcheck.evidence.ranking import heuristic_entity_names, rank_sentences
from factcheck.evidence.sources import pages_for_claim, source_from_spec
from factcheck.evidence.text import find_numbers
from factcheck.evidence.types import ClaimQuery, EvidenceSourceError, PageSnapshot


def permalink(page: PageSnapshot) -> str:
    """The URL of exactly this revision when there is one; the page URL otherwise."""
    if page.revision_id is None:
        return page.url
    title = quote(page.title.replace(" ", "_"), safe="")
    return f"https://{page.wiki}/w/index.php?title={title}&oldid={page.revision_id}"


class Command(BaseCommand):
    help = "Rank Wikipedia evidence for one claim; prints JSON lines (no database needed)."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("claim", help="the claim's sentence")
        parser.add_argument("--claimant", default=None, help="who the article says said it")
        parser.add_argument("--context", default="", help="the article's headline")
        parser.add_argument(
            "--entity", action="append", default=[], help="an entity name (repeatable)"
        )
        parser.add_argument(
            "--source",
            default=None,
            help="corpus, corpus:/path/a.jsonl[,/path/b.jsonl] or live "
            "(default: settings.EVIDENCE_SOURCE)",
        )
        parser.add_argument("--top", type=int, default=settings.EVIDENCE_PER_CLAIM)
        parser.add_argument("--format", choices=["jsonl", "text"], default="jsonl")

    def handle(self, *args, **options):
        text = " ".join(options["claim"].split())
        if not text:
            raise CommandError("Give the claim's text as the first argument.")
        source = source_from_spec(options["source"] or settings.EVIDENCE_SOURCE)
        query = ClaimQuery(
            text=text,
            claimant=options["claimant"],
            entity_names=tuple(options["entity"]) or heuristic_entity_names(text),
            numbers=tuple(n.value for n in find_numbers(text) if n.is_quantity),
            context=options["context"],
        )
        try:
            pages = pages_for_claim(source, query, options["context"])
        except EvidenceSourceError as exc:
            retry = f" (retry after {exc.retry_after:g}s)" if exc.retry_after else ""
            kind = "temporarily unavailable" if exc.transient else "failed"
            raise CommandError(f"Evidence source {kind}: {exc}{retry}") from exc
        by_title = {page.title: page for page in pages}
        ranked = rank_sentences(query, pages, top_k=options["top"])
        hints = evidence_hints(query, ranked)
        for item in ranked:
            page = by_title[item.page_title]
            record = {
                "page_title": item.page_title,
                "revision": page.revision_id,
                "snapshot_date": page.snapshot_date.isoformat() if page.snapshot_date else None,
                "permalink": permalink(page),
                "section": item.section,
                "sentence_index": item.sentence_index,
                "sentence": item.sentence,
                "score": item.score,
                "method": item.method,
                # Hints about the claim as a whole on every line; a hint about one
                # sentence on that sentence's line.
                "hints": [
                    {"kind": h.kind, "message": h.message}
                    for h in hints
                    if h.sentence_index is None
                    or (h.page_title, h.sentence_index) == (item.page_title, item.sentence_index)
                ],
            }
            if options["format"] == "jsonl":
                self.stdout.write(json.dumps(record, ensure_ascii=False))
            else:
                self.stdout.write(
                    f"{item.score:.3f} {item.page_title} §{item.section or 'lead'} "
                    f"#{item.sentence_index}: {item.sentence}"
                )
        if options["format"] == "text":
            for hint in hints:
                self.stdout.write(f"hint {hint.kind}: {hint.message}")
