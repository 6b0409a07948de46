"""manage.py bench_queue: time the desk's and the public's list pages at the database's size.

Each page is fetched --rounds times through the whole Django stack (django.test.Client, over
https so the SSL redirect does not answer instead): desk pages as a scale editor
(seed_scale's scale_editor_01), public pages anonymously. The cache is cleared before every
request, so cached pages are measured cold. A page that errors is a row marked ERROR, not a crash.

"queries constant" is judged at one size only, so it is a bound, not a comparison: yes when
every page answered 200 and made at most MAX_QUERIES queries. A page whose query count grows
with its rows (an N+1 over a 50-row page) passes that bound. tests/test_queue_scale.py makes
the real comparison, the same pages' counts at 1,000 and 10,000 claims.
"""

import logging
import math
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from factcheck.models import Claim
from factcheck.paginators import BoundedCountPaginator
from reviews import selectors
from reviews.models import QueueClaim, Review

MAX_QUERIES = 20
SEARCH_WORD = "said"


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    public: bool = False


@dataclass
class Measure:
    page: Page
    status: int
    median_ms: float
    queries: int


def sortable_columns() -> list[tuple[int, str]]:
    """The queue's sortable columns as (1-based index for ?o=, name)."""
    model_admin = admin.site._registry[QueueClaim]
    found = []
    for index, name in enumerate(model_admin.list_display, start=1):
        attr = getattr(model_admin, name, None)
        if getattr(attr, "admin_order_field", None):
            found.append((index, name))
    return found


def filter_pages(queue: str, *, reviewer_id: int | None, article_ids: Sequence[int]) -> list[Page]:
    """The queue under each of its other filters, one page per choice: assignee (me, and a
    reviewer), priority, due date, article (the newest and the oldest with claims), claim kind,
    evidence status, and decided-by (a reviewer)."""
    choices: list[tuple[str, str]] = [("assignee", "me")]
    if reviewer_id is not None:
        choices.append(("assignee", str(reviewer_id)))
    choices += [("priority", p) for p in Claim.Priority.values]
    choices += [("due", d) for d in ("overdue", "week", "none")]
    choices += [("article__id__exact", str(pk)) for pk in article_ids]
    choices += [("kind", k) for k in ("all", *Claim.Kind.values)]
    choices += [("evidence_status__exact", e) for e in Claim.EvidenceStatus.values]
    if reviewer_id is not None:
        choices.append(("decided_by", str(reviewer_id)))
    named = {str(reviewer_id): "a reviewer"}
    named.update(zip(map(str, article_ids), ("newest article", "oldest article"), strict=False))
    return [
        Page(f"queue {name}={named.get(value, value)}", f"{queue}?{name}={value}")
        for name, value in choices
    ]


def queue_pages(
    *,
    last_queue_page: int,
    last_verdicts_page: int,
    verdict_id: int | None,
    reviewer_id: int | None = None,
    article_ids: Sequence[int] = (),
):
    """Every page bench_queue times, in order. The last pages are given (they depend on the
    database's size); verdict_id is a published verdict, if there is one; reviewer_id and
    article_ids pick the filter pages' person and articles (filter_pages)."""
    queue = reverse("admin:reviews_queueclaim_changelist")
    pages = [Page("queue", queue)]
    for status in selectors.QUEUE_STATUSES:
        if status != "needs_action":
            pages.append(Page(f"queue status={status}", f"{queue}?review_status={status}"))
    pages += filter_pages(queue, reviewer_id=reviewer_id, article_ids=article_ids)
    for index, name in sortable_columns():
        pages.append(Page(f"queue sort {name} asc", f"{queue}?o={index}"))
        pages.append(Page(f"queue sort {name} desc", f"{queue}?o=-{index}"))
    pages += [
        Page("queue search", f"{queue}?q={SEARCH_WORD}"),
        Page("queue page 50", f"{queue}?p=50"),  # the admin's pages count from 1
        Page("queue last page", f"{queue}?p={last_queue_page}"),
        Page("queue facets", f"{queue}?_facets=True"),
        Page("article admin list", reverse("admin:factcheck_article_changelist")),
        Page("workload", reverse("admin:reviews_queueclaim_workload")),
        Page("home", reverse("home"), public=True),
        Page("verdicts first page", reverse("verdict_list"), public=True),
        Page(
            "verdicts last page",
            f"{reverse('verdict_list')}?page={last_verdicts_page}",
            public=True,
        ),
    ]
    if verdict_id is not None:
        pages.append(Page("verdict page", reverse("verdict_detail", args=[verdict_id]), True))
    return pages


def current_pages() -> list[Page]:
    """queue_pages for the database as it is now."""
    from factcheck.views import VERDICTS_PER_PAGE

    model_admin = admin.site._registry[QueueClaim]
    # The default view's rows: the queue's own filters with their default values.
    default_rows = selectors.queue_claims_by_review_status(
        selectors.queue_claims(include_opinions=True), "needs_action"
    ).exclude(kind=Claim.Kind.OPINION)
    # The queue counts up to a bound (factcheck/paginators.py), so its last page is the last
    # one its pages reach, as its own paginator says.
    paginator = BoundedCountPaginator(default_rows, model_admin.list_per_page, rows=default_rows)
    last_queue = paginator.num_pages
    published = Review.objects.filter(published=True)
    last_verdicts = max(1, math.ceil(published.count() / VERDICTS_PER_PAGE))
    verdict = published.order_by("pk").values_list("pk", flat=True).first()
    # The reviewer holding the most claims, and the newest and oldest articles with claims.
    reviewer = (
        Review.objects.filter(assignee__isnull=False)
        .values("assignee")
        .annotate(held=Count("pk"))
        .order_by("-held", "assignee")
        .values_list("assignee", flat=True)
        .first()
    )
    with_claims = Claim.objects.order_by("article_id").values_list("article_id", flat=True)
    newest, oldest = with_claims.reverse().first(), with_claims.first()
    return queue_pages(
        last_queue_page=last_queue,
        last_verdicts_page=last_verdicts,
        verdict_id=verdict,
        reviewer_id=reviewer,
        article_ids=[pk for pk in (newest, oldest) if pk is not None],
    )


def measure(client: Client, page: Page, rounds: int) -> Measure:
    times, status, queries = [], 0, 0
    for _ in range(rounds):
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            try:
                response = client.get(page.url, secure=True)
                status = response.status_code
            except Exception:  # noqa: BLE001 - a broken page is a row of the report
                status = 500
            times.append((time.perf_counter() - started) * 1000)
        queries = len(captured)
    return Measure(page, status, statistics.median(times), queries)


def desk_client(editor) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(editor)
    return client


class Command(BaseCommand):
    help = "Time every desk and public list page (median ms, query count) at the current size."

    def add_arguments(self, parser):
        parser.add_argument("--rounds", type=int, default=5)
        parser.add_argument("--editor", default="scale_editor_01")

    def handle(self, *args, rounds: int, editor: str, **options):
        user = get_user_model().objects.filter(username=editor).first()
        if user is None:
            raise CommandError(f"No user {editor!r}: run manage.py seed_scale first.")
        desk, public = desk_client(user), Client(raise_request_exception=False)
        claims = Claim.objects.count()
        # A failing page is reported as a row below; its traceback on stderr would bury the
        # table (rerun the page in ./dev serve to see it).
        request_log = logging.getLogger("django.request")
        saved_level = request_log.level
        request_log.setLevel(logging.CRITICAL)
        try:
            measures = [
                measure(public if page.public else desk, page, rounds) for page in current_pages()
            ]
        finally:
            request_log.setLevel(saved_level)
        self.stdout.write(f"{'page':<40} {'status':>6} {'median ms':>10} {'queries':>8}")
        for m in measures:
            flag = "" if m.status == 200 else "  ERROR"
            self.stdout.write(
                f"{m.page.name:<40} {m.status:>6} {m.median_ms:>10.1f} {m.queries:>8}{flag}"
            )
        worst = max(measures, key=lambda m: m.median_ms)
        constant = all(m.status == 200 and m.queries <= MAX_QUERIES for m in measures)
        self.stdout.write(
            f"queue: worst page {worst.median_ms:.0f} ms at {claims} claims ({worst.page.name}); "
            f"queries constant: {'yes' if constant else 'no'}"
        )
