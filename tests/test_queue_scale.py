"""The desk's list pages at scale (issue 10): query counts do not grow with the desk.

The desk is built by factcheck.scale_fixtures from the real extraction and ranking of the
shipped samples; the pages are bench_queue's own list.
"""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from factcheck.management.commands import bench_queue
from factcheck.models import Claim
from factcheck.scale_fixtures import load_templates, seed_desk
from reviews.models import PublishedVersion, Review, ReviewTransition
from tests.conftest import ensure_desk_groups

pytestmark = pytest.mark.django_db


def counts_by_page() -> dict[str, tuple[int, int]]:
    """(status, queries) of every bench_queue page, one cold request each."""
    from django.contrib.auth import get_user_model

    editor = get_user_model().objects.get(username="scale_editor_01")
    desk, public = bench_queue.desk_client(editor), Client(raise_request_exception=False)
    return {
        page.name: (m.status, m.queries)
        for page in bench_queue.current_pages()
        for m in [bench_queue.measure(public if page.public else desk, page, rounds=1)]
    }


def test_each_page_makes_as_many_queries_at_10000_claims_as_at_1000():
    ensure_desk_groups()
    templates = load_templates()
    seed_desk(articles=20, claims_per_article=50, seed=1, templates=templates)
    assert Claim.objects.count() == 1_000
    small = counts_by_page()
    seed_desk(articles=180, claims_per_article=50, seed=2, templates=templates)
    assert Claim.objects.count() == 10_000
    large = counts_by_page()

    assert small.keys() == large.keys()
    # At 1,000 claims the default queue has fewer than 50 pages, so "page 50" is refused
    # there (the admin's ?e=1 redirect); and its 20 articles are all among the article
    # filter's 30 choices, so choosing the oldest needs no look-up of it there. Both are
    # compared by the bound only.
    bounded_only = {"queue page 50", "queue article__id__exact=oldest article"}
    comparable = [name for name in large if name not in bounded_only]
    changed = {
        name: (small[name], large[name]) for name in comparable if small[name] != large[name]
    }
    assert changed == {}
    errors = {name: status for name, (status, _) in large.items() if status != 200}
    assert errors == {}
    over = {name: large[name] for name in bounded_only if large[name][1] > bench_queue.MAX_QUERIES}
    assert over == {}


def test_the_seeded_desk_has_every_state_and_verbatim_claims():
    ensure_desk_groups()
    report = seed_desk(articles=6, claims_per_article=50, seed=3)
    assert report.claims == Claim.objects.count() == 300
    states = set(Review.objects.values_list("state", flat=True))
    assert states == {s.value for s in Review.State}
    assert Review.objects.exclude(dismissed_reason="").exists()
    assert Claim.objects.filter(review__isnull=True, canonical__isnull=True).exists()
    assert Claim.objects.filter(canonical__isnull=False).exists()
    published = Review.objects.filter(published=True).count()
    assert PublishedVersion.objects.count() >= published > 0
    assert ReviewTransition.objects.filter(to_state="published").count() == published
    assert Claim.objects.filter(evidence__isnull=False).distinct().count() > 0
    for claim in Claim.objects.select_related("article")[:300]:
        assert claim.article.text[claim.start : claim.end] == claim.text


def test_bench_queue_prints_every_page_and_its_verdict_line():
    ensure_desk_groups()
    seed_desk(articles=2, claims_per_article=10, seed=4)
    out = StringIO()
    call_command("bench_queue", rounds=1, stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert re.fullmatch(
        r"queue: worst page \d+ ms at 20 claims \(.+\); queries constant: (yes|no)", lines[-1]
    )
    assert any(line.startswith("queue status=unassigned") for line in lines)
    assert any(line.startswith("verdicts last page") for line in lines)


@pytest.mark.django_db(transaction=True)
def test_a_seeded_desk_is_vacuumed_as_autovacuum_would_leave_it():
    # Outside a transaction (seed_scale), seeding ends with VACUUM (ANALYZE): the claims'
    # pages are then marked all-visible, so bench_queue does not time first reads that write
    # every fresh row's visibility hint.
    from django.db import connection

    assert connection.vendor == "postgresql"
    ensure_desk_groups()
    seed_desk(articles=2, claims_per_article=10, seed=5)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relallvisible FROM pg_class WHERE relname = %s", [Claim._meta.db_table]
        )
        assert cursor.fetchone()[0] > 0
