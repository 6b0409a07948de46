"""The queue's search (issue 10): on PostgreSQL full text over the claim and its claimant, or
the article's title, read from the indexes of factcheck's migration 0009; elsewhere the
admin's own word match."""

import pytest
from django.db import connection

from reviews import selectors
from tests.conftest import require_postgresql
from tests.factories import make_article, make_claim

pytestmark = pytest.mark.django_db

QUEUE = "/admin/reviews/queueclaim/"


def listed(response) -> set[int]:
    return {obj.pk for obj in response.context["cl"].result_list}


@pytest.fixture
def budget_claims():
    article = make_article(
        title="Budget night",
        text="The treasurer said that spending rose by 4 percent. Ministers cheered.",
    )
    budget = make_claim(
        article=article, sentence="spending rose by 4 percent.", claimant="Jo Treasurer"
    )
    evacuation = make_claim()  # "1,200 people were evacuated from the city."
    return budget, evacuation


def test_it_finds_a_claim_by_any_form_of_its_words(as_editor, budget_claims):
    require_postgresql("full-text search")
    budget, evacuation = budget_claims
    assert listed(as_editor.get(QUEUE, {"q": "evacuation"})) == {evacuation.pk}
    assert listed(as_editor.get(QUEUE, {"q": "spends percent"})) == {budget.pk}


def test_it_finds_a_claim_by_its_claimant(as_editor, budget_claims):
    require_postgresql("full-text search")
    budget, evacuation = budget_claims
    assert listed(as_editor.get(QUEUE, {"q": "treasurer"})) == {budget.pk}
    assert listed(as_editor.get(QUEUE, {"q": "health minister"})) == {evacuation.pk}


def test_it_finds_the_claims_of_an_article_by_its_title(as_editor, budget_claims):
    require_postgresql("full-text search")
    budget, _ = budget_claims
    assert listed(as_editor.get(QUEUE, {"q": "budget night"})) == {budget.pk}


def test_it_takes_web_search_syntax_and_never_fails_on_what_is_typed(as_editor, budget_claims):
    require_postgresql("full-text search")
    budget, evacuation = budget_claims
    assert listed(as_editor.get(QUEUE, {"q": "spending or evacuated"})) == {
        budget.pk,
        evacuation.pk,
    }
    assert listed(as_editor.get(QUEUE, {"q": "percent -spending"})) == set()
    assert as_editor.get(QUEUE, {"q": '"unclosed & (|| !'}).status_code == 200


def test_it_reads_the_search_indexes(budget_claims):
    require_postgresql("the search indexes")
    queue = selectors.queue_claims_search(selectors.queue_claims(), "spending")
    with connection.cursor() as cursor:
        # A handful of rows is read faster without an index; at the desk's size it is not.
        cursor.execute("SET LOCAL enable_seqscan = off")
        # Unordered: which rows match is the index's part; with the claims' default order, a
        # walk of another index in that order can look cheaper on a near-empty table.
        sql, params = queue.values("pk").order_by().query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        claim_plan = "\n".join(row[0] for row in cursor.fetchall())
        from factcheck.models import Article

        titles = Article.objects.alias(search=selectors.ARTICLE_TITLE_SEARCH_VECTOR).filter(
            search="budget"
        )
        sql, params = titles.values("pk").order_by().query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        title_plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "claim_search" in claim_plan, claim_plan
    assert "article_title_search" in title_plan


def test_without_postgresql_it_matches_words_as_the_admin_always_did(
    as_editor, budget_claims, monkeypatch
):
    budget, evacuation = budget_claims
    monkeypatch.setattr(connection, "vendor", "sqlite")
    assert listed(as_editor.get(QUEUE, {"q": "spending rose"})) == {budget.pk}
    assert listed(as_editor.get(QUEUE, {"q": "Treasurer"})) == {budget.pk}
    assert listed(as_editor.get(QUEUE, {"q": "budget night"})) == {budget.pk}
    assert listed(as_editor.get(QUEUE, {"q": "evacuated"})) == {evacuation.pk}
