"""The verdict page is rendered in a fixed number of queries, cached until the verdict changes,
and never cached for the desk; manage.py bench_verdict_page measures it."""

import re
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from factcheck import services as factcheck_services
from factcheck.models import DuplicateSuggestion
from reviews import services
from reviews.models import Review, Verdict
from tests.factories import (
    make_article,
    make_claim,
    make_claim_with_evidence,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache(settings):
    settings.FACTCHECK_PUBLIC_BASE_URL = "https://checks.example.org"
    cache.clear()
    yield
    cache.clear()


def confirm_repeat(claim, *, of, editor) -> None:
    """The desk confirms a suggested duplicate, as factcheck.services.duplicate_decide does."""
    suggestion = DuplicateSuggestion.objects.create(claim=claim, candidate=of, similarity=0.9)
    factcheck_services.duplicate_decide(suggestion_id=suggestion.pk, confirm=True, actor=editor)


def publish_citing(claim, reviewer, editor, *, n_sources: int = 0) -> Review:
    """Publish a verdict citing every evidence sentence of the claim and n_sources sources."""
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    sources = [
        services.source_add(
            claim=claim,
            user=reviewer,
            url=f"https://www.example.gov/report-{i}",
            title=f"Evacuation report {i}",
            quote=f"We moved 800 residents (table {i}).",
        )
        for i in range(n_sources)
    ]
    review = services.review_submit(
        claim=claim,
        reviewer=reviewer,
        verdict=Verdict.UNSUPPORTED,
        rationale="No source says so.",
        evidence_ids=list(claim.evidence.values_list("pk", flat=True)),
        source_ids=[s.pk for s in sources],
    )
    return services.review_publish(review=review, editor=editor)


def get_counting_queries(client, url: str, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    return response, [q["sql"] for q in queries.captured_queries]


def test_the_page_runs_the_same_queries_for_ten_citations_as_for_one(client, reviewer, editor):
    one = publish_citing(make_claim_with_evidence(n_evidence=1), reviewer, editor)
    ten = publish_citing(make_claim_with_evidence(n_evidence=6), reviewer, editor, n_sources=4)
    make_claim(article=make_article(), canonical=ten.claim)  # a duplicate, shown on the page

    _, one_queries = get_counting_queries(client, one.get_absolute_url())
    response, ten_queries = get_counting_queries(client, ten.get_absolute_url())
    assert response.content.decode().count("Evacuation report") == 4
    assert response.content.decode().count("(sentence") == 6
    # 1 the page's stamp (cached afterwards); 2 the review with claim, article and claimant
    # correction;
    # 3 cited evidence with pages; 4 cited sources; 5 versions; 6 duplicates with articles;
    # 7 and 8 the duplicates' reviews and claimant corrections (the one-citation claim has no
    # duplicates, so its page skips those two).
    assert len(ten_queries) == 8, ten_queries
    assert len(one_queries) == 6, one_queries
    repeat = make_claim(article=make_article())
    confirm_repeat(repeat, of=one.claim, editor=editor)
    _, one_queries = get_counting_queries(client, one.get_absolute_url())
    assert len(one_queries) == len(ten_queries)


def test_a_second_request_is_served_from_the_cache_without_a_query(client, reviewer, editor):
    review = publish_citing(make_claim_with_evidence(n_evidence=3), reviewer, editor)
    first, rendered = get_counting_queries(client, review.get_absolute_url())
    second, cached = get_counting_queries(client, review.get_absolute_url())
    assert len(rendered) > 2
    assert cached == []  # the stamp and the page both come from the cache
    assert second.status_code == 200
    assert second.content == first.content


def test_a_correction_busts_the_cached_page(client, reviewer, editor):
    review = publish_citing(make_claim_with_evidence(n_evidence=2), reviewer, editor)
    assert "Our verdict: unsupported" in client.get(review.get_absolute_url()).content.decode()
    services.review_correct(
        review=review,
        editor=editor,
        reason="The agency's report gives the figure.",
        verdict=Verdict.SUPPORTED,
        rationale="The agency confirms 1,200 people were moved.",
    )
    response, queries = get_counting_queries(client, review.get_absolute_url())
    body = response.content.decode()
    assert len(queries) > 2  # rendered afresh
    assert "Our verdict: supported" in body
    assert "The agency&#x27;s report gives the figure." in body


def test_a_verdict_taken_down_is_gone_even_when_its_page_was_cached(client, reviewer, editor):
    review = publish_citing(make_claim_with_evidence(), reviewer, editor)
    assert client.get(review.get_absolute_url()).status_code == 200
    services.review_unpublish(review=review, editor=editor, reason="The figure was misread.")
    assert client.get(review.get_absolute_url()).status_code == 404


def test_a_claim_found_to_repeat_this_one_shows_up_on_the_cached_page(client, reviewer, editor):
    review = publish_citing(make_claim_with_evidence(), reviewer, editor)
    assert "The same claim elsewhere" not in client.get(review.get_absolute_url()).content.decode()
    elsewhere = make_article(title="The same story, pasted", source_url="")
    confirm_repeat(make_claim(article=elsewhere), of=review.claim, editor=editor)
    assert "The same story, pasted" in client.get(review.get_absolute_url()).content.decode()


def test_the_cached_page_follows_the_origin_it_is_asked_on(client, settings, reviewer, editor):
    settings.FACTCHECK_PUBLIC_BASE_URL = ""
    settings.ALLOWED_HOSTS = ["one.example", "two.example"]
    review = publish_citing(make_claim_with_evidence(), reviewer, editor)
    url = review.get_absolute_url()
    one = client.get(url, HTTP_HOST="one.example").content.decode()
    two = client.get(url, HTTP_HOST="two.example").content.decode()
    assert f'"http://one.example{url}"' in one
    assert f'"http://two.example{url}"' in two and "one.example" not in two


def test_the_public_page_may_be_cached_briefly_and_revalidated(client, reviewer, editor):
    review = publish_citing(make_claim_with_evidence(), reviewer, editor)
    response = client.get(review.get_absolute_url())
    assert response["Cache-Control"] == "public, max-age=60"
    etag = response["ETag"]
    again, queries = get_counting_queries(
        client, review.get_absolute_url(), HTTP_IF_NONE_MATCH=etag
    )
    assert again.status_code == 304 and queries == []
    services.review_correct(
        review=review, editor=editor, reason="Reworded.", rationale="Reworded rationale."
    )
    changed = client.get(review.get_absolute_url(), HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_the_desk_always_gets_a_fresh_page_that_nobody_stores(client, reviewer, editor):
    review = publish_citing(make_claim_with_evidence(), reviewer, editor)
    client.force_login(reviewer)
    desk_page = client.get(review.get_absolute_url())
    assert desk_page.status_code == 200
    assert desk_page["Cache-Control"] == "private, no-store"
    assert "ETag" not in desk_page
    client.logout()
    # The desk's visit stored nothing: the public's first request renders the page.
    _, queries = get_counting_queries(client, review.get_absolute_url())
    assert len(queries) > 2


def test_a_preview_is_never_served_from_or_put_in_the_cache(client, reviewer, editor):
    claim = make_claim_with_evidence()
    review = services.review_submit(
        claim=claim,
        reviewer=reviewer,
        verdict=Verdict.SUPPORTED,
        rationale="Yes.",
        evidence_ids=[claim.evidence.first().pk],
    )
    client.force_login(reviewer)
    assert "Preview" in client.get(review.get_absolute_url()).content.decode()
    client.logout()
    assert client.get(review.get_absolute_url()).status_code == 404
    services.review_publish(review=review, editor=editor)
    body = client.get(review.get_absolute_url()).content.decode()
    assert "Preview" not in body and "application/ld+json" in body


def test_the_benchmark_prints_the_ratio_and_the_query_counts_and_leaves_nothing(db):
    out = StringIO()
    call_command("bench_verdict_page", "--requests", "20", stdout=out)
    printed = out.getvalue()
    assert re.search(r"^ratio: \d+\.\d\d \(goal at least 0\.5: (met|NOT met)\)$", printed, re.M)
    counts = re.search(
        r"queries for the verdict page with 10 citations: (\d+) rendered \(cold cache\), "
        r"(\d+) from the cache",
        printed,
    )
    assert counts, printed
    assert int(counts[2]) == 0 and int(counts[1]) > 0
    assert not Review.objects.exists()  # the throwaway verdict was rolled back
