"""factcheck.paginators on the queue and the public verdict list (issue 10): a page's rows
picked by id are the rows Django's own paginator gives, and the queue's count stops at a
bound, says so, and its pages stop there."""

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from factcheck import views
from factcheck.paginators import BoundedCountPaginator, PageByIdPaginator
from reviews import selectors
from reviews.admin import QueueClaimAdmin
from tests.factories import make_claim, make_claim_with_evidence, make_published_review

pytestmark = pytest.mark.django_db

QUEUE = "/admin/reviews/queueclaim/"


def listed(response) -> list[int]:
    return [obj.pk for obj in response.context["cl"].result_list]


def make_queue(n: int) -> list:
    """n claims the default view lists, in its order (high first, then the likelier)."""
    claims = [
        make_claim(priority=["high", "medium"][i % 2], score=round(0.5 + i / 100, 2))
        for i in range(n)
    ]
    return sorted(claims, key=lambda c: (c.priority != "high", -c.score, c.pk))


def test_pages_picked_by_id_hold_the_rows_of_djangos_pages_in_the_same_order():
    make_queue(7)
    for claim in make_queue(4)[:2]:
        make_claim(canonical=claim)  # duplicates, which the view leaves out
    queue = selectors.queue_claims_by_review_status(selectors.queue_claims(), "all").order_by(
        *selectors.queue_ordering(None)
    )

    by_id, by_offset = PageByIdPaginator(queue, 3), Paginator(queue, 3)

    assert by_id.num_pages == by_offset.num_pages == 5
    for number in by_id.page_range:
        assert [c.pk for c in by_id.page(number)] == [c.pk for c in by_offset.page(number)]


def test_the_queue_counts_up_to_its_bound_and_says_there_are_more(as_editor, monkeypatch):
    monkeypatch.setattr(BoundedCountPaginator, "count_limit", 4)
    monkeypatch.setattr(QueueClaimAdmin, "list_per_page", 2)
    in_order = make_queue(7)

    first = as_editor.get(QUEUE)
    body = first.content.decode()

    assert first.context["cl"].result_count == 4
    assert first.context["cl"].paginator.num_pages == 2
    assert "More than 4 claims in queue" in body
    assert "Select all (more than 4) claims in queue" in body
    assert listed(first) == [c.pk for c in in_order[:2]]
    # The last page is the last one counted; the rest are first in the opposite order.
    assert listed(as_editor.get(QUEUE, {"p": 2})) == [c.pk for c in in_order[2:4]]
    beyond = as_editor.get(QUEUE, {"p": 3})
    assert beyond.status_code == 302 and "?e=1" in beyond["Location"]


def test_a_queue_within_the_bound_is_counted_exactly(as_editor, monkeypatch):
    monkeypatch.setattr(BoundedCountPaginator, "count_limit", 4)
    monkeypatch.setattr(QueueClaimAdmin, "list_per_page", 2)
    make_queue(3)

    response = as_editor.get(QUEUE)

    assert response.context["cl"].result_count == 3
    assert not response.context["cl"].paginator.more_than_count
    assert "3 claims in queue" in response.content.decode()
    assert "More than" not in response.content.decode()


def test_the_last_page_of_verdicts_costs_the_queries_of_the_first(
    client, reviewer, editor, monkeypatch
):
    monkeypatch.setattr(views, "VERDICTS_PER_PAGE", 2)
    claims = [make_claim_with_evidence() for _ in range(5)]
    reviews = [make_published_review(claim=c, reviewer=reviewer, editor=editor) for c in claims]

    def shown(page: int) -> tuple[list[int], int]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/verdicts/", {"page": page})
        return [review.pk for review, _ in response.context["items"]], len(ctx)

    newest_first = [r.pk for r in sorted(reviews, key=lambda r: (r.published_at, r.pk))][::-1]
    first, first_queries = shown(1)
    last, last_queries = shown(3)
    assert first == newest_first[:2]
    assert last == newest_first[4:]
    assert first_queries == last_queries
