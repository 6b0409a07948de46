"""reviews.queue_filters at scale (issue 10): the article filter offers a bounded list, the
unassigned filter's NOT EXISTS keeps exactly the claims nobody holds, and facet counts
(?_facets=True) are right, come from one query, and are left out for a list too long to
count."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from factcheck.models import Claim
from factcheck.paginators import BoundedCountPaginator
from reviews import services
from reviews.queue_filters import ArticleFilter
from tests.factories import (
    make_article,
    make_claim,
    make_claim_with_evidence,
    make_published_review,
)

pytestmark = pytest.mark.django_db

QUEUE = "/admin/reviews/queueclaim/"


def listed(response) -> list[int]:
    return [obj.pk for obj in response.context["cl"].result_list]


def filter_spec(response, title: str):
    return next(spec for spec in response.context["cl"].filter_specs if spec.title == title)


def sidebar_counts(response) -> dict[tuple[str, str], str]:
    """{(filter title, choice): "(n)"} as the sidebar shows them."""
    shown = {}
    for spec in response.context["cl"].filter_specs:
        for choice in spec.choices(response.context["cl"]):
            found = re.fullmatch(r"(.*) \((\d+|-)\)", str(choice["display"]))
            if found:
                shown[(spec.title, found[1])] = found[2]
    return shown


def articles_with_a_claim(n: int) -> list:
    """n articles, each with one claim, oldest first."""
    return [make_claim(article=make_article(title=f"Story {i}")).article for i in range(n)]


# --- The article filter ----------------------------------------------------------------------


def test_the_article_filter_offers_the_newest_articles_when_there_are_many(as_editor, monkeypatch):
    monkeypatch.setattr(ArticleFilter, "ARTICLE_CHOICES", 3)
    articles_with_a_claim(5)

    response = as_editor.get(QUEUE)

    titles = [title for _, title in filter_spec(response, "article").lookup_choices]
    assert titles == ["Story 2", "Story 3", "Story 4"]
    assert "The newest 3 articles." in response.content.decode()


def test_an_older_article_is_offered_while_it_is_selected(as_editor, monkeypatch):
    monkeypatch.setattr(ArticleFilter, "ARTICLE_CHOICES", 3)
    oldest = articles_with_a_claim(5)[0]

    response = as_editor.get(QUEUE, {"article__id__exact": oldest.pk})

    titles = [title for _, title in filter_spec(response, "article").lookup_choices]
    assert "Story 0" in titles
    assert listed(response) == list(oldest.claims.values_list("pk", flat=True))


def test_every_article_is_offered_on_a_small_desk_without_a_note(as_editor):
    articles_with_a_claim(3)
    response = as_editor.get(QUEUE)
    assert len(filter_spec(response, "article").lookup_choices) == 3
    assert "The newest" not in response.content.decode()


def test_an_articles_claim_count_opens_its_claims_in_the_queue(as_editor):
    article = make_claim(article=make_article(title="Budget night")).article
    make_claim(article=article, sentence="Talks continue.", kind="opinion")

    listing = as_editor.get("/admin/factcheck/article/").content.decode()
    link = re.search(rf'href="([^"]*article__id__exact={article.pk}[^"]*)">2<', listing)

    assert link is not None
    opened = as_editor.get(link[1].replace("&amp;", "&"))
    assert set(listed(opened)) == set(article.claims.values_list("pk", flat=True))


# --- The unassigned filter -------------------------------------------------------------------


def test_unassigned_lists_the_claims_nobody_holds(as_editor, editor, reviewer):
    never_touched, unassigned_again = make_claim(), make_claim_with_evidence()
    services.review_assign(claim=unassigned_again, assignee=reviewer, assigned_by=editor)
    services.review_unassign(claim=unassigned_again, editor=editor)
    held = make_claim_with_evidence()
    services.review_assign(claim=held, assignee=reviewer, assigned_by=editor)
    dismissed = make_claim()
    services.claim_dismiss(claim=dismissed, user=editor, reason="opinion")
    published = make_claim_with_evidence()
    make_published_review(claim=published, reviewer=reviewer, editor=editor)
    make_claim(canonical=published)  # a duplicate carries its canonical claim's review

    response = as_editor.get(QUEUE, {"review_status": "unassigned"})

    assert set(listed(response)) == {never_touched.pk, unassigned_again.pk}


# --- Facet counts ----------------------------------------------------------------------------


def make_desk(*, editor, reviewer) -> None:
    """Claims with every filter's choices in use: assignees, priorities, dates, articles and
    evidence statuses."""
    today = timezone.localdate()
    for i in range(9):
        claim = make_claim_with_evidence(
            priority=["high", "medium", "low"][i % 3],
            evidence_status=[Claim.EvidenceStatus.ATTACHED, Claim.EvidenceStatus.NONE_FOUND][i % 2],
        )
        if i % 3 == 0:
            due = today + timedelta(days=[-1, 3, 30][i % 9 // 3])
            services.review_assign(claim=claim, assignee=reviewer, assigned_by=editor, due_on=due)
        if i % 4 == 1:
            services.review_assign(claim=claim, assignee=editor, assigned_by=editor)


def test_each_facet_count_is_the_number_of_claims_its_choice_lists(as_editor, editor, reviewer):
    make_desk(editor=editor, reviewer=reviewer)

    response = as_editor.get(QUEUE, {"_facets": "True"})
    counts = sidebar_counts(response)

    assert counts  # the sidebar shows counts
    checked = 0
    for spec in response.context["cl"].filter_specs:
        for choice in spec.choices(response.context["cl"]):
            found = re.fullmatch(r"(.*) \((\d+)\)", str(choice["display"]))
            if not found:
                continue
            shown = as_editor.get(QUEUE + choice["query_string"])
            assert len(listed(shown)) == int(found[2]), (spec.title, found[1])
            checked += 1
    assert checked >= 15


def test_facet_counts_of_the_filters_not_in_use_come_from_one_query(as_editor, editor, reviewer):
    make_desk(editor=editor, reviewer=reviewer)

    with CaptureQueriesContext(connection) as ctx:
        as_editor.get(QUEUE, {"_facets": "True"})

    facet_queries = [q["sql"] for q in ctx if "FILTER (WHERE" in q["sql"]]
    assert len(facet_queries) == 1


def test_facets_answer_with_more_articles_than_the_article_filter_offers(as_editor, monkeypatch):
    monkeypatch.setattr(ArticleFilter, "ARTICLE_CHOICES", 3)
    articles_with_a_claim(5)

    response = as_editor.get(QUEUE, {"_facets": "True"})

    assert response.status_code == 200
    offered = {choice for title, choice in sidebar_counts(response) if title == "article"}
    assert offered == {"Story 2", "Story 3", "Story 4"}


def test_facet_counts_are_left_out_for_a_list_too_long_to_count(
    as_editor, editor, reviewer, monkeypatch
):
    monkeypatch.setattr(BoundedCountPaginator, "count_limit", 4)
    make_desk(editor=editor, reviewer=reviewer)

    response = as_editor.get(QUEUE, {"_facets": "True"})

    assert response.status_code == 200
    assert set(sidebar_counts(response).values()) == {"-"}
    assert "Counts are shown for lists of up to 4 claims" in response.content.decode()
    # Narrowed below the bound, the counts come back.
    narrowed = sidebar_counts(as_editor.get(QUEUE, {"_facets": "True", "assignee": reviewer.pk}))
    priorities = {choice: n for (title, choice), n in narrowed.items() if title == "priority"}
    assert priorities == {"High": "3", "Medium": "0", "Low": "0"}
