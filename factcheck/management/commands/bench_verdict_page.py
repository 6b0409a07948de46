"""How fast the public verdict page is served, against a trivial Django view in the same run.

    manage.py bench_verdict_page [--requests 600] [--citations 10] [--review ID]

Both go through the same Django test Client, the same middleware and the same database, so
the ratio (verdict page requests per second / trivial view requests per second) says what
the page itself costs; the goal is at least 0.5 with the cache warm. It also prints the
page's query count, cold (rendered) and warm (from the cache), and the rate when every
request renders the page (the cache emptied before each: it empties the whole cache).

Without --review it publishes a throwaway verdict with --citations citations (half Wikipedia
evidence, half reviewers' sources) inside a transaction that is rolled back at the end:
nothing is left in the database. SQLite holds its write lock for the run.
"""

import statistics
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import include, path
from django.utils import timezone
from django.utils.crypto import get_random_string

from factcheck.ingestion import content_hash
from factcheck.models import Article, Claim, Evidence, ReferencePage
from reviews import roles, services
from reviews.models import Review

GOAL = 0.5
# Requests alternate between the two views in this many rounds, so a slow patch of the
# machine (the other core busy) falls on both alike.
ROUNDS = 10
TRIVIAL_PATH = "/bench/trivial/"


def trivial_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


# The site's own URLs plus the trivial view; used as ROOT_URLCONF for the run only.
urlpatterns = [
    path(TRIVIAL_PATH.strip("/") + "/", trivial_view),
    path("", include("factcheck.urls")),
]


class Command(BaseCommand):
    help = "Requests per second of the cached verdict page relative to a trivial Django view."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=600, help="Requests to each view.")
        parser.add_argument(
            "--citations", type=int, default=10, help="Citations of the throwaway verdict."
        )
        parser.add_argument(
            "--review", type=int, help="Measure this published verdict instead (writes nothing)."
        )

    def handle(self, *args, requests: int, citations: int, review: int | None, **options):
        if requests < ROUNDS:
            raise CommandError(f"--requests must be at least {ROUNDS}.")
        if review is not None:
            if not Review.objects.filter(pk=review, state=Review.State.PUBLISHED).exists():
                raise CommandError(f"No published verdict {review}.")
            self._bench(review, requests)
            return
        if citations < 1:
            raise CommandError("--citations must be at least 1: a verdict cites something.")
        with transaction.atomic():
            self._bench(_throwaway_verdict(citations).pk, requests)
            transaction.set_rollback(True)

    def _bench(self, review_id: int, requests: int) -> None:
        verdict_path = f"/verdicts/{review_id}/"
        client = Client(raise_request_exception=True)
        with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"]):
            cold = _queries(client, verdict_path)
            warm = _queries(client, verdict_path)
            cold_rate = _cold_rate(client, verdict_path, max(requests // 10, 1))
            per_round = requests // ROUNDS
            trivial_rates, verdict_rates = [], []
            for _ in range(ROUNDS):
                trivial_rates.append(per_round / _time(client, TRIVIAL_PATH, per_round))
                verdict_rates.append(per_round / _time(client, verdict_path, per_round))
        done = per_round * ROUNDS
        # Each round's ratio compares two batches run back to back; the median round is the
        # figure, so a burst of other work on the machine during one round does not decide it.
        ratio = statistics.median(v / t for v, t in zip(verdict_rates, trivial_rates, strict=True))
        trivial_rate = statistics.median(trivial_rates)
        verdict_rate = statistics.median(verdict_rates)
        review = Review.objects.get(pk=review_id)
        n_citations = review.cited_evidence.count() + review.cited_sources.count()
        self.stdout.write(
            f"verdict {review_id} ({n_citations} citations) on {connection.vendor}, "
            f"{done} requests each"
        )
        self.stdout.write(f"trivial view:         {trivial_rate:8.0f} requests/s")
        self.stdout.write(f"verdict page (warm):  {verdict_rate:8.0f} requests/s")
        self.stdout.write(f"verdict page (cold):  {cold_rate:8.0f} requests/s (rendered each time)")
        verdict = "met" if ratio >= GOAL else "NOT met"
        self.stdout.write(f"ratio: {ratio:.2f} (goal at least {GOAL}: {verdict})")
        self.stdout.write(
            f"queries for the verdict page with {n_citations} citations: "
            f"{cold} rendered (cold cache), {warm} from the cache"
        )


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        _get(client, url)
    return len(queries)


def _cold_rate(client: Client, url: str, n: int) -> float:
    spent = 0.0
    for _ in range(n):
        cache.clear()
        spent += _time(client, url, 1)
    return n / spent


def _time(client: Client, url: str, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        _get(client, url)
    return time.perf_counter() - start


def _get(client: Client, url: str) -> None:
    # secure: a production configuration redirects plain HTTP, which would measure the redirect.
    response = client.get(url, secure=True)
    if response.status_code != 200:
        raise CommandError(f"GET {url} answered {response.status_code}, not 200.")


def _throwaway_verdict(citations: int) -> Review:
    """A verdict published the desk's way (assign, sources, submit, publish by another
    person), citing `citations` things, with its claim repeated in a second article. The
    caller rolls it back."""
    User = get_user_model()
    suffix = get_random_string(8).lower()
    reviewer = User.objects.create_user(f"bench-reviewer-{suffix}", is_staff=True)
    reviewer.groups.add(Group.objects.get(name=roles.REVIEWER_GROUP))
    editor = User.objects.create_user(f"bench-editor-{suffix}", is_staff=True)
    editor.groups.add(Group.objects.get(name=roles.EDITOR_GROUP))

    sentence = "1,200 people were evacuated from the city."
    text = (
        f"Officials met in Geneva on Monday ({suffix}).\n\n"
        f"The health minister said that {sentence} Talks continue."
    )
    article = Article.objects.create(
        title=f"Benchmark article {suffix}",
        outlet="Benchmark Times",
        byline="A. Writer",
        published_on=timezone.localdate(),
        source_url="https://news.example.org/benchmark",
        text=text,
        content_hash=content_hash(text),
        status=Article.Status.READY,
    )
    start = text.index(sentence)
    paragraph_start = text.index("The health minister")
    claim = Claim.objects.create(
        article=article,
        text=sentence,
        start=start,
        end=start + len(sentence),
        paragraph_start=paragraph_start,
        paragraph_end=len(text),
        score=0.9,
        label=Claim.Label.CHECK_WORTHY,
        priority=Claim.Priority.HIGH,
        kind=Claim.Kind.QUANTITY,
        claimant="The health minister",
        claimant_start=paragraph_start,
        claimant_end=paragraph_start + len("The health minister"),
        cue="said",
        evidence_status=Claim.EvidenceStatus.ATTACHED,
    )
    n_evidence = (citations + 1) // 2
    evidence_ids = []
    for rank in range(1, n_evidence + 1):
        page = ReferencePage.objects.create(
            title=f"Benchmark page {suffix} {rank}",
            revision_id=10_000_000 + rank,
            url=f"https://en.wikipedia.org/wiki/Benchmark_page_{rank}",
            sections=[{"heading": "", "text": "About 1,200 people left the city."}],
            source="live",
            fetched_at=timezone.now(),
        )
        evidence = Evidence.objects.create(
            claim=claim,
            page=page,
            sentence_index=0,
            sentence=f"About 1,200 people left the city (page {rank}).",
            score=1.0 / rank,
            rank=rank,
        )
        evidence_ids.append(evidence.pk)
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    source_ids = [
        services.source_add(
            claim=claim,
            user=reviewer,
            url=f"https://www.example.gov/benchmark-report-{i}",
            title=f"Evacuation report {i}",
            publisher="Civil Protection Agency",
            quote=f"We moved 1,200 residents (table {i}).",
        ).pk
        for i in range(citations - n_evidence)
    ]
    review = services.review_submit(
        claim=claim,
        reviewer=reviewer,
        verdict="supported",
        rationale="The agency's report gives the same figure.",
        evidence_ids=evidence_ids,
        source_ids=source_ids,
    )
    review = services.review_publish(review=review, editor=editor)
    # The same claim in a second article, as the page lists it ("The same claim elsewhere").
    elsewhere_text = f"Reports from Geneva ({suffix}) say {sentence}"
    elsewhere = Article.objects.create(
        title=f"Benchmark article {suffix}, elsewhere",
        text=elsewhere_text,
        content_hash=content_hash(elsewhere_text),
        status=Article.Status.READY,
    )
    at = elsewhere_text.index(sentence)
    Claim.objects.create(
        article=elsewhere,
        text=sentence,
        start=at,
        end=at + len(sentence),
        paragraph_start=0,
        paragraph_end=len(elsewhere_text),
        score=0.9,
        label=Claim.Label.CHECK_WORTHY,
        canonical=claim,
    )
    return review
