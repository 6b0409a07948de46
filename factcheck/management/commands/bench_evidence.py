"""manage.py bench_evidence: retrieval quality and Wikipedia request economy, measured by
running the real extraction and evidence services over the seed articles.

Runs, in one process:
- the offline corpus source: recall@5 and MRR over the seed gold;
- the live source (wikipedia-api over HTTP) against the local MediaWiki API double, once with
  a search that ranks partial matches and once with one that requires every word: the same
  figures, plus requests per claim cold and warm, against naive wikipedia-api page() use.
Everything happens in a rolled-back transaction: nothing is stored, nothing is queued.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from factcheck.evidence.corpus import CorpusSource
from factcheck.evidence.live import LiveWikipediaSource, WikipediaAtEndpoint
from factcheck.evidence.mediawiki_double import CORPUS_FILES, MediaWikiDouble
from factcheck.evidence.sources import shipped_corpus_paths
from factcheck.evidence_report import EvidenceReport, run_evidence_report

SAMPLES = Path(settings.BASE_DIR) / "factcheck" / "samples" / "articles"
DEFAULT_GOLD = Path(settings.BASE_DIR).parent / "shared" / "gold" / "seed_claims.json"


def corpus_has(source: CorpusSource):
    return lambda title: bool(source.fetch_pages([title]))


class Command(BaseCommand):
    help = "Measure evidence recall over the seed gold and Wikipedia requests per claim."

    def add_arguments(self, parser):
        parser.add_argument("--gold", default=str(DEFAULT_GOLD))

    def handle(self, *args, gold: str, **options):
        seeds = sorted(SAMPLES.glob("*.txt"))
        corpus = CorpusSource(shipped_corpus_paths())

        self.stdout.write("== offline corpus source ==")
        report = run_evidence_report(
            seed_paths=seeds,
            gold_path=Path(gold),
            source_factory=lambda: corpus,
            request_counter=lambda: 0,
            known_titles=corpus_has(corpus),
        )
        for line in report.lines():
            if "request" not in line and "ratio" not in line:
                self.stdout.write("  " + line)

        for strict in (False, True):
            self.stdout.write(
                "== live source (wikipedia-api, httpx) against the MediaWiki API double, search "
                + ("requiring every word ==" if strict else "ranking partial matches ==")
            )
            report = self.live_report(Path(gold), seeds, corpus, strict=strict)
            for line in report.lines():
                self.stdout.write("  " + line)

    def live_report(
        self, gold: Path, seeds, corpus: CorpusSource, *, strict: bool
    ) -> EvidenceReport:
        double = MediaWikiDouble(CORPUS_FILES)
        # Wikipedia's search may demand every word of a query; the source then falls back to a
        # shorter query, which costs requests, so both behaviours are measured.
        double.search_requires_every_word = strict
        double.start()
        try:
            return run_evidence_report(
                seed_paths=seeds,
                gold_path=gold,
                source_factory=lambda: LiveWikipediaSource(
                    api_url=double.api_url, contact="bench@localhost"
                ),
                request_counter=lambda: double.request_count,
                naive_client_factory=lambda: WikipediaAtEndpoint(
                    double.api_url, user_agent="factcheck-bench (bench@localhost)", language="en"
                ),
                known_titles=corpus_has(corpus),
            )
        finally:
            double.stop()
