"""Search and filters on /verdicts/: published verdicts only, found by their claim, claimant or
rationale (PostgreSQL full-text search, or a plain word match elsewhere), filtered by verdict,
claimant and publication date, paginated with the search kept."""

import datetime as dt
import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factcheck import views
from factcheck.public_selectors import (
    VerdictSearch,
    full_text_search_available,
    published_reviews_search,
)
from reviews import services
from reviews.models import PublishedVersion, Verdict
from tests.conftest import require_postgresql
from tests.factories import make_article, make_claim_with_evidence

pytestmark = pytest.mark.django_db

EVACUATION = "The health minister said that 1,200 people were evacuated from the city."
BRIDGE = "Mayor Anna Keller said the bridge reopened in March after repairs."
BUDGET = "The council said the budget grew by 4 percent."


def publish(claim, reviewer, editor, *, verdict=Verdict.SUPPORTED, rationale="It checks out."):
    review = services.review_submit(
        claim=claim,
        reviewer=reviewer,
        verdict=verdict,
        rationale=rationale,
        evidence_ids=[claim.evidence.first().pk],
    )
    return services.review_publish(review=review, editor=editor)


def claim_in(text: str, sentence: str, **fields):
    return make_claim_with_evidence(
        n_evidence=1, article=make_article(text=text), sentence=sentence, **fields
    )


def first_published_on(review, day: dt.date) -> None:
    """The verdict was first published on that day (the service stamps the present)."""
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    PublishedVersion.objects.filter(review=review, number=1).update(published_at=moment)


@pytest.fixture
def verdicts(reviewer, editor):
    """Three published verdicts and one submitted but unpublished, about evacuations."""
    evacuation = publish(
        claim_in(EVACUATION, "1,200 people were evacuated from the city."),
        reviewer,
        editor,
        verdict=Verdict.MISATTRIBUTED,
        rationale="The agency gave the figure, not the minister.",
    )
    bridge = publish(
        claim_in(BRIDGE, "the bridge reopened in March", claimant="Mayor Anna Keller"),
        reviewer,
        editor,
        rationale="The city's works notice confirms the date.",
    )
    budget = publish(
        claim_in(BUDGET, "the budget grew by 4 percent", claimant="The council"),
        reviewer,
        editor,
        verdict=Verdict.UNSUPPORTED,
        rationale="The accounts show growth of 2 percent; no evacuation costs were included.",
    )
    draft_claim = claim_in(
        "Officials said 1,200 people were evacuated from the city again.",
        "1,200 people were evacuated from the city again.",
    )
    services.review_submit(
        claim=draft_claim,
        reviewer=reviewer,
        verdict=Verdict.SUPPORTED,
        rationale="Yes.",
        evidence_ids=[draft_claim.evidence.first().pk],
    )
    return {"evacuation": evacuation, "bridge": bridge, "budget": budget, "draft": draft_claim}


def found(client, **params) -> list[str]:
    """The verdict page URLs /verdicts/ lists for these parameters, in order."""
    response = client.get("/verdicts/", params)
    assert response.status_code == 200
    listing = response.content.decode().split('class="verdicts"', 1)
    if len(listing) == 1:
        return []
    return re.findall(r'<a href="(/verdicts/\d+/)">', listing[1])


def url(review) -> str:
    return review.get_absolute_url()


def test_it_finds_a_claim_by_another_form_of_its_words_and_never_an_unpublished_one(
    client, verdicts
):
    require_postgresql("stemming is PostgreSQL full-text search")
    assert found(client, q="evacuations") == [url(verdicts["evacuation"]), url(verdicts["budget"])]
    assert (
        f"/verdicts/{verdicts['draft'].review.pk}/"
        not in client.get("/verdicts/", {"q": "evacuated again"}).content.decode()
    )


def test_a_match_in_the_claim_ranks_above_a_match_in_the_rationale(client, verdicts):
    require_postgresql("ranking is PostgreSQL full-text search")
    # "evacuated" is in the evacuation claim, and only in the budget verdict's rationale.
    assert found(client, q="evacuated") == [url(verdicts["evacuation"]), url(verdicts["budget"])]


def test_it_finds_the_claimant_by_the_machines_words_the_fullest_name_and_the_desks_correction(
    client, reviewer, editor
):
    claim = claim_in(EVACUATION, "1,200 people were evacuated from the city.")
    claim.claimant_name = "Health Minister Omar Haddad"
    claim.save()
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    services.claimant_correct(claim=claim, user=reviewer, claimant="Civil Protection Agency")
    review = publish(claim, reviewer, editor)
    for words in ["health minister", "Haddad", "civil protection agency"]:
        assert found(client, q=words) == [url(review)], words


def test_it_finds_a_verdict_by_its_rationale(client, verdicts):
    assert found(client, q="works notice") == [url(verdicts["bridge"])]


def test_the_plain_match_needs_every_word_somewhere_and_does_not_stem(verdicts):
    def plain(text):
        return list(published_reviews_search(VerdictSearch(text=text), full_text=False))

    assert plain("minister evacuated") == [verdicts["evacuation"]]  # claimant + claim
    assert plain("keller works") == [verdicts["bridge"]]  # claimant + rationale
    assert plain("evacuations") == []
    assert set(plain("EVACUAT")) == {verdicts["evacuation"], verdicts["budget"]}


def test_full_text_search_is_used_where_the_database_is_postgresql(verdicts):
    assert full_text_search_available() is (connection.vendor == "postgresql")
    stemmed = list(published_reviews_search(VerdictSearch(text="evacuations")))
    assert bool(stemmed) is (connection.vendor == "postgresql")


def test_it_filters_by_verdict_and_by_the_claimant_the_public_sees(
    client, reviewer, editor, verdicts
):
    assert found(client, verdict="unsupported") == [url(verdicts["budget"])]
    assert found(client, claimant="keller") == [url(verdicts["bridge"])]
    assert found(client, q="evacuated", verdict="supported") == []
    # Once the desk corrects the claimant, the machine's name no longer matches.
    claim = claim_in(
        "The ministry said that 1,200 people were evacuated from the city.",
        "1,200 people were evacuated from the city.",
        claimant="The ministry",
    )
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    services.claimant_correct(claim=claim, user=reviewer, claimant="The Red Cross")
    corrected = publish(claim, reviewer, editor)
    assert found(client, claimant="red cross") == [url(corrected)]
    assert found(client, claimant="ministry") == []


def test_it_filters_by_the_day_the_verdict_was_first_published(client, verdicts):
    first_published_on(verdicts["evacuation"], dt.date(2026, 3, 31))
    first_published_on(verdicts["bridge"], dt.date(2026, 4, 1))
    first_published_on(verdicts["budget"], dt.date(2026, 4, 30))
    evacuation, bridge, budget = (url(verdicts[k]) for k in ("evacuation", "bridge", "budget"))

    def dated(**params) -> set[str]:
        return set(found(client, **params))

    assert dated(month="2026-04") == {bridge, budget}
    assert dated(month="2026-03") == {evacuation}
    assert dated(published_from="2026-03-31", published_to="2026-04-01") == {evacuation, bridge}
    assert dated(published_from="2026-04-02") == {budget}
    assert dated(published_to="2026-03-31") == {evacuation}
    assert dated(month="2026-04", q="bridge") == {bridge}


def test_the_search_is_kept_from_page_to_page(client, monkeypatch, reviewer, editor):
    monkeypatch.setattr(views, "VERDICTS_PER_PAGE", 2)
    reviews = [
        publish(
            claim_in(
                f"Officials said {n} boats were counted. Talks continue.",
                f"{n} boats were counted.",
            ),
            reviewer,
            editor,
        )
        for n in range(3, 8)
    ]
    response = client.get("/verdicts/", {"q": "boats", "verdict": "supported"})
    body = html.unescape(response.content.decode())
    assert "5 verdicts found for “boats”" in body
    assert 'href="?q=boats&verdict=supported&page=2"' in body
    pages = [found(client, q="boats", verdict="supported", page=n) for n in (1, 2, 3)]
    assert [len(p) for p in pages] == [2, 2, 1]
    assert sorted(sum(pages, [])) == sorted(url(r) for r in reviews)


def test_a_search_runs_two_queries_however_many_verdicts_match(client, reviewer, editor):
    for n in range(3):
        publish(
            claim_in(
                f"Officials said {n} boats were counted.",
                f"{n} boats were counted.",
                claimant="Officials",
            ),
            reviewer,
            editor,
        )
    # 1 COUNT for the paginator, 2 the page, with claim, article and claimant correction.
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/verdicts/", {"q": "boats", "claimant": "officials"})
    assert response.status_code == 200
    assert len(re.findall(r'<a href="/verdicts/\d+/">', response.content.decode())) == 3
    assert len(ctx) == 2, [q["sql"] for q in ctx.captured_queries]


def test_the_form_has_a_label_for_every_field_and_keeps_what_was_asked(client, verdicts):
    body = client.get("/verdicts/", {"q": "bridge", "verdict": "supported"}).content.decode()
    assert 'role="search"' in body and 'method="get"' in body
    for name in ["q", "verdict", "claimant", "published_from", "published_to", "month"]:
        assert f'<label for="id_{name}">' in body, name
        assert f'id="id_{name}"' in body, name
    assert 'value="bridge"' in body
    assert '<option value="supported" selected>' in body


def test_a_mistake_in_the_form_is_shown_at_its_field_and_nothing_is_listed(client, verdicts):
    response = client.get("/verdicts/", {"month": "2026-13"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'aria-invalid="true"' in body and "Give the month as YYYY-MM" in body
    assert "Nothing was searched" in body
    assert found(client, month="2026-13") == []
    ranged = client.get("/verdicts/", {"month": "2026-04", "published_from": "2026-04-01"})
    assert "Give a month or a date range, not both." in ranged.content.decode()
    backwards = client.get(
        "/verdicts/", {"published_from": "2026-05-01", "published_to": "2026-04-01"}
    )
    assert "The range ends before it starts" in backwards.content.decode()


def test_no_match_says_so(client, verdicts):
    body = html.unescape(client.get("/verdicts/", {"q": "zeppelin"}).content.decode())
    assert "No published verdict matches “zeppelin”." in body


@pytest.mark.parametrize(
    "text",
    [
        "the",  # stop words only: an empty full-text query
        "a & | ! ( ) : * <->",  # tsquery operators, which websearch reads as words
        '"unclosed quote',
        "-",
        "evacuated\x00",  # NUL: PostgreSQL text cannot hold it; the form refuses it
        "'; DROP TABLE reviews_review; --",
        "x" * 201,  # over the field's limit
    ],
)
def test_odd_search_text_gets_an_answer_not_an_error(client, verdicts, text):
    assert client.get("/verdicts/", {"q": text}).status_code == 200


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=60), claimant=st.text(max_size=20))
def test_any_search_text_gets_an_answer(client, verdicts, text, claimant):
    response = client.get("/verdicts/", {"q": text, "claimant": claimant})
    assert response.status_code == 200
    assert f"/verdicts/{verdicts['draft'].review.pk}/" not in response.content.decode()


def test_search_results_are_not_indexed_but_the_plain_list_is(client, verdicts):
    noindex = '<meta name="robots" content="noindex, follow">'
    assert noindex in client.get("/verdicts/", {"q": "bridge"}).content.decode()
    assert noindex in client.get("/verdicts/", {"month": "bad"}).content.decode()
    assert noindex not in client.get("/verdicts/").content.decode()
    assert noindex not in client.get("/verdicts/", {"page": "1"}).content.decode()
