"""Every write of the pipeline that matters: ingestion, extraction, evidence, the retry sweep.

Work is claimed with a conditional UPDATE, so any number of workers may run the same task;
spaCy and Wikipedia are called outside transactions; writes are upserts on unique constraints,
so running anything twice changes nothing.
"""

import contextlib
import dataclasses
import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from factcheck.dedup import claim_signature, duplicate_decision, similarity
from factcheck.evidence.hints import evidence_hints
from factcheck.evidence.ranking import candidate_titles, key_phrase, rank_sentences
from factcheck.evidence.sources import open_evidence_source
from factcheck.evidence.types import (
    ClaimQuery,
    EvidenceSource,
    EvidenceSourceError,
    PageSection,
    PageSnapshot,
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
    ReferencePage,
    SearchLookup,
    TitleLookup,
)
from factcheck.page_cache import forget_verdict_pages
from factcheck.safe_urls import is_public_url

log = logging.getLogger(__name__)


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


def claim_renew_lease(*, claim_id: int) -> bool:
    """Push back the evidence lease of a claim still being gathered."""
    return bool(
        Claim.objects.filter(pk=claim_id, evidence_status=Claim.EvidenceStatus.GATHERING).update(
            evidence_retry_at=timezone.now() + stale_after()
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
        Claim.objects.filter(article_id=article_id, canonical__isnull=True).exclude(
            kind=Claim.Kind.OPINION
        )
    )
    candidates = list(
        Claim.objects.filter(canonical__isnull=True, created_at__gte=since)
        .exclude(article_id=article_id)
        .exclude(kind=Claim.Kind.OPINION)
        .only("pk", "text")
    )
    if not new_claims or not candidates:
        return (0, 0)
    candidate_signatures = [(c, claim_signature(c.text)) for c in candidates]
    linked = suggested = 0
    linked_to: list[int] = []
    for claim in new_claims:
        if claim.duplicates.exists():
            continue  # already a canonical for someone else: keep it canonical
        signature = claim_signature(claim.text)
        best, best_score = None, 0.0
        for candidate, candidate_signature in candidate_signatures:
            score = similarity(signature, candidate_signature)
            if score > best_score:
                best, best_score = candidate, score
        if best is None:
            continue
        decision = duplicate_decision(
            best_score,
            shorter_word_count=min(signature.word_count, claim_signature(best.text).word_count),
            link_at=settings.DUPLICATE_LINK_THRESHOLD,
            suggest_at=settings.DUPLICATE_SUGGEST_THRESHOLD,
            min_words=settings.DUPLICATE_MIN_WORDS,
        )
        if decision == "link":
            Claim.objects.filter(pk=claim.pk).update(canonical=best)
            linked_to.append(best.pk)
            linked += 1
        elif decision == "suggest":
            _, created = DuplicateSuggestion.objects.get_or_create(
                claim=claim, candidate=best, defaults={"similarity": round(best_score, 4)}
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


def claim_query(claim: Claim) -> ClaimQuery:
    names: list[str] = []
    for entity in claim.entities:
        for name in [entity.get("name") or entity.get("text", ""), *entity.get("aliases", [])]:
            if name and name not in names:
                names.append(name)
    return ClaimQuery(
        text=claim.text,
        # The headline tells the ranking which pages the article is about.
        context=claim.article.title,
        claimant=claim.claimant or None,
        entity_names=tuple(names),
        numbers=tuple(q["value"] for q in claim.quantities if "value" in q),
        quantities=tuple(claim.quantities),
    )


def page_store_upsert(*, snapshot: PageSnapshot) -> ReferencePage:
    """Store one fetched revision; return the stored row. Storing the same revision twice
    returns the existing row (unique per wiki, title and revision or snapshot date)."""
    now = timezone.now()
    fields = dict(
        page_id=snapshot.page_id,
        url=snapshot.url,
        description=snapshot.description,
        sections=[dataclasses.asdict(s) for s in snapshot.sections],
        source=snapshot.source,
        fetched_at=now,
    )
    key = dict(wiki=snapshot.wiki, title=snapshot.title)
    if snapshot.revision_id is not None:
        key["revision_id"] = snapshot.revision_id
    else:
        key.update(revision_id=None, snapshot_date=snapshot.snapshot_date)
    ReferencePage.objects.bulk_create([ReferencePage(**key, **fields)], ignore_conflicts=True)
    page = ReferencePage.objects.get(**key)
    if page.fetched_at < now - timedelta(seconds=1):
        # The same revision seen again: it is fresh as of now.
        ReferencePage.objects.filter(pk=page.pk).update(fetched_at=now)
    return page


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


def pages_resolve(
    *, titles: Iterable[str], source: EvidenceSource, wiki: str = "en.wikipedia.org"
) -> dict[str, ReferencePage]:
    """Pages for the given titles, from the store while fresh, otherwise fetched in batches.

    Missing pages are remembered like found ones, so asking again makes no request until the
    lookup reaches WIKIPEDIA_PAGE_MAX_AGE_DAYS. Raises EvidenceSourceError from the source.
    """
    wanted = list(dict.fromkeys(t.strip() for t in titles if t and t.strip()))
    if not wanted:
        return {}
    fresh_after = timezone.now() - timedelta(days=settings.WIKIPEDIA_PAGE_MAX_AGE_DAYS)
    lookups = {
        lookup.requested_title: lookup
        for lookup in TitleLookup.objects.filter(
            wiki=wiki, requested_title__in=wanted, looked_up_at__gte=fresh_after
        ).select_related("page")
    }
    found = {title: lk.page for title, lk in lookups.items() if lk.page is not None}
    to_fetch = [title for title in wanted if title not in lookups]
    for batch_start in range(0, len(to_fetch), 50):
        batch = to_fetch[batch_start : batch_start + 50]
        snapshots = source.fetch_pages(batch)  # network: no transaction is open here
        now = timezone.now()
        for title in batch:
            snapshot = snapshots.get(title)
            page = page_store_upsert(snapshot=snapshot) if snapshot else None
            TitleLookup.objects.update_or_create(
                wiki=wiki,
                requested_title=title,
                defaults={"page": page, "looked_up_at": now},
            )
            if page is not None:
                found[title] = page
    return found


def _stored_search(query: str, wiki: str) -> SearchLookup | None:
    fresh_after = timezone.now() - timedelta(days=settings.WIKIPEDIA_PAGE_MAX_AGE_DAYS)
    return SearchLookup.objects.filter(wiki=wiki, query=query, searched_at__gte=fresh_after).first()


def stored_search_titles(*, query: str, wiki: str = "en.wikipedia.org") -> list[str]:
    """Titles of a search already made and still fresh; [] if none (never a request)."""
    stored = _stored_search(" ".join(query.split())[:500], wiki)
    return list(stored.titles) if stored else []


def search_resolve(
    *, query: str, source: EvidenceSource, wiki: str = "en.wikipedia.org"
) -> list[str]:
    """Titles for a search, reusing a stored result while it is fresh."""
    query = " ".join(query.split())[:500]
    if not query:
        return []
    stored = _stored_search(query, wiki)
    if stored:
        return list(stored.titles)
    titles = source.search(query, limit=settings.WIKIPEDIA_SEARCH_RESULTS)
    SearchLookup.objects.update_or_create(
        wiki=wiki, query=query, defaults={"titles": titles, "searched_at": timezone.now()}
    )
    return titles


# --- Evidence: per article and per claim ----------------------------------------------------


def article_fetch_pages(*, article_id: int) -> None:
    """Prefetch the pages the article's claims need, then queue the per-claim ranking, which
    reads the page store. A transient failure here is left to the per-claim tasks, which
    record it on each claim and retry."""
    from factcheck.tasks import gather_claim_evidence

    article = Article.objects.filter(pk=article_id).first()
    if article is None or article.status != Article.Status.GATHERING:
        return
    renew = partial(article_renew_lease, article_id=article_id, status=Article.Status.GATHERING)
    try:
        with lease_kept(renew), open_evidence_source() as source:
            article_prefetch_pages(article=article, source=source)
    except EvidenceSourceError as exc:
        log.warning("prefetch for article %s failed (%s); claims will retry", article_id, exc)
    due = Q(evidence_status=Claim.EvidenceStatus.PENDING) | Q(
        evidence_status=Claim.EvidenceStatus.UNAVAILABLE, evidence_retry_at__lte=timezone.now()
    )
    for claim_id in article.claims.filter(due).values_list("pk", flat=True):
        gather_claim_evidence.delay(claim_id)
    article_mark_ready_if_done(article_id=article_id)


def article_prefetch_pages(*, article: Article, source: EvidenceSource) -> None:
    """Fetch, in as few requests as possible, the pages every pending claim of the article
    will need: a few searches (see article_search_queries), then every claim's candidate
    titles and the search results, in batches of 50. Raises EvidenceSourceError."""
    claims = list(article.claims.filter(evidence_status__in=PENDING_EVIDENCE))
    titles: list[str] = []
    for query in article_search_queries(article, article.claims.all()):
        titles.extend(search_resolve(query=query, source=source))
    for claim in claims:
        titles.extend(candidate_titles(claim_query(claim)))
    pages_resolve(titles=titles, source=source)


def article_search_queries(article: Article, claims: Sequence[Claim]) -> list[str]:
    """The searches an article's evidence may cost: its headline, then the key phrases of its
    most check-worthy claims, up to WIKIPEDIA_SEARCHES_PER_CLAIM times the number of claims.
    A search cannot be batched, so one per claim would cost more than the page look-ups."""
    budget = max(1, int(len(claims) * settings.WIKIPEDIA_SEARCHES_PER_CLAIM))
    queries = [key_phrase(ClaimQuery(text=article.title))]
    for claim in sorted(claims, key=lambda c: (-c.score, c.start)):
        if len(queries) >= budget:
            break
        phrase = key_phrase(claim_query(claim))
        if phrase and phrase not in queries:
            queries.append(phrase)
    return [q for q in queries if q]


PENDING_EVIDENCE = (Claim.EvidenceStatus.PENDING, Claim.EvidenceStatus.UNAVAILABLE)


def claim_claim_evidence_work(*, claim_id: int) -> bool:
    """Conditional UPDATE: True if this caller may gather evidence for the claim now."""
    now = timezone.now()
    claimable = Q(evidence_status=Claim.EvidenceStatus.PENDING) | Q(
        evidence_status=Claim.EvidenceStatus.UNAVAILABLE
    )
    stale = Q(evidence_status=Claim.EvidenceStatus.GATHERING, evidence_retry_at__lt=now)
    return bool(
        Claim.objects.filter(Q(pk=claim_id) & (claimable | stale)).update(
            evidence_status=Claim.EvidenceStatus.GATHERING,
            # While gathering, evidence_retry_at is the lease: past it, the work is up for grabs.
            evidence_retry_at=now + stale_after(),
            evidence_attempts=F("evidence_attempts") + 1,
        )
    )


def claim_gather_evidence(*, claim_id: int, source: EvidenceSource | None = None) -> str:
    """Rank Wikipedia sentences for one claim and keep the top EVIDENCE_PER_CLAIM.

    Ends with the claim in ATTACHED or NONE_FOUND, or, on a transient source failure, in
    UNAVAILABLE with the reason and a retry time (the sweep retries). Returns the final
    evidence status. Running twice: the second call finds the work done and does nothing.
    Evidence rows are unique per (claim, page, sentence), so a retry never duplicates them.
    """
    if not claim_claim_evidence_work(claim_id=claim_id):
        return Claim.objects.values_list("evidence_status", flat=True).get(pk=claim_id)
    claim = Claim.objects.select_related("article").get(pk=claim_id)
    with lease_kept(partial(claim_renew_lease, claim_id=claim_id)):
        if source is None:
            with open_evidence_source() as source:
                return claim_rank_evidence(claim=claim, source=source)
        return claim_rank_evidence(claim=claim, source=source)


def claim_rank_evidence(*, claim: Claim, source: EvidenceSource) -> str:
    """The work of claim_gather_evidence once the claim is held: pages, ranking, storage."""
    query = claim_query(claim)
    try:
        pages = pages_resolve(titles=candidate_titles(query), source=source)
        # The searches the article's prefetch paid for serve every claim of the article; a
        # claim searches on its own only when nothing else gave it a page.
        search_titles = [
            title
            for phrase in article_search_queries(claim.article, claim.article.claims.all())
            for title in stored_search_titles(query=phrase)
        ]
        if not pages and not search_titles:
            search_titles = search_resolve(query=key_phrase(query), source=source)
        pages.update(pages_resolve(titles=search_titles, source=source))
    except EvidenceSourceError as exc:
        claim_mark_evidence_unavailable(claim=claim, reason=str(exc), retry_after=exc.retry_after)
        return Claim.EvidenceStatus.UNAVAILABLE

    by_title = {page.title: page for page in pages.values()}
    ranked = rank_sentences(
        query, [page_snapshot(p) for p in by_title.values()], top_k=settings.EVIDENCE_PER_CLAIM
    )
    hints = evidence_hints(query, ranked)
    return claim_store_evidence(claim=claim, ranked=ranked, by_title=by_title, hints=hints)


def claim_store_evidence(*, claim: Claim, ranked, by_title, hints) -> str:
    status = Claim.EvidenceStatus.ATTACHED if ranked else Claim.EvidenceStatus.NONE_FOUND
    with transaction.atomic():
        rows = [
            Evidence(
                claim=claim,
                page=by_title[item.page_title],
                sentence_index=item.sentence_index,
                sentence=item.sentence,
                section=item.section[:500],
                score=item.score,
                rank=rank,
                method=item.method[:100],
            )
            for rank, item in enumerate(ranked, start=1)
        ]
        Evidence.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["claim", "page", "sentence_index"],
            update_fields=["score", "rank", "method", "section", "sentence"],
        )
        keep = Q()
        for row in rows:
            keep |= Q(page=row.page, sentence_index=row.sentence_index)
        # Sentences a reviewer has cited or attached are never dropped, even if they fall out
        # of the top 5.
        stale = claim.evidence.filter(citing_reviews__isnull=True, added_by__isnull=True)
        if rows:
            stale = stale.exclude(keep)
        stale.delete()
        Claim.objects.filter(pk=claim.pk).update(
            evidence_status=status,
            evidence_error="",
            evidence_retry_at=None,
            evidence_hints=[dataclasses.asdict(h) for h in hints],
        )
    article_mark_ready_if_done(article_id=claim.article_id)
    return status


def claim_mark_evidence_unavailable(
    *, claim: Claim, reason: str, retry_after: float | None = None
) -> None:
    """Record a transient failure and when to try again (exponential backoff, at least what
    the server asked for). The sweep picks the claim up at that time."""
    backoff = min(
        EVIDENCE_RETRY_BASE * (2 ** max(0, claim.evidence_attempts - 1)), EVIDENCE_RETRY_MAX
    )
    if retry_after:
        backoff = max(backoff, timedelta(seconds=retry_after))
    Claim.objects.filter(pk=claim.pk).update(
        evidence_status=Claim.EvidenceStatus.UNAVAILABLE,
        evidence_error=f"evidence unavailable, retry scheduled: {reason}"[:2000],
        evidence_retry_at=timezone.now() + backoff,
    )


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
    evidence lease lapsed, and claims whose evidence retry time has come.

    The UPDATE that picks a row also restarts its lease, so each is sent again at most once per
    lease however often the sweep runs, and a long queue is not flooded with copies. A copy
    too many is harmless: every task claims its work with a conditional UPDATE. Rows a worker
    has locked are skipped (it is alive). If the broker refuses a send, the sweep fails and
    the row is sent again one lease later.
    """
    from factcheck.tasks import gather_claim_evidence

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
            .values_list("pk", flat=True)
        )
        # A lapsed gathering is pending again, so it still holds its article back (should this
        # message be lost too, the article's own lapse sends it again). Moving the retry time
        # one lease on keeps a due claim from being sent again while this message waits.
        Claim.objects.filter(pk__in=claims, evidence_status=Claim.EvidenceStatus.GATHERING).update(
            evidence_status=Claim.EvidenceStatus.PENDING
        )
        Claim.objects.filter(pk__in=claims).update(evidence_retry_at=now + stale_after())
    # Pending claims of a lapsed GATHERING article are sent by article_fetch_pages, after it
    # has fetched the pages (and stored the searches) they are ranked against.
    for article_id in articles:
        enqueue_process_article(article_id)
    for claim_id in claims:
        gather_claim_evidence.delay(claim_id)
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
