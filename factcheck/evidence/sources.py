"""Which evidence source the settings ask for. Reads settings, nothing else."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from factcheck.evidence.corpus import CorpusSource
from factcheck.evidence.ranking import candidate_titles, key_phrase
from factcheck.evidence.types import ClaimQuery, EvidenceSource, PageSnapshot


def shipped_corpus_paths() -> list[Path]:
    """The shipped snapshot: settings.SAMPLE_CORPUS plus lead_summaries.jsonl beside it."""
    articles = Path(settings.SAMPLE_CORPUS)
    summaries = articles.with_name("lead_summaries.jsonl")
    return [articles, summaries] if summaries.exists() else [articles]


def source_from_spec(spec: str) -> EvidenceSource:
    """ "corpus", "corpus:/a.jsonl[,/b.jsonl]" or "live" -> the source. Raises
    ImproperlyConfigured with what to change when the spec is unusable."""
    spec = (spec or "").strip()
    if spec == "corpus":
        return CorpusSource(shipped_corpus_paths())
    if spec.startswith("corpus:"):
        paths = [Path(p.strip()) for p in spec.removeprefix("corpus:").split(",") if p.strip()]
        missing = [str(p) for p in paths if not p.is_file()]
        if not paths or missing:
            raise ImproperlyConfigured(
                f"EVIDENCE_SOURCE={spec!r}: no such corpus file {', '.join(missing) or '(none)'}; "
                "give comma-separated paths to JSONL files, or use 'corpus'."
            )
        return CorpusSource(paths)
    if spec == "live":
        from factcheck.evidence.live import LiveWikipediaSource

        return LiveWikipediaSource(
            api_url=settings.WIKIPEDIA_API_URL,
            contact=settings.WIKIPEDIA_CONTACT,
            timeout=settings.WIKIPEDIA_TIMEOUT_SECONDS,
        )
    raise ImproperlyConfigured(
        f"EVIDENCE_SOURCE={spec!r} is not understood; use 'corpus', 'corpus:/path.jsonl' or 'live'."
    )


def source_from_settings() -> EvidenceSource:
    """The source settings.EVIDENCE_SOURCE names. Corpus files are parsed once per process;
    a live source is cheap to build (its HTTP client is created per instance)."""
    return source_from_spec(settings.EVIDENCE_SOURCE)


@contextmanager
def open_evidence_source() -> Iterator[EvidenceSource]:
    """The configured source for the length of one unit of work, closed afterwards (a live
    source holds an HTTP connection pool and is not shared between threads)."""
    source = source_from_settings()
    try:
        yield source
    finally:
        close = getattr(source, "close", None)
        if close is not None:
            close()


def pages_for_claim(
    source: EvidenceSource, query: ClaimQuery, headline: str = ""
) -> list[PageSnapshot]:
    """The pages to rank for one claim asked about on its own (the `evidence` command), without
    the page store: candidate titles, plus searches on the headline's and the claim's key
    phrases. The pipeline gathers per article instead (services.article_prefetch_pages)."""
    titles = list(candidate_titles(query))
    if headline:
        titles += source.search(key_phrase(ClaimQuery(text=headline)), limit=5)
    titles += source.search(key_phrase(query), limit=5)
    pages = source.fetch_pages(list(dict.fromkeys(titles)))
    return list({page.title: page for page in pages.values()}.values())
