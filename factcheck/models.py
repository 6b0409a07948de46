"""Articles, the claims extracted from them, and the Wikipedia evidence beside each claim.

Models hold fields, constraints and cheap derived values. Workflows live in services.py.
"""

from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import models
from django.db.models import Case, Q, When
from django.utils import timezone

from factcheck.safe_urls import MAX_URL_LENGTH, public_url_validator


class Article(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        EXTRACTING = "extracting", "Extracting claims"
        GATHERING = "gathering", "Gathering evidence"
        READY = "ready", "Ready for review"
        FAILED = "failed", "Failed"

    source_url = models.URLField(
        max_length=MAX_URL_LENGTH, blank=True, validators=[public_url_validator]
    )
    source_name = models.CharField(
        max_length=500, blank=True, help_text="File name or other origin of the text."
    )
    outlet = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=500)
    byline = models.CharField(max_length=300, blank=True)
    published_on = models.DateField(null=True, blank=True)
    text = models.TextField()
    content_hash = models.CharField(
        max_length=64, unique=True, help_text="SHA-256 of the normalised text."
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    status_changed_at = models.DateTimeField(auto_now_add=True)
    error_message = models.TextField(blank=True)
    # Extraction runs a chunk of paragraphs per task: the text before this offset is done.
    extracted_until = models.PositiveIntegerField(default=0)
    claims_left_out = models.PositiveIntegerField(
        default=0, help_text="Claims found beyond CLAIMS_PER_ARTICLE_MAX, lowest priority first."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The article list's default order, and the newest articles the queue's article
            # filter offers (reviews.selectors.queue_article_choices).
            models.Index(fields=["-created_at", "-id"], name="article_newest_first"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="article_text_not_empty"),
            models.CheckConstraint(
                condition=Q(status="failed") | Q(error_message=""),
                name="article_error_only_when_failed",
            ),
            # The database refuses javascript: and friends whatever path writes the row; the
            # full check (a host, no user name or password) is public_url_validator.
            models.CheckConstraint(
                condition=Q(source_url="")
                | Q(source_url__istartswith="http://")
                | Q(source_url__istartswith="https://"),
                name="article_source_url_is_http",
            ),
        ]

    def __str__(self) -> str:
        return self.title


# The desk's priorities in its order, high first, as Claim.queue_priority_rank holds them.
QUEUE_PRIORITY_RANK = {"high": 0, "medium": 1, "low": 2}


class Claim(models.Model):
    """A check-worthy statement: always a verbatim slice text[start:end] of its article."""

    class Kind(models.TextChoices):
        QUANTITY = "quantity", "Quantity"
        QUOTE = "quote", "Quote"
        ATTRIBUTION = "attribution", "Attribution (reported speech)"
        EVENT = "event", "Event"
        RULE = "rule", "Rules / law"
        PREDICTION = "prediction", "Prediction"
        OPINION = "opinion", "Opinion"

    class Priority(models.TextChoices):
        HIGH = "high", "High"
        MEDIUM = "medium", "Medium"
        LOW = "low", "Low"

    class Label(models.TextChoices):
        NOT_FACTUAL = "not_factual", "Not a factual claim"
        UNIMPORTANT = "unimportant", "Factual but unimportant"
        CHECK_WORTHY = "check_worthy", "Check-worthy"

    class EvidenceStatus(models.TextChoices):
        PENDING = "pending", "Evidence pending"
        GATHERING = "gathering", "Gathering evidence"
        ATTACHED = "attached", "Evidence attached"
        NONE_FOUND = "none_found", "No evidence found"
        UNAVAILABLE = "unavailable", "Evidence unavailable, retry scheduled"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="claims")
    text = models.TextField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    paragraph_start = models.PositiveIntegerField()
    paragraph_end = models.PositiveIntegerField()
    score = models.FloatField(help_text="Check-worthiness probability, 0 to 1.")
    label = models.CharField(max_length=20, choices=Label.choices)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.EVENT)
    # Review priority from the extraction (factcheck.extraction.priority), kept so the desk can
    # show high and medium first; what the machine said, before any reviewer's triage.
    priority = models.CharField(
        max_length=6, choices=Priority.choices, default=Priority.LOW, db_index=True
    )
    reasons = models.JSONField(default=list, blank=True)
    claimant = models.CharField(max_length=300, blank=True)
    claimant_start = models.PositiveIntegerField(null=True, blank=True)
    claimant_end = models.PositiveIntegerField(null=True, blank=True)
    # The fullest name the article gives the claimant ("Putin" -> "Vladimir Putin", "he" ->
    # the person it stands for); empty when the claim is in the article's own voice.
    claimant_name = models.CharField(max_length=300, blank=True)
    cue = models.CharField(max_length=100, blank=True)
    # The attributed words (the quotation, or the clause under the cue), article offsets.
    content_start = models.PositiveIntegerField(null=True, blank=True)
    content_end = models.PositiveIntegerField(null=True, blank=True)
    quantities = models.JSONField(default=list, blank=True)
    entities = models.JSONField(default=list, blank=True)
    evidence_status = models.CharField(
        max_length=20, choices=EvidenceStatus.choices, default=EvidenceStatus.PENDING
    )
    evidence_error = models.TextField(blank=True)
    evidence_attempts = models.PositiveIntegerField(default=0)
    evidence_retry_at = models.DateTimeField(null=True, blank=True)
    evidence_hints = models.JSONField(default=list, blank=True)
    canonical = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
        help_text="The claim this one repeats, if any.",
    )
    # The review's priority and due date, copied here by reviews.services.review_assign (the
    # one place either is set, in the same transaction), so that the queue's default order
    # reads this table alone and one index serves it (claim_queue_order).
    review_priority = models.CharField(max_length=6, choices=Priority.choices, blank=True)
    review_due_on = models.DateField(null=True, blank=True)
    # The desk's priority, the editor's or else the machine's, as the queue sorts and filters
    # it: QUEUE_PRIORITY_RANK.
    queue_priority_rank = models.GeneratedField(
        expression=Case(
            *(
                When(Q(review_priority=value) | Q(review_priority="", priority=value), then=rank)
                for value, rank in QUEUE_PRIORITY_RANK.items()
            ),
            default=len(QUEUE_PRIORITY_RANK),
        ),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["article_id", "start"]
        indexes = [
            # The review queue filters and sorts all claims by these columns (joined to their
            # reviews): read from this narrow index alone, not from rows that also carry the
            # JSON of entities and reasons, ten times the size.
            models.Index(
                fields=["id"],
                include=[
                    "article",
                    "canonical",
                    "kind",
                    "priority",
                    "score",
                    "evidence_status",
                    "queue_priority_rank",
                    "review_due_on",
                ],
                name="claim_queue_columns",
            ),
            # The kind filter, whose rarer kinds are a few rows among 100,000.
            models.Index(fields=["kind"], name="claim_kind"),
            # The queue's evidence-status filter, whose rarer values (pending, gathering,
            # unavailable) are a handful of rows among 100,000; and the sweep's claims whose
            # retry time has come.
            models.Index(fields=["evidence_status", "evidence_retry_at"], name="claim_evidence"),
            # The queue's default orders (reviews.selectors.queue_ordering), so a page is the
            # first rows of an index rather than a sort of every claim in view. Ascending
            # dates are the queue's "nulls last", as PostgreSQL orders an index by default
            # (SQLite does not take NULLS LAST in an index).
            models.Index(
                fields=["queue_priority_rank", "review_due_on", "-score", "id"],
                name="claim_queue_order",
            ),
            models.Index(
                fields=["review_due_on", "queue_priority_rank", "-score", "id"],
                name="claim_queue_order_due",
            ),
            # The queue sorted by its due and priority columns (a click on the header).
            models.Index(fields=["review_due_on", "id"], name="claim_queue_by_due"),
            models.Index(fields=["queue_priority_rank", "id"], name="claim_queue_by_priority"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "start", "end"], name="claim_unique_span_per_article"
            ),
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="claim_span_nonempty"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=1), name="claim_score_is_probability"
            ),
            models.CheckConstraint(
                condition=Q(paragraph_start__lte=models.F("start"))
                & Q(paragraph_end__gte=models.F("end")),
                name="claim_inside_its_paragraph",
            ),
        ]

    def __str__(self) -> str:
        return self.text if len(self.text) <= 80 else self.text[:77] + "..."

    @property
    def paragraph(self) -> str:
        return self.article.text[self.paragraph_start : self.paragraph_end]

    def paragraph_parts(self) -> tuple[str, str, str]:
        """The claim's paragraph as (before, claim, after), for highlighting."""
        text = self.article.text
        return (
            text[self.paragraph_start : self.start],
            text[self.start : self.end],
            text[self.end : self.paragraph_end],
        )


class ReferencePage(models.Model):
    """One revision of one wiki page, as fetched. Live pages have a revision id; pages from the
    offline snapshot have none, so the snapshot date stands in for the revision."""

    wiki = models.CharField(max_length=100, default="en.wikipedia.org")
    title = models.CharField(max_length=500)
    page_id = models.BigIntegerField(null=True, blank=True)
    revision_id = models.BigIntegerField(null=True, blank=True)
    snapshot_date = models.DateField(null=True, blank=True)
    url = models.URLField(max_length=MAX_URL_LENGTH, validators=[public_url_validator])
    description = models.TextField(blank=True)
    sections = models.JSONField(
        default=list, help_text='[{"heading": ..., "text": ...}], lead first with heading "".'
    )
    source = models.CharField(max_length=20, help_text='"live" or "corpus".')
    fetched_at = models.DateTimeField()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(revision_id__isnull=False) | Q(snapshot_date__isnull=False),
                name="page_is_pinned_to_revision_or_snapshot",
            ),
            # Pages come only from Wikipedia and the offline corpus, whose URLs are https.
            models.CheckConstraint(
                condition=Q(url="")
                | Q(url__istartswith="http://")
                | Q(url__istartswith="https://"),
                name="page_url_is_http",
            ),
            models.UniqueConstraint(
                fields=["wiki", "title", "revision_id"],
                condition=Q(revision_id__isnull=False),
                name="page_unique_revision",
            ),
            models.UniqueConstraint(
                fields=["wiki", "title", "snapshot_date"],
                condition=Q(revision_id__isnull=True),
                name="page_unique_snapshot",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.revision_label})"

    @property
    def revision_label(self) -> str:
        if self.revision_id is not None:
            return f"revision {self.revision_id}"
        return f"snapshot of {self.snapshot_date.isoformat()}"

    @property
    def permalink(self) -> str:
        """A link to exactly the text that was fetched, where the wiki can give one."""
        if self.revision_id is None:
            return self.url
        query = urlencode({"title": self.title.replace(" ", "_"), "oldid": self.revision_id})
        return f"https://{self.wiki}/w/index.php?{query}"

    @property
    def plain_url(self) -> str:
        return self.url or f"https://{self.wiki}/wiki/{quote(self.title.replace(' ', '_'))}"


class RankingIndex(models.Model):
    """A stored revision prepared for ranking (evidence.page_index.PageIndex, as bytes): built
    by the first ranking worker that needs it and loaded by every other process, so a page
    is split and tokenised once, not once per worker. Derived data: deleting a row only
    costs a rebuild."""

    page = models.OneToOneField(
        ReferencePage, primary_key=True, on_delete=models.CASCADE, related_name="ranking_index"
    )
    format = models.PositiveSmallIntegerField(help_text="page_index.INDEX_FORMAT it was built by")
    data = models.BinaryField()
    built_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"ranking index of page {self.page_id}"


class Evidence(models.Model):
    """A sentence of a pinned page ranked against a claim (FEVER style: page, revision, index)."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="evidence")
    page = models.ForeignKey(ReferencePage, on_delete=models.PROTECT, related_name="evidence")
    sentence_index = models.PositiveIntegerField()
    sentence = models.TextField()
    section = models.CharField(max_length=500, blank=True)
    score = models.FloatField()
    rank = models.PositiveSmallIntegerField()
    method = models.CharField(max_length=100, blank=True)
    # Who attached it from a search on the claim page; empty for the machine's evidence.
    # Re-ranking never drops what a person attached.
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    search_query = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["claim_id", "rank"]
        verbose_name_plural = "evidence"
        constraints = [
            models.UniqueConstraint(
                fields=["claim", "page", "sentence_index"], name="evidence_unique_sentence"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.page.title} #{self.sentence_index}"


class TitleLookup(models.Model):
    """What a requested title resolved to (after redirects), or that it has no page.

    Remembering misses and redirects is what lets a warm run make no Wikipedia requests.
    """

    wiki = models.CharField(max_length=100, default="en.wikipedia.org")
    requested_title = models.CharField(max_length=500)
    page = models.ForeignKey(
        ReferencePage, null=True, blank=True, on_delete=models.CASCADE, related_name="lookups"
    )
    looked_up_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["wiki", "requested_title"], name="title_lookup_unique_title"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requested_title} -> {self.page.title if self.page else 'missing'}"


class SearchLookup(models.Model):
    """The titles a search returned, kept for reuse like the pages themselves."""

    wiki = models.CharField(max_length=100, default="en.wikipedia.org")
    query = models.CharField(max_length=500)
    titles = models.JSONField(default=list)
    searched_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["wiki", "query"], name="search_lookup_unique_query"),
        ]

    def __str__(self) -> str:
        return self.query


class DuplicateSuggestion(models.Model):
    """A claim that may repeat another article's claim, waiting for a reviewer to decide."""

    class Status(models.TextChoices):
        SUGGESTED = "suggested", "Suggested"
        CONFIRMED = "confirmed", "Confirmed"
        REJECTED = "rejected", "Rejected"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="duplicate_suggestions")
    candidate = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="+")
    similarity = models.FloatField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUGGESTED)
    decided_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-similarity"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "candidate"], name="duplicate_pair_unique"),
            models.CheckConstraint(
                condition=~Q(claim=models.F("candidate")), name="duplicate_not_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"claim {self.claim_id} ~ claim {self.candidate_id} ({self.similarity:.2f})"


class WorkerHeartbeat(models.Model):
    """The last sign of life of each Celery worker (factcheck.celery writes it every
    HEARTBEAT_INTERVAL_SECONDS). The desk warns when none is recent: queued work would wait."""

    hostname = models.CharField(max_length=255, unique=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.hostname} at {self.seen_at:%H:%M:%S}"


# --- Feeds ----------------------------------------------------------------------------------


class Feed(models.Model):
    """An RSS or Atom feed the desk watches. Editors add feeds in the admin; the periodic
    poll (services.feed_poll) ingests each new entry's page as an article."""

    url = models.URLField(max_length=MAX_URL_LENGTH, unique=True, validators=[public_url_validator])
    title = models.CharField(
        max_length=300, blank=True, help_text="Filled from the feed itself when left empty."
    )
    active = models.BooleanField(default=True, help_text="Only active feeds are polled.")
    # The validators of the last version read in full, sent back for a conditional GET.
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    # When the feed is next due. A poller claims a feed by moving this past the length of its
    # task (a conditional UPDATE), so two workers never poll one feed at once.
    next_poll_at = models.DateTimeField(default=timezone.now, db_index=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "url"]
        constraints = [
            models.CheckConstraint(
                condition=Q(url__istartswith="http://") | Q(url__istartswith="https://"),
                name="feed_url_is_http",
            ),
            # A failure always says why, and a success clears it.
            models.CheckConstraint(
                condition=Q(consecutive_failures=0, last_error="")
                | (Q(consecutive_failures__gt=0) & ~Q(last_error="")),
                name="feed_error_only_while_failing",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.url


class FeedEntry(models.Model):
    """An entry of a feed that has been dealt with: ingested (its article) or given up on
    (the reason). Unique per feed and entry key, so an entry is ingested once even if its
    page's text changes later. An entry whose page could not be fetched for a passing reason
    (a timeout, a 503) has no row yet: the next poll tries it again."""

    class Status(models.TextChoices):
        INGESTED = "ingested", "Ingested"
        FAILED = "failed", "Not ingested"

    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="entries")
    entry_key = models.CharField(max_length=500, help_text="The entry's id, else its link.")
    link = models.URLField(max_length=MAX_URL_LENGTH, blank=True)
    title = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices)
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="feed_entries"
    )
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "feed entries"
        constraints = [
            models.UniqueConstraint(fields=["feed", "entry_key"], name="feed_entry_unique_key"),
            models.CheckConstraint(
                condition=Q(status="failed") | Q(error=""), name="feed_entry_error_only_failed"
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.entry_key
