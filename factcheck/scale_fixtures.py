"""A synthetic desk at newsroom scale, built from the real pipeline's output (issue 10).

This is a fixture generator, not a workflow: it writes rows with bulk_create and calls no
service, so it leaves no audit trail and enqueues nothing. It exists to measure the desk's
pages at 100,000 claims (manage.py seed_scale, manage.py bench_queue, tests/test_queue_scale).

What is real: the claims are what extraction finds in the shipped sample articles, and their
evidence is what the ranking picks from the shipped Wikipedia corpus, stored as ReferencePage
rows. What is synthetic: the articles are those samples stitched together in varying order with
a numbered line, so every article's content hash differs while every claim stays a verbatim
slice text[start:end] of its article; and the desk's work (reviews in every state, verdicts,
duplicates) is drawn at random from a seeded generator.
"""

import datetime as dt
import functools
import hashlib
import random
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from factcheck.evidence.corpus import CorpusSource
from factcheck.evidence.ranking import candidate_titles, key_phrase, rank_sentences
from factcheck.evidence.types import PageSnapshot, RankedSentence
from factcheck.ingestion import read_document
from factcheck.models import Article, Claim, Evidence, ReferencePage
from reviews.models import PublishedVersion, Review, ReviewTransition, Verdict

SAMPLES_DIR = settings.BASE_DIR / "factcheck" / "samples" / "articles"
BATCH_CLAIMS = 5_000
DESK_PASSWORD = "scale-desk-password"  # a fixture desk; the hash is computed once and reused

# Shares of the non-duplicate claims in each desk state; the rest has no review (unassigned).
STATE_SHARES = (
    ("assigned", 0.12),
    ("returned", 0.05),
    ("submitted", 0.08),
    ("published", 0.20),
    ("dismissed", 0.08),
)
DUPLICATE_SHARE = 0.05

RATIONALES = {
    Verdict.SUPPORTED: "The cited encyclopedia sentence states the same fact.",
    Verdict.UNSUPPORTED: "No source we found supports this; the cited sentence says otherwise.",
    Verdict.MISATTRIBUTED: "The words belong to another speaker, as the cited sentence shows.",
}


@dataclass(frozen=True)
class TemplateClaim:
    """One claim of a sample article, as extraction stored it (model field values, offsets
    into the sample's text), and the evidence the ranking gave it."""

    fields: dict
    evidence: tuple[RankedSentence, ...]


@dataclass(frozen=True)
class TemplateArticle:
    title: str
    text: str
    claims: tuple[TemplateClaim, ...]


@dataclass(frozen=True)
class Templates:
    articles: tuple[TemplateArticle, ...]
    pages: dict[str, PageSnapshot]


@dataclass
class SeedReport:
    articles: int = 0
    claims: int = 0
    evidence: int = 0
    reviews: dict[str, int] = field(default_factory=dict)
    duplicates: int = 0
    published_versions: int = 0
    transitions: int = 0
    users: int = 0
    pages: int = 0

    def lines(self) -> list[str]:
        states = ", ".join(f"{n} {state}" for state, n in sorted(self.reviews.items()))
        return [
            f"articles: {self.articles}",
            f"claims: {self.claims} ({self.duplicates} duplicates)",
            f"evidence rows: {self.evidence} on {self.pages} reference pages",
            f"reviews: {sum(self.reviews.values())} ({states})",
            f"published versions: {self.published_versions}",
            f"review transitions: {self.transitions}",
            f"desk users: {self.users}",
        ]


@functools.cache
def load_templates() -> Templates:
    """Run extraction on the shipped samples and ranking on the shipped corpus, once per
    process (spaCy and the corpus index take seconds to load)."""
    from factcheck.extraction.pipeline import extract_claims, get_nlp
    from factcheck.services import claim_from_candidate, claim_query

    nlp = get_nlp(settings.SPACY_MODEL)
    corpus = CorpusSource([settings.SAMPLE_CORPUS])
    articles, pages = [], {}
    for path in sorted(SAMPLES_DIR.glob("*.txt")):
        draft = read_document(path.read_bytes(), filename=path.name, max_bytes=10_000_000)
        article = Article(title=draft.title, text=draft.text)
        claims = []
        for candidate in extract_claims(draft.text, nlp=nlp).claims:
            claim = claim_from_candidate(article, candidate)
            query = claim_query(claim)
            found = corpus.fetch_pages(candidate_titles(query))
            titles = [p.title for p in found.values()] or corpus.search(key_phrase(query))
            snapshots = {t: corpus.pages[t] for t in titles if t in corpus.pages}
            snapshots.update({p.title: p for p in found.values()})
            ranked = rank_sentences(
                query, list(snapshots.values()), top_k=settings.EVIDENCE_PER_CLAIM
            )
            for sentence in ranked:
                pages[sentence.page_title] = snapshots[sentence.page_title]
            fields = {
                name: getattr(claim, name)
                for name in (
                    "text start end paragraph_start paragraph_end score label kind priority "
                    "reasons claimant claimant_start claimant_end claimant_name cue "
                    "content_start content_end quantities entities"
                ).split()
            }
            claims.append(TemplateClaim(fields=fields, evidence=tuple(ranked)))
        articles.append(TemplateArticle(draft.title, draft.text, tuple(claims)))
    return Templates(articles=tuple(articles), pages=pages)


def _shifted(fields: dict, offset: int) -> dict:
    """The claim's fields with every article offset moved by offset (text placed later)."""
    out = dict(fields)
    for name in (
        "start end paragraph_start paragraph_end claimant_start claimant_end "
        "content_start content_end"
    ).split():
        if out[name] is not None:
            out[name] += offset
    for name in ("quantities", "entities"):
        out[name] = [
            {
                k: (v + offset if k in ("start", "end") and isinstance(v, int) else v)
                for k, v in d.items()
            }
            for d in fields[name]
        ]
    return out


def synthetic_article(templates: Templates, number: int, claims_per_article: int, rng):
    """Article number `number`: samples in a rotating order after a numbered line, as many as
    it takes to hold claims_per_article claims. Returns (title, text, [(key, fields, evidence)])
    where key names the template claim, so copies of one claim can be linked as duplicates."""
    samples = templates.articles
    first = samples[number % len(samples)]
    text = f"Sample desk copy {number}."
    found = []
    i = number
    while len(found) < claims_per_article and i < number + 50 * len(samples):
        sample = samples[i % len(samples)]
        offset = len(text) + 2
        text = f"{text}\n\n{sample.text}"
        for index, claim in enumerate(sample.claims):
            key = (i % len(samples), index)
            found.append((key, _shifted(claim.fields, offset), claim.evidence))
        i += 1
    chosen = sorted(
        rng.sample(found, min(claims_per_article, len(found))), key=lambda c: c[1]["start"]
    )
    return f"{first.title} (no. {number})", text, chosen


def desk_users() -> tuple[list, list]:
    """10 reviewers and 10 editors, made once (password hashed once and shared)."""
    groups = {g.name: g for g in Group.objects.filter(name__in=["Reviewer", "Editor"])}
    if len(groups) != 2:
        raise RuntimeError("The desk groups are missing: run manage.py migrate first.")
    password = make_password(DESK_PASSWORD)
    user_model = get_user_model()
    made = {"Reviewer": [], "Editor": []}
    for group_name, prefix in (("Reviewer", "scale_reviewer"), ("Editor", "scale_editor")):
        for n in range(1, 11):
            user, created = user_model.objects.get_or_create(
                username=f"{prefix}_{n:02d}", defaults={"password": password, "is_staff": True}
            )
            if created:
                user.groups.add(groups[group_name])
            made[group_name].append(user)
    return made["Reviewer"], made["Editor"]


def store_pages(templates: Templates) -> dict[str, ReferencePage]:
    from factcheck.services import page_store_upsert

    return {title: page_store_upsert(snapshot=snap) for title, snap in templates.pages.items()}


def seed_desk(
    *, articles: int, claims_per_article: int, seed: int = 0, templates: Templates | None = None
) -> SeedReport:
    """Add `articles` synthetic articles of `claims_per_article` claims each, with evidence,
    reviews in every state and published verdicts. One transaction per batch of about
    BATCH_CLAIMS claims: a failure leaves earlier batches whole and nothing of its own.
    Running it again adds more articles (numbered after those already there)."""
    templates = templates or load_templates()
    rng = random.Random(seed)
    reviewers, editors = desk_users()
    pages = store_pages(templates)
    report = SeedReport(users=len(reviewers) + len(editors), pages=len(pages))
    first_number = Article.objects.count()
    first_seen: dict[tuple, int] = {}
    per_batch = max(1, BATCH_CLAIMS // max(1, claims_per_article))
    for start in range(0, articles, per_batch):
        numbers = range(first_number + start, first_number + min(articles, start + per_batch))
        with transaction.atomic():
            _seed_batch(
                numbers,
                claims_per_article,
                templates,
                pages,
                rng,
                reviewers,
                editors,
                first_seen,
                report,
            )
    _analyze()
    return report


def _analyze() -> None:
    """Vacuum and refresh PostgreSQL's statistics of the tables just filled, as autovacuum
    would within a minute or so. Until then the planner takes a 100,000-claim desk for an
    empty one (a queue search measured 2,178 ms just after seeding, 111 ms after ANALYZE),
    and the first reads of every fresh row also write its visibility hint (a filter measured
    172 ms on its first bench_queue after seeding, 103 ms on the next): bench_queue would time
    the load rather than the desk. Inside a transaction (a test's), VACUUM cannot run, so
    only ANALYZE does."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")


def _seed_batch(
    numbers, claims_per_article, templates, pages, rng, reviewers, editors, first_seen, report
) -> None:
    now = timezone.now()
    made = []
    for number in numbers:
        title, text, chosen = synthetic_article(templates, number, claims_per_article, rng)
        article = Article(
            title=title[:500],
            text=text,
            content_hash=hashlib.sha256(text.encode()).hexdigest(),
            status=Article.Status.READY,
            outlet=rng.choice(["Example Times", "Daily Sample", "The Fixture"]),
            source_url=f"https://news.example.org/scale/{number}",
            published_on=dt.date(2026, 1, 1) + dt.timedelta(days=number % 330),
        )
        made.append((article, chosen))
    Article.objects.bulk_create([a for a, _ in made], batch_size=BATCH_CLAIMS)

    claims, evidence_of, keys = [], [], []
    for article, chosen in made:
        for key, fields, evidence in chosen:
            status = Claim.EvidenceStatus.ATTACHED if evidence else Claim.EvidenceStatus.NONE_FOUND
            claims.append(Claim(article=article, evidence_status=status, **fields))
            evidence_of.append(evidence)
            keys.append(key)
    Claim.objects.bulk_create(claims, batch_size=BATCH_CLAIMS)

    evidence_rows = []
    for claim, ranked in zip(claims, evidence_of, strict=True):
        for rank, sentence in enumerate(ranked, start=1):
            evidence_rows.append(
                Evidence(
                    claim=claim,
                    page=pages[sentence.page_title],
                    sentence_index=sentence.sentence_index,
                    sentence=sentence.sentence,
                    section=sentence.section[:500],
                    score=sentence.score,
                    rank=rank,
                    method=sentence.method[:100],
                )
            )
    Evidence.objects.bulk_create(evidence_rows, batch_size=BATCH_CLAIMS)
    first_evidence = {}
    for row in evidence_rows:
        first_evidence.setdefault(row.claim_id, row)

    duplicates, reviews = [], []
    for claim, key in zip(claims, keys, strict=True):
        canonical = first_seen.get(key)
        if canonical is not None and rng.random() < DUPLICATE_SHARE:
            claim.canonical_id = canonical
            duplicates.append(claim)
            continue  # a duplicate carries no review of its own
        first_seen.setdefault(key, claim.pk)
        review = _review_for(claim, rng, reviewers, editors, now)
        if review is not None:
            reviews.append(review)
    for review in reviews:  # the claim's copy of its schedule, as review_assign keeps it
        review.claim.review_priority, review.claim.review_due_on = review.priority, review.due_on
    scheduled = [r.claim for r in reviews]
    Claim.objects.bulk_update(duplicates, ["canonical"], batch_size=BATCH_CLAIMS)
    Claim.objects.bulk_update(
        scheduled, ["review_priority", "review_due_on"], batch_size=BATCH_CLAIMS
    )
    Review.objects.bulk_create(reviews, batch_size=BATCH_CLAIMS)

    versions, citations, transitions = [], [], []
    cited = Review.cited_evidence.through
    for review in reviews:
        state = "dismissed" if review.dismissed_reason else review.state
        report.reviews[state] = report.reviews.get(state, 0) + 1
        transitions.extend(_transitions_for(review))
        if review.state == Review.State.ASSIGNED:
            continue
        row = first_evidence.get(review.claim_id)
        if row is not None:
            citations.append(cited(review_id=review.pk, evidence_id=row.pk))
        if review.published:
            versions.extend(_versions_for(review, row, rng))
    cited.objects.bulk_create(citations, batch_size=BATCH_CLAIMS)
    PublishedVersion.objects.bulk_create(versions, batch_size=BATCH_CLAIMS)
    ReviewTransition.objects.bulk_create(transitions, batch_size=BATCH_CLAIMS)

    report.articles += len(made)
    report.claims += len(claims)
    report.evidence += len(evidence_rows)
    report.duplicates += len(duplicates)
    report.published_versions += len(versions)
    report.transitions += len(transitions)


def _review_for(claim, rng, reviewers, editors, now) -> Review | None:
    roll, state = rng.random(), None
    for name, share in STATE_SHARES:
        if roll < share:
            state = name
            break
        roll -= share
    if state is None:
        return None
    reviewer, editor = rng.choice(reviewers), rng.choice(editors)
    days_ago = rng.randint(1, 360)
    assigned_at = now - dt.timedelta(days=days_ago, hours=rng.randint(0, 23))
    review = Review(
        claim=claim,
        assignee=reviewer,
        assigned_by=editor,
        assigned_at=assigned_at,
        due_on=(assigned_at + dt.timedelta(days=rng.randint(1, 21))).date()
        if rng.random() < 0.7
        else None,
        priority=rng.choice(["", "", "", "high", "medium", "low"]),
    )
    if state == "dismissed":
        review.assignee = reviewer if rng.random() < 0.5 else None
        review.dismissed_reason = rng.choice(["not_checkable", "opinion", "out_of_scope"])
        review.dismissed_by = editor
        review.dismissed_at = assigned_at + dt.timedelta(hours=2)
        return review
    if state == "assigned":
        return review
    verdict = rng.choice(Verdict.values)
    review.state = state
    review.verdict = verdict
    review.rationale = RATIONALES[verdict]
    review.reviewer = reviewer
    review.decided_at = assigned_at + dt.timedelta(hours=rng.randint(1, 72))
    if state == "published":
        review.published = True
        review.published_by = editor
        review.published_at = review.decided_at + dt.timedelta(hours=rng.randint(1, 24))
    return review


def _transitions_for(review: Review) -> list[ReviewTransition]:
    """The timeline the desk would have written on the way to the review's state (their
    times are the insert's: `at` is auto_now_add)."""
    editor, reviewer = review.assigned_by, review.assignee or review.assigned_by
    steps = [ReviewTransition(review=review, from_state="", to_state="assigned", actor=editor)]
    if review.state in (Review.State.SUBMITTED, Review.State.RETURNED, Review.State.PUBLISHED):
        steps.append(
            ReviewTransition(
                review=review, from_state="assigned", to_state="submitted", actor=reviewer
            )
        )
    if review.state == Review.State.RETURNED:
        steps.append(
            ReviewTransition(
                review=review,
                from_state="submitted",
                to_state="returned",
                actor=editor,
                comment="Please cite a second source.",
            )
        )
    if review.state == Review.State.PUBLISHED:
        steps.append(
            ReviewTransition(
                review=review, from_state="submitted", to_state="published", actor=editor
            )
        )
    return steps


def _versions_for(review: Review, cited_row, rng) -> list[PublishedVersion]:
    citations = []
    if cited_row is not None:
        citations.append(
            {
                "kind": "evidence",
                "id": cited_row.pk,
                "title": cited_row.page.title,
                "url": cited_row.page.plain_url,
                "quote": cited_row.sentence,
            }
        )
    first = PublishedVersion(
        review=review,
        number=1,
        kind=PublishedVersion.Kind.FIRST,
        verdict=review.verdict,
        rationale=review.rationale,
        citations=citations,
        published_at=review.published_at,
        published_by=review.published_by,
    )
    if rng.random() >= 0.1:
        return [first]
    first.published_at = review.published_at - dt.timedelta(days=1)
    update = PublishedVersion(
        review=review,
        number=2,
        kind=PublishedVersion.Kind.UPDATE,
        verdict=review.verdict,
        rationale=review.rationale,
        citations=citations,
        reason="Reworded the rationale for clarity.",
        published_at=review.published_at,
        published_by=review.published_by,
    )
    return [first, update]
