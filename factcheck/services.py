"""Every write of the pipeline that matters: ingestion, extraction, evidence, the retry sweep.

Work is claimed with a conditional UPDATE, so any number of workers may run the same task;
spaCy and Wikipedia are called outside transactions; writes are upserts on unique constraints,
so running anything twice changes nothing.
"""

import contextlib
import dataclasses
import logging
import random
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from factcheck.dedup import WindowIndex, claim_signature, duplicate_decision
from factcheck.evidence.hints import evidence_hints
from factcheck.evidence.page_index import INDEX_FORMAT, PageIndex, build_index
from factcheck.evidence.page_index import cached as cached_page_index
from factcheck.evidence.page_index import remember as remember_page_index
from factcheck.evidence.ranking import candidate_titles, key_phrase, rank_claims, rank_sentences
from factcheck.evidence.sources import open_evidence_source
from factcheck.evidence.types import (
    ClaimQuery,
    EvidenceSource,
    EvidenceSourceError,
    PageSection,
    PageSnapshot,
    RankedSentence,
)
from factcheck.extraction import long_sentences
from factcheck.extraction.chunks import next_chunk
from factcheck.extraction.language import judge_language
from factcheck.extraction.pipeline import extract_claims, get_nlp
from factcheck.extraction.priority import PRIORITIES, priority_for
from factcheck.extraction.types import ClaimCandidate, Removal
from factcheck.feed_reading import FeedFormatError, FeedItem, read_feed
from factcheck.fetching import FetchedDocument, FetchError, FetchPolicy, fetch, fetch_article
from factcheck.ingestion import ArticleDraft, IngestError, check_draft
from factcheck.models import (
    Article,
    Claim,
    DuplicateSuggestion,
    Evidence,
    Feed,
    FeedEntry,
    RankingIndex,
    ReferencePage,
    SearchLookup,
    TitleLookup,
)
from factcheck.page_cache import forget_verdict_pages
from factcheck.safe_urls import is_public_url

log = logging.getLogger(__name__)

# claims_link_duplicates' signatures of the desk's window, kept between articles (see
# dedup.WindowIndex), one per database name; the lock is for a threaded worker pool.
_duplicate_windows: dict[str, WindowIndex] = {}
_duplicate_windows_lock = threading.Lock()


def stale_after() -> timedelta:
    """The lease: how long claimed work may go unrenewed in a working state before the sweep
    hands it to another worker (a killed worker leaves its rows that way). A worker holding
    work renews it every third of a lease (lease_kept), so only dead work lapses."""
    return timedelta(seconds=settings.WORK_LEASE_SECONDS)


@contextlib.contextmanager
def lease_kept(renew: Callable[[], object]) -> Iterator[None]:
    """Call renew() every third of a lease while the body runs, so a long extraction or a slow
    Wikipedia keeps its claim while the lease stays short enough for dead work to resume soon.

    renew() runs in a thread, which has its own database connection (Django's are per thread):
    it is closed when the body ends, and after a failed renewal (a dropped connection is
    reopened on the next try). A renewal waits for any transaction that has locked its row, so
    the body must not run inside one: like every service here, it commits its writes quickly
    and holds no transaction across spaCy or network calls.
    """
    stop = threading.Event()

    def close_connection() -> None:
        with contextlib.suppress(DatabaseError):
            connection.close()

    def renew_until_stopped() -> None:
        try:
            while not stop.wait(settings.WORK_LEASE_SECONDS / 3):
                try:
                    renew()
                except DatabaseError:
                    log.warning("could not renew a work lease; trying again", exc_info=True)
                    close_connection()
        finally:
            close_connection()

    renewer = threading.Thread(target=renew_until_stopped, name="lease-renewal", daemon=True)
    renewer.start()
    try:
        yield
    finally:
        stop.set()
        renewer.join()


def article_renew_lease(*, article_id: int, status: str) -> bool:
    """Restart the lease of an article still in the working status its holder claimed. While
    an article is in a working state, status_changed_at is when its lease last started."""
    return bool(
        Article.objects.filter(pk=article_id, status=status).update(
            status_changed_at=timezone.now()
        )
    )


EVIDENCE_RETRY_BASE = timedelta(minutes=1)
EVIDENCE_RETRY_MAX = timedelta(hours=6)


class ArticleStateError(Exception):
    """The article is not in a state where the requested step makes sense."""


@dataclass(frozen=True)
class IngestOutcome:
    article: Article
    created: bool


# --- Ingestion ------------------------------------------------------------------------------


def article_ingest(*, draft: ArticleDraft, actor=None) -> IngestOutcome:
    """Store a new article and queue it for processing, once the transaction commits.

    Running twice with the same text returns the existing article with created=False and
    queues nothing: the content hash is unique in the database. A draft the database would
    refuse, or with a source URL that is not plain http(s), raises ingestion.IngestError:
    every input path (command, admin, later an API or feeds) is checked here.
    """
    from reviews.models import AuditEntry  # reviews depends on factcheck, not the reverse

    draft = check_draft(draft)
    existing = Article.objects.filter(content_hash=draft.content_hash).first()
    if existing:
        return IngestOutcome(article=existing, created=False)
    try:
        with transaction.atomic():
            article = Article.objects.create(
                title=draft.title,
                text=draft.text,
                content_hash=draft.content_hash,
                source_name=draft.source_name,
                source_url=draft.source_url,
                outlet=draft.outlet,
                byline=draft.byline,
                published_on=draft.published_on,
            )
            AuditEntry.objects.create(
                actor=actor,
                action="article_ingested",
                article=article,
                details={
                    "source_name": draft.source_name,
                    "removed_elements": list(draft.removed_elements),
                    "removed_control_characters": draft.removed_control_characters,
                },
            )
            transaction.on_commit(lambda: enqueue_process_article(article.pk))
    except IntegrityError:
        # Another process stored the same text between our check and our insert.
        return IngestOutcome(
            article=Article.objects.get(content_hash=draft.content_hash), created=False
        )
    return IngestOutcome(article=article, created=True)


def enqueue_process_article(article_id: int) -> None:
    """Queue the article's processing. A broker that cannot be reached is logged, not raised:
    the article is stored as Queued, and the periodic sweep re-queues it once the broker is
    back, so the person who sent it gets their answer rather than a server error."""
    from kombu.exceptions import OperationalError

    from factcheck.tasks import process_article

    try:
        process_article.delay(article_id)
    except OperationalError as exc:
        log.warning("article %s stored, not queued (broker: %s); the sweep will", article_id, exc)


# --- Article state --------------------------------------------------------------------------


def article_claim_step(*, article_id: int, from_status: str, to_status: str) -> bool:
    """Move an article from one status to the next with a conditional UPDATE. True if this
    caller won the work; False if someone else has it or it is already past that step. A row
    left in to_status by a dead worker longer than stale_after() may be claimed again."""
    now = timezone.now()
    stale = Q(status=to_status, status_changed_at__lt=now - stale_after())
    return bool(
        Article.objects.filter(Q(pk=article_id) & (Q(status=from_status) | stale)).update(
            status=to_status, status_changed_at=now, error_message=""
        )
    )


def article_fail(*, article_id: int, reason: str) -> None:
    """Mark an article failed with a reason a person can act on. Idempotent."""
    Article.objects.filter(pk=article_id).exclude(status=Article.Status.READY).update(
        status=Article.Status.FAILED,
        status_changed_at=timezone.now(),
        error_message=reason[:2000],
    )


def article_requeue(*, article_id: int, actor=None) -> None:
    """Send a failed article back through the pipeline (admin action). Other states: no-op."""
    from reviews.models import AuditEntry

    with transaction.atomic():
        moved = Article.objects.filter(pk=article_id, status=Article.Status.FAILED).update(
            status=Article.Status.QUEUED, status_changed_at=timezone.now(), error_message=""
        )
        if moved:
            AuditEntry.objects.create(actor=actor, action="article_requeued", article_id=article_id)
            transaction.on_commit(lambda: enqueue_process_article(article_id))


def article_process(*, article_id: int) -> None:
    """Route an article to the step it needs next. Safe to call any number of times: it is the
    entry point for new articles and for the sweep."""
    from factcheck.tasks import extract_article_claims, fetch_article_pages

    article = Article.objects.filter(pk=article_id).only("status").first()
    if article is None:
        return
    if article.status in (Article.Status.QUEUED, Article.Status.EXTRACTING):
        extract_article_claims.delay(article_id)
    elif article.status == Article.Status.GATHERING:
        fetch_article_pages.delay(article_id)


# --- Extraction -----------------------------------------------------------------------------


def article_extract_claims(*, article_id: int) -> int:
    """Extract the claims of the next chunk of a queued article with spaCy and store them.

    A chunk is EXTRACTION_CHUNK_WORDS words of whole paragraphs from Article.extracted_until
    (chunks.next_chunk). Storing it (article_store_claims) queues the next chunk at the tail
    of the extraction queue, so articles queued meanwhile get their turn, or, after the last
    chunk, caps the claims and moves the article on. Before the first chunk the language is
    checked: an article that is not English fails with "language not supported: detected xx".

    Returns the number of claims this call stored. Running twice stores nothing new: the
    second call finds the chunk held (EXTRACTING) or done (progress moved on) and returns 0.
    If a worker dies mid-chunk, the sweep re-queues the article and the chunk is done again
    from the stored progress; its claims are unique per (article, start, end).
    """
    if not article_claim_step(
        article_id=article_id,
        from_status=Article.Status.QUEUED,
        to_status=Article.Status.EXTRACTING,
    ):
        return 0
    text, done = Article.objects.values_list("text", "extracted_until").get(pk=article_id)
    if done == 0:
        verdict = judge_language(text)
        if not verdict.supported:
            article_fail(article_id=article_id, reason=verdict.reason)
            return 0
    window = (done, next_chunk(text, done, max_words=settings.EXTRACTION_CHUNK_WORDS))
    renew = partial(article_renew_lease, article_id=article_id, status=Article.Status.EXTRACTING)
    try:
        with lease_kept(renew):
            result = extract_claims(
                text,
                nlp=get_nlp(settings.SPACY_MODEL),
                window=window,
                max_sentence_words=settings.SENTENCE_MAX_WORDS,
            )
    except Exception as exc:  # any extraction bug must leave a visible reason, not a hang
        log.exception("extraction failed for article %s", article_id)
        article_fail(article_id=article_id, reason=f"claim extraction failed: {exc}")
        raise
    return article_store_claims(
        article_id=article_id, candidates=result.claims, window=window, removals=result.removals
    )


def article_store_claims(
    *,
    article_id: int,
    candidates: Sequence[ClaimCandidate],
    window: tuple[int, int] | None = None,
    removals: Sequence[Removal] = (),
) -> int:
    """Store the claims extracted from one chunk, window=(start, end), of an EXTRACTING article
    (verbatim slices only); without a window, the rest of the text is one chunk.

    Before the last chunk: progress (extracted_until) moves to the chunk's end, the article goes
    back to QUEUED and its next chunk is queued at the tail of the extraction queue. After the
    last: the article keeps its CLAIMS_PER_ARTICLE_MAX best claims (article_claims_cap), the
    number left out is recorded, and it moves on to GATHERING (READY without claims).
    Sentences left out for having no clause boundary are recorded in the audit log.

    Returns the number of claims stored. Idempotent: claims are unique per (article, start,
    end), and a chunk whose start is not the article's progress was stored already: 0.
    """
    from factcheck.tasks import extract_article_claims, fetch_article_pages
    from reviews.models import AuditEntry

    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article_id)
        start, end = window or (article.extracted_until, len(article.text))
        if article.status != Article.Status.EXTRACTING or article.extracted_until != start:
            return 0
        rows = [
            claim_from_candidate(article, candidate)
            for candidate in candidates
            if article.text[candidate.start : candidate.end] == candidate.text
        ]
        Claim.objects.bulk_create(rows, ignore_conflicts=True)
        too_long = [(r.start, r.end) for r in removals if r.reason == long_sentences.REASON]
        if too_long:
            AuditEntry.objects.create(
                action="sentences_left_out",
                article_id=article_id,
                details={
                    "reason": long_sentences.REASON,
                    "count": len(too_long),
                    "spans": too_long[:100],
                },
            )
        progress = Article.objects.filter(
            pk=article_id, status=Article.Status.EXTRACTING, extracted_until=start
        )
        if end < len(article.text):
            progress.update(
                status=Article.Status.QUEUED, extracted_until=end, status_changed_at=timezone.now()
            )
            transaction.on_commit(lambda: extract_article_claims.delay(article_id))
            return len(rows)
        left_out = article_claims_cap(article_id=article_id, cap=settings.CLAIMS_PER_ARTICLE_MAX)
        claims_link_duplicates(article_id=article_id)
        has_claims = Claim.objects.filter(article_id=article_id).exists()
        progress.update(
            status=Article.Status.GATHERING if has_claims else Article.Status.READY,
            status_changed_at=timezone.now(),
            extracted_until=len(article.text),
            claims_left_out=left_out,
        )
        if has_claims:
            transaction.on_commit(lambda: fetch_article_pages.delay(article_id))
    return len(rows)


def article_claims_cap(*, article_id: int, cap: int) -> int:
    """Delete all but the ``cap`` best claims of an article still being extracted (nothing
    else refers to them yet) and return how many went. Best: review priority (recomputed from
    the stored score, label, kind and reasons, as the pipeline does), then score; quotes and
    attributions count like any other claim. Running it again deletes nothing."""
    claims = list(
        Claim.objects.filter(article_id=article_id).only(
            "pk", "start", "score", "label", "kind", "reasons"
        )
    )
    if len(claims) <= cap:
        return 0

    def rank(claim: Claim) -> tuple[int, float, int]:
        priority = priority_for(claim.score, claim.label, claim.kind, tuple(claim.reasons))
        return (PRIORITIES.index(priority), -claim.score, claim.start)

    left_out = sorted(claims, key=rank)[cap:]
    Claim.objects.filter(pk__in=[c.pk for c in left_out]).delete()
    return len(left_out)


def claim_from_candidate(article: Article, candidate: ClaimCandidate) -> Claim:
    return Claim(
        article=article,
        text=candidate.text,
        start=candidate.start,
        end=candidate.end,
        paragraph_start=candidate.paragraph_start,
        paragraph_end=candidate.paragraph_end,
        score=min(1.0, max(0.0, candidate.score)),
        label=candidate.label,
        kind=candidate.kind,
        priority=candidate.priority,
        reasons=list(candidate.reasons),
        claimant=(candidate.claimant or "")[:300],
        claimant_start=candidate.claimant_start,
        claimant_end=candidate.claimant_end,
        claimant_name=(candidate.claimant_name or candidate.claimant or "")[:300],
        cue=(candidate.cue or "")[:100],
        content_start=candidate.content_start,
        content_end=candidate.content_end,
        quantities=[dataclasses.asdict(q) for q in candidate.quantities],
        entities=[dataclasses.asdict(e) for e in candidate.entities],
    )


# --- Duplicate claims across articles ------------------------------------------------------


def claims_link_duplicates(*, article_id: int) -> tuple[int, int]:
    """Link each claim of the article to a canonical claim of another article that says the
    same thing (high similarity), or suggest it to a reviewer (middle similarity).

    Only canonical claims (not themselves duplicates) are candidates, so chains stay one level
    deep. Returns (linked, suggested). Running twice changes nothing: linked claims are
    skipped and suggestions are unique per pair.
    """
    since = timezone.now() - timedelta(days=settings.DUPLICATE_WINDOW_DAYS)
    new_claims = list(
        Claim.objects.filter(article_id=article_id, canonical__isnull=True)
        .exclude(kind=Claim.Kind.OPINION)
        .order_by("pk")
        .only("pk", "text")
    )
    if not new_claims:
        return (0, 0)
    window = (
        Claim.objects.filter(canonical__isnull=True, created_at__gte=since)
        .exclude(article_id=article_id)
        .exclude(kind=Claim.Kind.OPINION)
        .values_list("pk", "text")
    )
    with _duplicate_windows_lock:
        # This process's signatures of the window, by database: the test suite and
        # bench_pipeline switch databases within one process.
        known = _duplicate_windows.setdefault(connection.settings_dict["NAME"], WindowIndex())
        among = known.refresh(window)
        if not among:
            return (0, 0)
        # Of equally similar candidates the oldest (smallest pk) is always the one chosen.
        matches = []
        for claim in new_claims:
            signature = claim_signature(claim.text)
            matches.append((claim, signature, known.index.best_match(signature, among)))
    # Already a canonical for someone else: keep it canonical.
    canonical_already = set(
        Claim.objects.filter(canonical__in=[c.pk for c in new_claims]).values_list(
            "canonical_id", flat=True
        )
    )
    linked = suggested = 0
    linked_to: list[int] = []
    for claim, signature, best in matches:
        if claim.pk in canonical_already or best is None:
            continue
        decision = duplicate_decision(
            best.score,
            shorter_word_count=min(signature.word_count, best.word_count),
            link_at=settings.DUPLICATE_LINK_THRESHOLD,
            suggest_at=settings.DUPLICATE_SUGGEST_THRESHOLD,
            min_words=settings.DUPLICATE_MIN_WORDS,
        )
        if decision == "link":
            Claim.objects.filter(pk=claim.pk).update(canonical_id=best.key)
            linked_to.append(best.key)
            linked += 1
        elif decision == "suggest":
            _, created = DuplicateSuggestion.objects.get_or_create(
                claim=claim, candidate_id=best.key, defaults={"similarity": round(best.score, 4)}
            )
            suggested += created
    # Their verdict pages now list these appearances: one look-up for all of them.
    forget_pages_of_claims(linked_to)
    return (linked, suggested)


def forget_pages_of_claims(claim_ids: Sequence[int]) -> None:
    """The public verdict pages of these claims are rendered afresh once the transaction
    commits (factcheck.page_cache)."""
    from reviews.models import Review

    forget_verdict_pages(Review.objects.filter(claim_id__in=claim_ids).values_list("pk", flat=True))


def duplicate_decide(*, suggestion_id: int, confirm: bool, actor) -> DuplicateSuggestion:
    """A reviewer confirms (the claim joins the candidate's canonical claim) or rejects a
    suggested duplicate. Deciding an already decided suggestion the same way is a no-op; the
    other way raises ValueError."""
    from reviews.models import AuditEntry

    with transaction.atomic():
        suggestion = DuplicateSuggestion.objects.select_for_update().get(pk=suggestion_id)
        wanted = (
            DuplicateSuggestion.Status.CONFIRMED if confirm else DuplicateSuggestion.Status.REJECTED
        )
        if suggestion.status == wanted:
            return suggestion
        if suggestion.status != DuplicateSuggestion.Status.SUGGESTED:
            raise ValueError(
                f"this suggestion was already {suggestion.get_status_display().lower()}"
            )
        suggestion.status = wanted
        suggestion.decided_by = actor
        suggestion.decided_at = timezone.now()
        suggestion.save(update_fields=["status", "decided_by", "decided_at"])
        if confirm:
            canonical_id = (
                Claim.objects.values_list("canonical_id", flat=True).get(pk=suggestion.candidate_id)
                or suggestion.candidate_id
            )
            Claim.objects.filter(pk=suggestion.claim_id).update(canonical_id=canonical_id)
            forget_pages_of_claims([canonical_id])
        AuditEntry.objects.create(
            actor=actor,
            action="duplicate_confirmed" if confirm else "duplicate_rejected",
            claim_id=suggestion.claim_id,
            details={"candidate": suggestion.candidate_id, "similarity": suggestion.similarity},
        )
    return suggestion


# --- Evidence: the page store ---------------------------------------------------------------


def claim_query(claim: Claim, article: Article | None = None) -> ClaimQuery:
    """The ranking's view of a claim; pass its article to spare a query per claim."""
    names: list[str] = []
    for entity in claim.entities:
        for name in [entity.get("name") or entity.get("text", ""), *entity.get("aliases", [])]:
            if name and name not in names:
                names.append(name)
    return ClaimQuery(
        text=claim.text,
        # The headline tells the ranking which pages the article is about.
        context=(article or claim.article).title,
        claimant=claim.claimant or None,
        entity_names=tuple(names),
        numbers=tuple(q["value"] for q in claim.quantities if "value" in q),
        quantities=tuple(claim.quantities),
    )


def pages_store_upsert(snapshots: Iterable[PageSnapshot]) -> dict[str, int]:
    """Store fetched revisions, in three queries whatever their number; return {title: page
    pk}. A revision stored already keeps its row (unique per wiki, title and revision or
    snapshot date) and is marked fresh as of now."""
    snapshots = list({s.title: s for s in snapshots}.values())
    if not snapshots:
        return {}
    now = timezone.now()
    ReferencePage.objects.bulk_create(
        [
            ReferencePage(
                wiki=s.wiki,
                title=s.title,
                revision_id=s.revision_id,
                snapshot_date=None if s.revision_id is not None else s.snapshot_date,
                page_id=s.page_id,
                url=s.url,
                description=s.description,
                sections=[dataclasses.asdict(section) for section in s.sections],
                source=s.source,
                fetched_at=now,
            )
            for s in snapshots
        ],
        ignore_conflicts=True,
    )
    same_revision = Q()
    for s in snapshots:
        if s.revision_id is not None:
            same_revision |= Q(wiki=s.wiki, title=s.title, revision_id=s.revision_id)
        else:
            same_revision |= Q(
                wiki=s.wiki, title=s.title, revision_id=None, snapshot_date=s.snapshot_date
            )
    stored = dict(ReferencePage.objects.filter(same_revision).values_list("title", "pk"))
    # The same revisions seen again: they are fresh as of now.
    ReferencePage.objects.filter(pk__in=stored.values(), fetched_at__lt=now).update(fetched_at=now)
    return stored


def page_store_upsert(*, snapshot: PageSnapshot) -> ReferencePage:
    """Store one fetched revision; return the stored row (see pages_store_upsert)."""
    return ReferencePage.objects.get(pk=pages_store_upsert([snapshot])[snapshot.title])


def page_snapshot(page: ReferencePage) -> PageSnapshot:
    return PageSnapshot(
        wiki=page.wiki,
        title=page.title,
        url=page.url,
        sections=tuple(PageSection(s["heading"], s["text"]) for s in page.sections),
        source=page.source,
        page_id=page.page_id,
        revision_id=page.revision_id,
        snapshot_date=page.snapshot_date,
        description=page.description,
    )


def _clean_titles(titles: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(t.strip() for t in titles if t and t.strip()))


def stored_title_lookups(
    titles: Iterable[str], wiki: str = "en.wikipedia.org"
) -> dict[str, int | None]:
    """{title: page pk, or None for a page that does not exist} of the fresh look-ups among
    the titles, in one query; titles never looked up (or too long ago) are absent."""
    fresh_after = timezone.now() - timedelta(days=settings.WIKIPEDIA_PAGE_MAX_AGE_DAYS)
    return dict(
        TitleLookup.objects.filter(
            wiki=wiki, requested_title__in=_clean_titles(titles), looked_up_at__gte=fresh_after
        ).values_list("requested_title", "page_id")
    )


def titles_look_up(
    *, titles: Iterable[str], source: EvidenceSource, wiki: str = "en.wikipedia.org"
) -> dict[str, int]:
    """{title: page pk} of the titles that have a page: from the store while the look-up is
    fresh, otherwise fetched in batches of 50 (three writes per batch). Missing pages are
    remembered like found ones, so asking again makes no request until the look-up reaches
    WIKIPEDIA_PAGE_MAX_AGE_DAYS. Raises EvidenceSourceError from the source."""
    wanted = _clean_titles(titles)
    if not wanted:
        return {}
    lookups = stored_title_lookups(wanted, wiki)
    found = {title: pk for title, pk in lookups.items() if pk is not None}
    to_fetch = [title for title in wanted if title not in lookups]
    for batch_start in range(0, len(to_fetch), 50):
        batch = to_fetch[batch_start : batch_start + 50]
        snapshots = source.fetch_pages(batch)  # network: no transaction is open here
        stored = pages_store_upsert(snapshots.values())
        pages = {title: stored.get(snapshot.title) for title, snapshot in snapshots.items()}
        now = timezone.now()
        TitleLookup.objects.bulk_create(
            [
                TitleLookup(
                    wiki=wiki, requested_title=title, page_id=pages.get(title), looked_up_at=now
                )
                for title in batch
            ],
            update_conflicts=True,
            unique_fields=["wiki", "requested_title"],
            update_fields=["page", "looked_up_at"],
        )
        found.update({title: pk for title, pk in pages.items() if pk is not None})
    return found


def pages_resolve(
    *, titles: Iterable[str], source: EvidenceSource, wiki: str = "en.wikipedia.org"
) -> dict[str, ReferencePage]:
    """{title: stored page} for the titles that have one (see titles_look_up), loaded whole."""
    found = titles_look_up(titles=titles, source=source, wiki=wiki)
    pages = ReferencePage.objects.in_bulk(set(found.values()))
    return {title: pages[pk] for title, pk in found.items() if pk in pages}


def _search_key(query: str) -> str:
    return " ".join(query.split())[:500]


def stored_searches(queries: Iterable[str], wiki: str = "en.wikipedia.org") -> dict[str, list]:
    """{query: titles} of the searches among the queries already made and still fresh, in one
    query (never a request), in the order of the queries: the order of the pages decides
    which page keeps a sentence two pages share, and ties."""
    fresh_after = timezone.now() - timedelta(days=settings.WIKIPEDIA_PAGE_MAX_AGE_DAYS)
    keys = [k for k in dict.fromkeys(_search_key(q) for q in queries) if k]
    found = dict(
        SearchLookup.objects.filter(
            wiki=wiki, query__in=keys, searched_at__gte=fresh_after
        ).values_list("query", "titles")
    )
    return {key: found[key] for key in keys if key in found}


def searches_resolve(
    *, queries: Iterable[str], source: EvidenceSource, wiki: str = "en.wikipedia.org"
) -> dict[str, list[str]]:
    """{query: titles} for the searches, reusing stored results while they are fresh (one
    query for all of them); each new search is a request, stored as soon as it answers."""
    keys = [k for k in dict.fromkeys(_search_key(q) for q in queries) if k]
    results = stored_searches(keys, wiki)
    for key in keys:
        if key in results:
            continue
        titles = source.search(key, limit=settings.WIKIPEDIA_SEARCH_RESULTS)
        SearchLookup.objects.update_or_create(
            wiki=wiki, query=key, defaults={"titles": titles, "searched_at": timezone.now()}
        )
        results[key] = titles
    return {key: results[key] for key in keys}


def search_resolve(
    *, query: str, source: EvidenceSource, wiki: str = "en.wikipedia.org"
) -> list[str]:
    """Titles for a search, reusing a stored result while it is fresh."""
    return searches_resolve(queries=[query], source=source, wiki=wiki).get(_search_key(query), [])


# --- Evidence: fetching, per article (wikipedia queue) ---------------------------------------
#
# Evidence is two kinds of work. Fetching (article_fetch_pages) waits on Wikipedia: it runs on
# the `wikipedia` queue, whose single worker keeps Wikimedia's etiquette (at most
# WIKIPEDIA_MAX_CONCURRENCY requests in flight, maxlag, Retry-After; see evidence/live.py).
# Ranking (article_rank_evidence) is CPU: it runs on the `ranking` queue, in any number of
# processes on any number of machines, and reads only the page store, never the network.

PENDING_EVIDENCE = (Claim.EvidenceStatus.PENDING, Claim.EvidenceStatus.UNAVAILABLE)


def article_fetch_pages(*, article_id: int) -> None:
    """Fetch every page and search the article's waiting claims need into the page store (see
    article_prefetch_pages), then queue their ranking. On a source failure the waiting claims
    are marked unavailable with a retry time, which the sweep acts on."""
    from factcheck.tasks import rank_article_evidence

    article = Article.objects.filter(pk=article_id).only("pk", "title", "status").first()
    if article is None or article.status not in (Article.Status.GATHERING, Article.Status.READY):
        return
    due = list(
        article.claims.filter(evidence_status__in=PENDING_EVIDENCE).values_list("pk", flat=True)
    )
    if not due:
        article_mark_ready_if_done(article_id=article_id)
        return
    renew = partial(article_renew_lease, article_id=article_id, status=Article.Status.GATHERING)
    try:
        with lease_kept(renew), open_evidence_source() as source:
            article_prefetch_pages(article=article, source=source)
    except EvidenceSourceError as exc:
        log.warning("fetching pages for article %s failed (%s); will retry", article_id, exc)
        claims_mark_evidence_unavailable(
            claim_ids=due, reason=str(exc), retry_after=exc.retry_after
        )
        article_mark_ready_if_done(article_id=article_id)
        return
    # Retries whose pages are now fetched wait for ranking like new claims.
    Claim.objects.filter(pk__in=due, evidence_status=Claim.EvidenceStatus.UNAVAILABLE).update(
        evidence_status=Claim.EvidenceStatus.PENDING
    )
    rank_article_evidence.delay(article_id)


def article_prefetch_pages(*, article: Article, source: EvidenceSource) -> None:
    """Fetch, in as few requests as possible, the pages every waiting claim of the article
    will need: a few searches (see article_search_queries), then every claim's candidate
    titles and the search results, in batches of 50. A claim that none of these give a page
    searches its own key phrase. Raises EvidenceSourceError."""
    claims = [
        claim_query(c, article) for c in article.claims.filter(evidence_status__in=PENDING_EVIDENCE)
    ]
    searches = searches_resolve(
        queries=article_search_queries(article, article.claims.all()), source=source
    )
    shared = [title for titles in searches.values() for title in titles]
    candidates = [candidate_titles(query) for query in claims]
    found = titles_look_up(titles=[*shared, *(t for ts in candidates for t in ts)], source=source)
    if any(title in found for title in shared):
        return
    alone = [
        key_phrase(q)
        for q, ts in zip(claims, candidates, strict=True)
        if not any(t in found for t in ts)
    ]
    own = searches_resolve(queries=alone, source=source)
    titles_look_up(titles=[t for ts in own.values() for t in ts], source=source)


def article_search_queries(article: Article, claims: Iterable[Claim]) -> list[str]:
    """The searches an article's evidence may cost: its headline, then the key phrases of its
    most check-worthy claims, up to WIKIPEDIA_SEARCHES_PER_CLAIM times the number of claims.
    A search cannot be batched, so one per claim would cost more than the page look-ups."""
    claims = list(claims)
    budget = max(1, int(len(claims) * settings.WIKIPEDIA_SEARCHES_PER_CLAIM))
    queries = [key_phrase(ClaimQuery(text=article.title))]
    for claim in sorted(claims, key=lambda c: (-c.score, c.start)):
        if len(queries) >= budget:
            break
        phrase = key_phrase(claim_query(claim, article))
        if phrase and phrase not in queries:
            queries.append(phrase)
    return [q for q in queries if q]


def claims_mark_evidence_unavailable(
    *, claim_ids: Sequence[int], reason: str, retry_after: float | None = None
) -> None:
    """Record a transient failure and when to try again: exponential backoff on each claim's
    attempts, at least what the server asked for. The sweep picks the claims up then."""
    now = timezone.now()
    attempts = Claim.objects.filter(pk__in=claim_ids).values_list("pk", "evidence_attempts")
    by_attempts: dict[int, list[int]] = {}
    for pk, tried in attempts:
        by_attempts.setdefault(tried + 1, []).append(pk)
    for tried, pks in by_attempts.items():
        backoff = min(EVIDENCE_RETRY_BASE * (2 ** max(0, tried - 1)), EVIDENCE_RETRY_MAX)
        if retry_after:
            backoff = max(backoff, timedelta(seconds=retry_after))
        Claim.objects.filter(pk__in=pks).update(
            evidence_status=Claim.EvidenceStatus.UNAVAILABLE,
            evidence_error=f"evidence unavailable, retry scheduled: {reason}"[:2000],
            evidence_retry_at=now + backoff,
            evidence_attempts=tried,
        )


# --- Evidence: ranking, per article (ranking queue) ------------------------------------------


def claims_claim_for_ranking(*, article_id: int) -> list[int]:
    """Conditional UPDATE: hold the article's claims waiting for ranking (pending, or gathering
    with a lapsed lease), and return the held ids. The lease end this call sets is its mark:
    a microsecond jitter keeps two callers' marks apart. A claim ranked twice by accident is
    stored twice the same way (upserts), so the mark need not be perfect."""
    now = timezone.now()
    lease_until = now + stale_after() + timedelta(microseconds=random.randrange(1, 1_000_000))
    waiting = Q(evidence_status=Claim.EvidenceStatus.PENDING) | Q(
        evidence_status=Claim.EvidenceStatus.GATHERING, evidence_retry_at__lt=now
    )
    held = Claim.objects.filter(Q(article_id=article_id) & waiting).update(
        evidence_status=Claim.EvidenceStatus.GATHERING, evidence_retry_at=lease_until
    )
    if not held:
        return []
    return list(
        Claim.objects.filter(
            article_id=article_id,
            evidence_status=Claim.EvidenceStatus.GATHERING,
            evidence_retry_at=lease_until,
        ).values_list("pk", flat=True)
    )


def claims_renew_lease(*, claim_ids: Sequence[int]) -> int:
    """Push back the evidence lease of claims still being ranked."""
    return Claim.objects.filter(
        pk__in=claim_ids, evidence_status=Claim.EvidenceStatus.GATHERING
    ).update(evidence_retry_at=timezone.now() + stale_after())


def article_rank_evidence(*, article_id: int) -> int:
    """Rank the stored pages' sentences for every claim of the article waiting for it and keep
    each claim's top EVIDENCE_PER_CLAIM, as one batch: a constant number of queries per
    article (its searches, title look-ups, pages and their ranking indexes are each read in
    one query; evidence and claims are written in one transaction), never a request.

    Each claim ends ATTACHED or NONE_FOUND. Returns the number of claims ranked. Running twice:
    the second call finds nothing waiting. Evidence rows are unique per (claim, page,
    sentence), so a claim ranked again after a lapsed lease is never duplicated.
    """
    held = claims_claim_for_ranking(article_id=article_id)
    if not held:
        article_mark_ready_if_done(article_id=article_id)
        return 0
    with lease_kept(partial(claims_renew_lease, claim_ids=held)):
        article = Article.objects.only("pk", "title").get(pk=article_id)
        claims = list(article.claims.only(*CLAIM_QUERY_FIELDS))
        queries = {c.pk: claim_query(c, article) for c in claims}
        searches = stored_searches(article_search_queries(article, claims))
        shared = [title for titles in searches.values() for title in titles]
        wanted = {pk: candidate_titles(queries[pk]) for pk in held}
        own = stored_searches(key_phrase(queries[pk]) for pk in held)
        lookups = stored_title_lookups(
            [
                *shared,
                *(t for ts in wanted.values() for t in ts),
                *(t for ts in own.values() for t in ts),
            ]
        )
        indexes = page_indexes(pk for pk in lookups.values() if pk is not None)

        def pages_of(titles: Iterable[str]) -> list[PageIndex]:
            pks = dict.fromkeys(lookups.get(t) for t in titles)
            return [indexes[pk] for pk in pks if pk in indexes]

        batch = []
        for pk in held:
            pages = pages_of(wanted[pk])
            if not pages and not shared:
                # Nothing else gave this claim a page: the fetch searched its own phrase.
                pages = pages_of(own.get(_search_key(key_phrase(queries[pk])), []))
            batch.append((queries[pk], pages))
        ranked = rank_claims(batch, top_k=settings.EVIDENCE_PER_CLAIM, shared=pages_of(shared))
        hints = [
            evidence_hints(query, items) for (query, _), items in zip(batch, ranked, strict=True)
        ]
    page_pks = {index.page_title: pk for pk, index in indexes.items()}
    claims_store_evidence(
        ranked={pk: items for pk, items in zip(held, ranked, strict=True)},
        hints={pk: items for pk, items in zip(held, hints, strict=True)},
        page_pks=page_pks,
    )
    article_mark_ready_if_done(article_id=article_id)
    return len(held)


CLAIM_QUERY_FIELDS = (
    "pk",
    "article_id",
    "text",
    "claimant",
    "entities",
    "quantities",
    "score",
    "start",
)


def page_indexes(page_pks: Iterable[int]) -> dict[int, PageIndex]:
    """{page pk: its ranking index}, from this process's memory, else from the store, else
    built from the page (and stored for every other process): at most four queries.

    In memory an index is known by the page's database, row, title and revision, not the row
    alone: a rolled-back transaction can hand the same row number to another page."""
    database = connection.settings_dict["NAME"]
    keys = {
        pk: (database, pk, *identity)
        for pk, *identity in ReferencePage.objects.filter(pk__in=list(page_pks)).values_list(
            "pk", "wiki", "title", "revision_id", "snapshot_date"
        )
    }
    found = {pk: index for pk, key in keys.items() if (index := cached_page_index(key))}
    missing = [pk for pk in keys if pk not in found]
    if missing:
        for pk, data in RankingIndex.objects.filter(
            page_id__in=missing, format=INDEX_FORMAT
        ).values_list("page_id", "data"):
            index = PageIndex.from_bytes(bytes(data))
            if index is not None:
                found[pk] = remember_page_index(keys[pk], index)
        missing = [pk for pk in missing if pk not in found]
    if missing:
        built = {
            pk: build_index(page_snapshot(page))
            for pk, page in ReferencePage.objects.in_bulk(missing).items()
        }
        RankingIndex.objects.bulk_create(
            [
                RankingIndex(
                    page_id=pk, format=INDEX_FORMAT, data=index.to_bytes(), built_at=timezone.now()
                )
                for pk, index in built.items()
            ],
            update_conflicts=True,
            unique_fields=["page"],
            update_fields=["format", "data", "built_at"],
        )
        for pk, index in built.items():
            found[pk] = remember_page_index(keys[pk], index)
    return found


def claims_store_evidence(
    *,
    ranked: dict[int, list[RankedSentence]],
    hints: dict[int, list],
    page_pks: dict[str, int],
) -> None:
    """Store the ranked sentences of several claims and their final evidence status: one read,
    then one transaction of five statements. Sentences a reviewer has cited or attached are
    never dropped, even if they fall out of the top 5."""
    rows = [
        Evidence(
            claim_id=claim_id,
            page_id=page_pks[item.page_title],
            sentence_index=item.sentence_index,
            sentence=item.sentence,
            section=item.section[:500],
            score=item.score,
            rank=rank,
            method=item.method[:100],
        )
        for claim_id, items in ranked.items()
        for rank, item in enumerate(items, start=1)
    ]
    kept = {(row.claim_id, row.page_id, row.sentence_index) for row in rows}
    # Sentences a reviewer has cited or attached are never dropped.
    machine_evidence = Evidence.objects.filter(
        claim_id__in=list(ranked), citing_reviews__isnull=True, added_by__isnull=True
    ).values_list("pk", "claim_id", "page_id", "sentence_index")
    stale = [pk for pk, *key in machine_evidence if tuple(key) not in kept]
    found = [claim_id for claim_id, items in ranked.items() if items]
    none_found = [claim_id for claim_id, items in ranked.items() if not items]
    hinted = [
        Claim(pk=claim_id, evidence_hints=[dataclasses.asdict(h) for h in hints[claim_id]])
        for claim_id in ranked
    ]
    done = dict(evidence_error="", evidence_retry_at=None)
    with transaction.atomic():
        Evidence.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["claim", "page", "sentence_index"],
            update_fields=["score", "rank", "method", "section", "sentence"],
        )
        Evidence.objects.filter(pk__in=stale).delete()
        Claim.objects.filter(pk__in=found).update(
            evidence_status=Claim.EvidenceStatus.ATTACHED, **done
        )
        Claim.objects.filter(pk__in=none_found).update(
            evidence_status=Claim.EvidenceStatus.NONE_FOUND, **done
        )
        # One statement for every claim's own hints (a CASE over the ids).
        Claim.objects.bulk_update(hinted, ["evidence_hints"])


def claim_request_evidence(*, claim_id: int) -> None:
    """Queue the fetch (then the ranking) of the claim's article, which takes every waiting
    claim of it along."""
    from factcheck.tasks import fetch_article_pages

    article_id = Claim.objects.filter(pk=claim_id).values_list("article_id", flat=True).first()
    if article_id is not None:
        fetch_article_pages.delay(article_id)


def claim_gather_evidence(*, claim_id: int, source: EvidenceSource | None = None) -> str:
    """Fetch and rank one claim's evidence now, in this process: the pipeline's two steps for
    a single claim (commands, tests and the reviewer's "gather again" use it; the workers go
    article by article). Returns the final evidence status."""
    claim = Claim.objects.select_related("article").get(pk=claim_id)
    if claim.evidence_status not in PENDING_EVIDENCE:
        return claim.evidence_status
    if source is None:
        with open_evidence_source() as opened:
            return claim_gather_evidence(claim_id=claim_id, source=opened)
    Claim.objects.filter(pk=claim_id, evidence_status__in=PENDING_EVIDENCE).update(
        evidence_status=Claim.EvidenceStatus.PENDING
    )
    try:
        article_prefetch_pages(article=claim.article, source=source)
    except EvidenceSourceError as exc:
        claims_mark_evidence_unavailable(
            claim_ids=[claim_id], reason=str(exc), retry_after=exc.retry_after
        )
        return Claim.EvidenceStatus.UNAVAILABLE
    article_rank_evidence(article_id=claim.article_id)
    return Claim.objects.values_list("evidence_status", flat=True).get(pk=claim_id)


def article_mark_ready_if_done(*, article_id: int) -> bool:
    """GATHERING -> READY once no claim of the article still waits for a first evidence run.
    Claims whose evidence is unavailable do not hold the article back: they are visible in the
    queue with their reason and retried by the sweep."""
    waiting = Claim.objects.filter(
        article_id=article_id,
        evidence_status__in=(Claim.EvidenceStatus.PENDING, Claim.EvidenceStatus.GATHERING),
    )
    if waiting.exists():
        return False
    return bool(
        Article.objects.filter(pk=article_id, status=Article.Status.GATHERING).update(
            status=Article.Status.READY, status_changed_at=timezone.now()
        )
    )


# --- Evidence: a reviewer's own search -----------------------------------------------------

SEARCH_HITS_MAX = 10
# More than the pipeline's two: a reviewer searching one subject wants its page's best lines.
SEARCH_HITS_PER_PAGE = 3


@dataclass(frozen=True)
class SearchHit:
    """A sentence a reviewer's search found, pinned to the stored page revision it was read
    from. Attaching it (reviews.services.evidence_attach) passes page_id and sentence_index
    and reads the sentence again from that revision."""

    page_id: int  # the ReferencePage row
    page_title: str
    page_url: str  # the revision's permalink where the wiki gives one
    revision_label: str
    sentence_index: int
    section: str
    sentence: str


def evidence_search(
    *, claim: Claim, query: str, source: EvidenceSource | None = None
) -> list[SearchHit]:
    """Search the configured evidence source (the corpus or live Wikipedia) with a reviewer's
    own words and rank the found pages' sentences for them, best first (at most
    SEARCH_HITS_MAX, SEARCH_HITS_PER_PAGE per page).

    The ranking query is the reviewer's words plus the claim's entity names, so sentences
    about the claim's actors come first. The search and the pages go through the page store
    (search_resolve, pages_resolve): a repeated search makes no request while it is fresh,
    and every hit is a stored revision that evidence_attach can cite. No transaction is open
    while the source is asked. Raises EvidenceSourceError when the source fails.

    Running twice returns the same hits; only the page store's cache is written.
    """
    words = " ".join(query.split())[:300]
    if not words:
        return []
    if source is None:
        with open_evidence_source() as opened:
            return evidence_search(claim=claim, query=words, source=opened)
    titles = search_resolve(query=words, source=source)
    by_title = {page.title: page for page in pages_resolve(titles=titles, source=source).values()}
    ranking_query = ClaimQuery(text=words, entity_names=claim_query(claim).entity_names)
    ranked = rank_sentences(
        ranking_query,
        [page_snapshot(page) for page in by_title.values()],
        top_k=SEARCH_HITS_MAX,
        per_page=SEARCH_HITS_PER_PAGE,
    )
    hits = []
    for item in ranked:
        page = by_title[item.page_title]
        hits.append(
            SearchHit(
                page_id=page.pk,
                page_title=page.title,
                page_url=page.permalink,
                revision_label=page.revision_label,
                sentence_index=item.sentence_index,
                section=item.section,
                sentence=item.sentence,
            )
        )
    return hits


# --- The sweep ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SweepReport:
    articles_requeued: int
    claims_requeued: int


WORKING_STATUSES = (Article.Status.QUEUED, Article.Status.EXTRACTING, Article.Status.GATHERING)


def sweep_stuck_work(*, now=None) -> SweepReport:
    """Re-queue work nobody holds any more: articles whose lease lapsed in a working state (a
    worker died, or a broker restart lost their message, QUEUED ones included), claims whose
    ranking lease lapsed (their article is ranked again), and claims whose evidence retry time
    has come (their article's pages are fetched again, then ranked).

    The UPDATE that picks a row also restarts its lease, so each is sent again at most once per
    lease however often the sweep runs, and a long queue is not flooded with copies. A copy
    too many is harmless: every task claims its work with a conditional UPDATE. Rows a worker
    has locked are skipped (it is alive). If the broker refuses a send, the sweep fails and
    the row is sent again one lease later.
    """
    from factcheck.tasks import fetch_article_pages, rank_article_evidence

    now = now or timezone.now()
    lapsed = now - stale_after()
    with transaction.atomic():
        articles = list(
            Article.objects.select_for_update(skip_locked=True)
            .filter(status__in=WORKING_STATUSES, status_changed_at__lt=lapsed)
            .values_list("pk", flat=True)
        )
        # Extraction resumes at the article's progress (extracted_until), from QUEUED.
        Article.objects.filter(pk__in=articles, status=Article.Status.EXTRACTING).update(
            status=Article.Status.QUEUED
        )
        Article.objects.filter(pk__in=articles).update(status_changed_at=now)
        claims = list(
            Claim.objects.select_for_update(skip_locked=True)
            .filter(
                Q(evidence_status=Claim.EvidenceStatus.UNAVAILABLE, evidence_retry_at__lte=now)
                | Q(evidence_status=Claim.EvidenceStatus.GATHERING, evidence_retry_at__lt=now)
            )
            .values_list("pk", "article_id", "evidence_status")
        )
        to_rank = sorted({a for _, a, s in claims if s == Claim.EvidenceStatus.GATHERING})
        to_fetch = sorted({a for _, a, s in claims if s == Claim.EvidenceStatus.UNAVAILABLE})
        # A lapsed ranking is pending again, so it still holds its article back (should this
        # message be lost too, the article's own lapse sends it again). Moving the retry time
        # one lease on keeps a due claim from being sent again while this message waits.
        picked = [pk for pk, _, _ in claims]
        Claim.objects.filter(pk__in=picked, evidence_status=Claim.EvidenceStatus.GATHERING).update(
            evidence_status=Claim.EvidenceStatus.PENDING
        )
        Claim.objects.filter(pk__in=picked).update(evidence_retry_at=now + stale_after())
    # Pending claims of a lapsed GATHERING article are sent by article_fetch_pages, after it
    # has fetched the pages (and stored the searches) they are ranked against.
    for article_id in articles:
        enqueue_process_article(article_id)
    for article_id in to_rank:
        rank_article_evidence.delay(article_id)
    for article_id in to_fetch:
        fetch_article_pages.delay(article_id)
    return SweepReport(articles_requeued=len(articles), claims_requeued=len(claims))


# --- Offline corpus -------------------------------------------------------------------------


def corpus_load(*, source: EvidenceSource, titles: Sequence[str]) -> int:
    """Import pages from an offline source into the page store. Running twice stores nothing
    new (pages are unique per title and snapshot date). Returns the number of titles found."""
    return len(pages_resolve(titles=titles, source=source))


# --- Articles from URLs and feeds ----------------------------------------------------------

# Entries fetched per poll: each may take up to FETCH_TIMEOUT_SECONDS, and a poll must end well
# inside the task's soft time limit. A longer backlog is taken up by the next polls, which
# come at once (a feed with entries left over is due again immediately).
FEED_ENTRIES_PER_POLL = 20


def fetch_policy() -> FetchPolicy:
    """How fetching behaves, from settings (FETCH_*)."""
    contact = settings.FACTCHECK_ORGANIZATION_URL
    agent = f"factcheck/1.0 (fact-checking desk of {settings.FACTCHECK_ORGANIZATION_NAME}"
    agent += f"; +{contact})" if contact else ")"
    return FetchPolicy(
        timeout_seconds=settings.FETCH_TIMEOUT_SECONDS,
        max_bytes=settings.FETCH_MAX_BYTES,
        allow_private_hosts=settings.FETCH_ALLOW_PRIVATE_HOSTS,
        # Header values are ASCII: a name with accents keeps its shape, not its letters.
        user_agent=agent.encode("ascii", "replace").decode("ascii"),
    )


def article_from_url(
    *,
    url: str,
    actor=None,
    source_name: str = "web page",
    outlet: str = "",
    byline: str = "",
    published_on=None,
) -> IngestOutcome:
    """Fetch a web page, extract its article (text, title, date, byline, outlet) and store it
    through article_ingest. An outlet, byline or date given here wins over what the page
    states: the caller (an integration, a feed entry's date) knows its article.

    Raises fetching.FetchError when the page cannot be had (its `permanent` says whether a
    later try may work) and ingestion.IngestError when it holds no article. No transaction
    is open during the fetch. Running twice fetches twice and stores the article once: the
    same text is the same article (created=False the second time).
    """
    draft = fetch_article(url, policy=fetch_policy())
    draft = dataclasses.replace(
        draft,
        source_name=source_name[:500],
        outlet=outlet or draft.outlet,
        byline=byline or draft.byline,
        published_on=published_on or draft.published_on,
    )
    return article_ingest(draft=draft, actor=actor)


@dataclass(frozen=True)
class FeedPollReport:
    polled: bool  # False: the feed was not due, not active, or another worker had it
    not_modified: bool = False  # the server answered 304: nothing new
    ingested: int = 0  # entries stored as articles (new articles, or ones already stored)
    failed: int = 0  # entries given up on, each with its reason on its FeedEntry
    deferred: int = 0  # entries left for the next poll (a passing failure, or over the batch)
    error: str = ""  # why the feed itself could not be read


def feeds_due(*, now=None) -> list[int]:
    """Ids of the active feeds whose next poll time has come, the longest waiting first."""
    now = now or timezone.now()
    due = Feed.objects.filter(active=True, next_poll_at__lte=now).order_by("next_poll_at")
    return list(due.values_list("pk", flat=True))


def feeds_enqueue_due(*, now=None) -> int:
    """Queue a poll of every due feed (beat runs this every minute). A feed queued twice is
    polled once: feed_poll claims it first. Each message expires after a minute, by when the
    next round has queued the feed again, so a busy queue does not pile up copies."""
    from factcheck.tasks import poll_feed

    feed_ids = feeds_due(now=now)
    for feed_id in feed_ids:
        poll_feed.apply_async((feed_id,), expires=60)
    return len(feed_ids)


def feed_poll_soon(*, feed_id: int, actor) -> bool:
    """Make an active feed due now and queue its poll (the admin's "Poll now"). False for an
    inactive or deleted feed. Running twice queues twice and polls once."""
    from reviews.models import AuditEntry

    with transaction.atomic():
        made_due = Feed.objects.filter(pk=feed_id, active=True).update(next_poll_at=timezone.now())
        if not made_due:
            return False
        AuditEntry.objects.create(
            actor=actor, action="feed_poll_requested", details={"feed_id": feed_id}
        )
        transaction.on_commit(lambda: enqueue_feed_poll(feed_id))
    return True


def enqueue_feed_poll(feed_id: int) -> None:
    """Queue one feed's poll. A broker that cannot be reached is logged, not raised: the feed
    is due, and the next beat round queues it."""
    from kombu.exceptions import OperationalError

    from factcheck.tasks import poll_feed

    try:
        poll_feed.delay(feed_id)
    except OperationalError as exc:
        log.warning("feed %s is due, poll not queued (broker: %s); beat will", feed_id, exc)


def feed_poll_lease() -> timedelta:
    """How long a claimed poll keeps its feed: the task's hard time limit, which no poll can
    outlive, so a feed is never taken from a worker still polling it, and a dead worker's
    feed is due again once that time has passed."""
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)


def feed_backoff(failures: int) -> timedelta:
    """The wait after `failures` failed polls in a row: the poll interval, doubled for each
    failure after the first, at most FEED_RETRY_MAX_SECONDS."""
    seconds = settings.FEED_POLL_INTERVAL_SECONDS * 2 ** min(max(failures - 1, 0), 32)
    return timedelta(seconds=min(seconds, settings.FEED_RETRY_MAX_SECONDS))


def feed_poll(*, feed_id: int, now=None) -> FeedPollReport:
    """Poll one feed if it is active and due: a conditional GET (its ETag / Last-Modified),
    then each new entry's link fetched and ingested like a URL sent to the API, at most
    FEED_ENTRIES_PER_POLL of them.

    The feed is claimed first with a conditional UPDATE of next_poll_at, so two workers never
    poll it at once. A failure to fetch or parse the feed is recorded on it (last_error,
    consecutive_failures) and the next poll put off with exponential backoff; a success
    clears both. An entry is recorded once dealt with (FeedEntry, unique per feed and key):
    ingested, or given up on with its reason when its page cannot become an article. An entry
    whose page failed for a passing reason is tried again on the next poll; until every entry
    is dealt with, the feed's validators are not kept, so that poll reads the whole feed.

    Running twice ingests nothing twice: the second run finds the feed not due, or (once
    due) gets a 304, or finds every entry already recorded.
    """
    now = now or timezone.now()
    claimed = Feed.objects.filter(pk=feed_id, active=True, next_poll_at__lte=now).update(
        next_poll_at=now + feed_poll_lease()
    )
    if not claimed:
        return FeedPollReport(polled=False)
    feed = Feed.objects.get(pk=feed_id)
    try:
        fetched = fetch(
            feed.url,
            policy=fetch_policy(),
            accept=None,
            etag=feed.etag,
            last_modified=feed.last_modified,
            what="feed",
        )
        if fetched.status == 304:
            feed_record_success(feed=feed, now=now, complete=True)
            return FeedPollReport(polled=True, not_modified=True)
        contents = read_feed(fetched.body, url=fetched.url)
    except (FetchError, FeedFormatError) as exc:
        return feed_record_failure(feed=feed, reason=str(exc), now=now)
    if not feed.title and contents.title:
        # Named as it names itself, before its entries' articles say which feed they came from.
        Feed.objects.filter(pk=feed.pk, title="").update(title=contents.title)
        feed.title = contents.title

    known = set(
        FeedEntry.objects.filter(
            feed=feed, entry_key__in=[item.key for item in contents.items]
        ).values_list("entry_key", flat=True)
    )
    new = [item for item in contents.items if item.key not in known]
    outcomes = [feed_ingest_entry(feed=feed, item=item) for item in new[:FEED_ENTRIES_PER_POLL]]
    deferred = outcomes.count(None) + len(new[FEED_ENTRIES_PER_POLL:])
    feed_record_success(
        feed=feed,
        now=now,
        complete=not deferred,
        fetched=fetched,
        again_at=now if len(new) > FEED_ENTRIES_PER_POLL else None,
    )
    return FeedPollReport(
        polled=True,
        ingested=outcomes.count(FeedEntry.Status.INGESTED),
        failed=outcomes.count(FeedEntry.Status.FAILED),
        deferred=deferred,
    )


def feed_ingest_entry(*, feed: Feed, item: FeedItem) -> str | None:
    """Fetch and ingest one entry's page, and record the entry: its status, or None when the
    failure may pass (no record: the next poll tries again)."""
    article, error = None, ""
    if not item.link:
        error = "the entry has no link to fetch"
    else:
        try:
            article = article_from_url(
                url=item.link, source_name=f"feed: {feed}", published_on=item.published_on
            ).article
        except FetchError as exc:
            if not exc.permanent:
                log.info("feed %s: entry %s deferred: %s", feed.pk, item.link, exc)
                return None
            error = str(exc)
        except IngestError as exc:
            error = str(exc)
    status = FeedEntry.Status.FAILED if error else FeedEntry.Status.INGESTED
    # get_or_create: a poller whose claim lapsed may have recorded it meanwhile.
    entry, _ = FeedEntry.objects.get_or_create(
        feed=feed,
        entry_key=item.key,
        defaults={
            "link": item.link if is_public_url(item.link) else "",
            "title": item.title,
            "status": status,
            "article": article,
            "error": error[:2000],
        },
    )
    return entry.status


def feed_record_success(
    *,
    feed: Feed,
    now,
    complete: bool,
    fetched: FetchedDocument | None = None,
    again_at=None,
) -> None:
    """The feed was read: failures cleared, next poll one interval on (or again_at). The
    validators of a fully handled feed are kept for the next conditional GET; those of one with
    entries left over are dropped, so the next poll reads it all again."""
    changes = {
        "last_polled_at": now,
        "next_poll_at": again_at or now + timedelta(seconds=settings.FEED_POLL_INTERVAL_SECONDS),
        "consecutive_failures": 0,
        "last_error": "",
    }
    if fetched is not None:
        changes["etag"] = fetched.etag if complete else ""
        changes["last_modified"] = fetched.last_modified if complete else ""
    Feed.objects.filter(pk=feed.pk).update(**changes)


def feed_record_failure(*, feed: Feed, reason: str, now) -> FeedPollReport:
    """The feed could not be read: say why on it, and put its next poll off (feed_backoff)."""
    failures = feed.consecutive_failures + 1
    Feed.objects.filter(pk=feed.pk).update(
        last_polled_at=now,
        next_poll_at=now + feed_backoff(failures),
        consecutive_failures=failures,
        last_error=reason[:2000],
    )
    log.warning("feed %s (%s) failed %d time(s) in a row: %s", feed.pk, feed.url, failures, reason)
    return FeedPollReport(polled=True, error=reason)
