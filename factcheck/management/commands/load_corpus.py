"""manage.py load_corpus FILE... : import an offline Wikipedia corpus (JSONL) into the page
store, so claims find their pages without asking any source. The corpus has no revision ids:
each page is pinned to the snapshot date instead. Running it twice stores nothing new."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from factcheck import services
from factcheck.evidence.corpus import SNAPSHOT_DATE, CorpusSource
from factcheck.evidence.types import EvidenceSourceError
from factcheck.models import ReferencePage


class Command(BaseCommand):
    help = "Import JSONL corpus files into the Wikipedia page store."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+")
        parser.add_argument(
            "--snapshot-date",
            type=date.fromisoformat,
            default=SNAPSHOT_DATE,
            help=f"Date the text was taken from Wikipedia (default {SNAPSHOT_DATE}).",
        )

    def handle(self, *args, files: list[str], snapshot_date: date, **options):
        try:
            source = CorpusSource(files, snapshot_date=snapshot_date)
        except EvidenceSourceError as exc:
            raise CommandError(str(exc)) from exc
        before = ReferencePage.objects.count()
        found = services.corpus_load(source=source, titles=list(source.pages))
        added = ReferencePage.objects.count() - before
        self.stdout.write(
            f"{found} pages in the corpus; {added} new in the page store "
            f"(snapshot of {snapshot_date.isoformat()})"
        )
