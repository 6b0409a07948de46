"""LiveWikipediaSource through the real wikipedia-api and httpx, over real HTTP, against the
MediaWiki API double on 127.0.0.1. Waits go through an injected sleep so retries are fast
and their durations can be asserted; everything on the wire is real."""

import pytest

from factcheck.evidence.live import LiveWikipediaSource
from factcheck.evidence.types import EvidenceSourceError
from tests.wikipedia_double import MediaWikiDouble

INTERVENTION = "Russian military intervention in the Syrian civil war"
CONTACT = "factcheck-desk@example.org"


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def live(wikipedia_double: MediaWikiDouble, sleeps: Sleeps) -> LiveWikipediaSource:  # noqa: F811
    return LiveWikipediaSource(
        wikipedia_double.api_url, CONTACT, timeout=2.0, backoff=0.5, sleep=sleeps
    )


def test_it_searches_with_list_search(live, wikipedia_double):  # noqa: F811
    titles = live.search("Russian military intervention", limit=3)
    assert titles[0] == INTERVENTION
    assert len(titles) <= 3
    (request,) = wikipedia_double.requests
    assert request.params["list"] == "search"
    assert request.params["srlimit"] == "3"
    assert live.request_count == 1


def test_it_sends_the_contact_in_the_user_agent_and_maxlag_on_every_request(
    live,
    wikipedia_double,  # noqa: F811
):
    live.search("Syria")
    live.fetch_pages(["Syria", "NATO"])
    assert wikipedia_double.request_count == 2
    for request in wikipedia_double.requests:
        assert CONTACT in request.headers["User-Agent"]
        assert request.headers["User-Agent"].startswith("factcheck-desk/")
        assert request.params["maxlag"] == "5"


def test_it_requires_an_operator_contact(wikipedia_double):  # noqa: F811
    with pytest.raises(ValueError, match="WIKIPEDIA_CONTACT"):
        LiveWikipediaSource(wikipedia_double.api_url, "  ")
    assert wikipedia_double.request_count == 0


def test_it_fetches_fifty_titles_in_one_request(live, wikipedia_double):  # noqa: F811
    titles = list(wikipedia_double.pages)[:49] + ["No such page at all"]
    pages = live.fetch_pages(titles)
    assert wikipedia_double.request_count == 1
    assert live.request_count == 1
    assert set(pages) == set(titles[:49])
    request = wikipedia_double.requests[0]
    assert request.params["titles"].count("|") == 49
    assert request.params["redirects"] == "1"
    assert request.params["rvprop"] == "ids|timestamp|content"


def test_it_splits_more_than_fifty_titles_into_batches(live, wikipedia_double):  # noqa: F811
    titles = list(wikipedia_double.pages)[:120]
    pages = live.fetch_pages(titles)
    assert len(pages) == 120
    assert wikipedia_double.requests_by_action["query:revisions|info"] == 3


def test_it_follows_redirects_and_normalisation(live):
    pages = live.fetch_pages(["Putin", "syrian_civil_war", "Russian intervention in Syria"])
    assert pages["Putin"].title == "Vladimir Putin"
    assert pages["syrian_civil_war"].title == "Syrian civil war"
    assert pages["Russian intervention in Syria"].title == INTERVENTION


def test_it_leaves_missing_pages_out(live, wikipedia_double):  # noqa: F811
    wikipedia_double.remove_page("NATO")
    pages = live.fetch_pages(["NATO", "Valery Gerasimov", "Syria", "Bad [title]"])
    assert list(pages) == ["Syria"]


def test_it_records_page_id_revision_and_url(live, wikipedia_double):  # noqa: F811
    page = live.fetch_pages([INTERVENTION])[INTERVENTION]
    served = wikipedia_double.pages[INTERVENTION]
    assert page.source == "live"
    assert page.page_id == served.page_id
    assert page.revision_id == served.revision_id
    assert page.url == (
        "https://en.wikipedia.org/wiki/Russian_military_intervention_in_the_Syrian_civil_war"
    )


def test_it_turns_wikitext_into_sections(live):
    page = live.fetch_pages([INTERVENTION])[INTERVENTION]
    headings = [s.heading for s in page.sections]
    assert headings[0] == ""
    assert "Operations by Russian military forces" in headings
    assert "References" not in headings
    lead = page.sections[0].text
    assert lead.startswith("The Russian military intervention in the Syrian civil war began")
    assert "{{" not in lead and "<ref" not in lead and "Short description" not in lead


def test_it_pins_text_and_revision_from_one_response(live, wikipedia_double):  # noqa: F811
    original = wikipedia_double.pages[INTERVENTION].revision_id
    # The page is saved again right after the first request is answered.
    wikipedia_double.edit_page(INTERVENTION, after_requests=1, note="Edited text.")
    before = live.fetch_pages([INTERVENTION])[INTERVENTION]
    after = live.fetch_pages([INTERVENTION])[INTERVENTION]
    assert before.revision_id == original
    assert "Edited text." not in before.sections[0].text
    assert after.revision_id == original + 1
    assert after.sections[0].text.endswith("Edited text.")
    assert live.request_count == 2


def test_it_follows_continuation_when_texts_do_not_fit_one_response(
    live,
    wikipedia_double,  # noqa: F811
):
    wikipedia_double.max_texts_per_response = 2
    titles = ["Syria", "NATO", "Russia", "Iran", "Iraq"]
    pages = live.fetch_pages(titles)
    assert set(pages) == set(titles)
    assert wikipedia_double.request_count == 3


def test_it_waits_out_maxlag_and_retries(live, wikipedia_double, sleeps):  # noqa: F811
    wikipedia_double.inject("maxlag", retry_after=2)
    assert live.fetch_pages(["Syria"])
    assert sleeps == [2.0]
    assert live.request_count == 2


def test_it_waits_out_maxlag_on_search_too(live, wikipedia_double, sleeps):  # noqa: F811
    wikipedia_double.inject("maxlag", retry_after=1)
    assert live.search("Syria")  # the library alone would have returned no results
    assert sleeps == [1.0]


def test_it_honours_retry_after_on_429(live, wikipedia_double, sleeps):  # noqa: F811
    wikipedia_double.inject("429", times=2, retry_after=3)
    assert live.fetch_pages(["Syria"])
    assert sleeps == [3.0, 3.0]
    assert wikipedia_double.request_count == 3


def test_it_retries_server_errors_with_backoff(live, wikipedia_double, sleeps):  # noqa: F811
    wikipedia_double.inject("500")
    wikipedia_double.inject("503")
    assert live.search("Syria")
    assert len(sleeps) == 2
    assert 0.5 <= sleeps[0] <= 0.5 * 1.25
    assert 1.0 <= sleeps[1] <= 1.0 * 1.25


def test_it_honours_retry_after_on_503(live, wikipedia_double, sleeps):  # noqa: F811
    wikipedia_double.inject("503", retry_after=4)
    assert live.search("Syria")
    assert sleeps == [4.0]


def test_it_gives_up_with_a_transient_error_when_retries_run_out(
    live,
    wikipedia_double,  # noqa: F811
    sleeps,
):
    wikipedia_double.inject("503", times=10)
    with pytest.raises(EvidenceSourceError) as caught:
        live.fetch_pages(["Syria"])
    assert caught.value.transient is True
    assert caught.value.retry_after is not None
    assert wikipedia_double.request_count == live.max_attempts == 4
    assert len(sleeps) == 3


def test_it_gives_up_at_once_when_asked_to_wait_too_long(
    live,
    wikipedia_double,  # noqa: F811
    sleeps,
):
    wikipedia_double.inject("429", retry_after=3600)
    with pytest.raises(EvidenceSourceError) as caught:
        live.search("Syria")
    assert caught.value.transient is True
    assert caught.value.retry_after == 3600
    assert sleeps == []
    assert wikipedia_double.request_count == 1


def test_it_gives_up_on_persistent_maxlag_with_the_servers_wait(
    live,
    wikipedia_double,  # noqa: F811
):
    wikipedia_double.inject("maxlag", times=10, retry_after=5)
    with pytest.raises(EvidenceSourceError) as caught:
        live.fetch_pages(["Syria"])
    assert caught.value.transient is True
    assert caught.value.retry_after == 5
    assert "lag" in str(caught.value)


def test_it_retries_a_timeout(wikipedia_double, sleeps):  # noqa: F811
    live = LiveWikipediaSource(wikipedia_double.api_url, CONTACT, timeout=0.3, sleep=sleeps)
    wikipedia_double.inject("slow", delay=1.0)
    assert live.fetch_pages(["Syria"])
    assert len(sleeps) == 1
    assert live.request_count == 2


def test_it_reports_persistent_timeouts_as_transient(wikipedia_double, sleeps):  # noqa: F811
    live = LiveWikipediaSource(
        wikipedia_double.api_url, CONTACT, timeout=0.2, max_attempts=2, sleep=sleeps
    )
    wikipedia_double.inject("slow", delay=0.6, times=2)
    with pytest.raises(EvidenceSourceError, match="timed out") as caught:
        live.search("Syria")
    assert caught.value.transient is True


def test_it_reports_malformed_json_as_transient(live, wikipedia_double):  # noqa: F811
    wikipedia_double.inject("malformed")
    with pytest.raises(EvidenceSourceError, match="malformed JSON") as caught:
        live.fetch_pages(["Syria"])
    assert caught.value.transient is True
    assert wikipedia_double.request_count == 1


@pytest.mark.parametrize("fault", ["400", "apierror"])
def test_it_reports_a_refused_request_as_permanent(
    live,
    wikipedia_double,  # noqa: F811
    sleeps,
    fault,
):
    wikipedia_double.inject(fault)
    with pytest.raises(EvidenceSourceError) as caught:
        live.fetch_pages(["Syria"])
    assert caught.value.transient is False
    assert sleeps == []
    assert wikipedia_double.request_count == 1


def test_it_reports_an_unreachable_api_as_transient(sleeps):
    live = LiveWikipediaSource(
        "http://127.0.0.1:9/w/api.php", CONTACT, timeout=0.5, max_attempts=2, sleep=sleeps
    )
    with pytest.raises(EvidenceSourceError) as caught:
        live.search("Syria")
    assert caught.value.transient is True
    assert len(sleeps) == 1


def test_it_searches_once_when_the_search_ranks_partial_matches(
    live,
    wikipedia_double,  # noqa: F811
):
    # Like CirrusSearch, the double ranks pages missing a word lower instead of dropping them.
    titles = live.search("Russian military intervention Syrian xyzzy plugh", limit=5)
    assert INTERVENTION in titles
    assert len(titles) == 5
    assert [r.params["srsearch"] for r in wikipedia_double.requests] == [
        "Russian military intervention Syrian xyzzy plugh"
    ]


def test_it_retries_a_long_search_that_finds_nothing_with_a_shorter_query(
    live,
    wikipedia_double,  # noqa: F811
):
    wikipedia_double.search_requires_every_word = True  # a backend insisting on every word
    titles = live.search("Russian military intervention Syrian xyzzy plugh", limit=5)
    assert INTERVENTION in titles
    searched = [r.params["srsearch"] for r in wikipedia_double.requests]
    assert searched == [
        "Russian military intervention Syrian xyzzy plugh",
        "Russian military intervention Syrian",
    ]


def test_it_avoids_the_race_in_wikipedia_apis_two_call_page_reads(
    live,
    wikipedia_double,  # noqa: F811
):
    """wikipedia-api's page() reads text and revision id in two requests; an edit between
    them pairs the old text with the new id. Our batch read takes both from one response."""
    from factcheck.evidence.live import WikipediaAtEndpoint

    library = WikipediaAtEndpoint(
        wikipedia_double.api_url, user_agent=f"test ({CONTACT})", max_retries=0
    )
    wikipedia_double.edit_page("Syria", after_requests=1, note="Edited text.")
    page = library.page("Syria")
    text, revision = page.text, page.lastrevid
    assert "Edited text." not in text
    assert revision == wikipedia_double.pages["Syria"].revision_id  # the new one: mismatched

    wikipedia_double.edit_page("Syria", after_requests=0, note="Edited again.")
    snapshot = live.fetch_pages(["Syria"])["Syria"]
    assert snapshot.revision_id == wikipedia_double.pages["Syria"].revision_id
    assert snapshot.sections[0].text.endswith("Edited again.")


def test_the_double_speaks_formatversion_1_and_page_ids(wikipedia_double):  # noqa: F811
    import httpx

    page_id = wikipedia_double.pages["Syria"].page_id
    params = {"action": "query", "prop": "revisions", "rvprop": "ids|content", "rvslots": "main"}
    response = httpx.get(
        wikipedia_double.api_url,
        params=params | {"pageids": f"{page_id}|999999", "format": "json"},
    )
    pages = response.json()["query"]["pages"]
    assert pages[str(page_id)]["revisions"][0]["slots"]["main"]["*"].startswith("{{Short")
    assert pages["999999"]["missing"] == ""
    too_many = httpx.get(
        wikipedia_double.api_url,
        params=params | {"titles": "|".join(f"T{i}" for i in range(51)), "format": "json"},
    )
    assert too_many.json()["error"]["code"] == "toomanyvalues"


def test_the_evidence_command_reads_pinned_revisions_from_the_api(
    wikipedia_double,  # noqa: F811
    settings,
):
    import json
    from io import StringIO

    from django.core.management import call_command

    settings.WIKIPEDIA_API_URL = wikipedia_double.api_url
    settings.WIKIPEDIA_CONTACT = CONTACT
    out = StringIO()
    call_command(
        "evidence",
        "Russian warplanes have been flying over Syrian territory conducting air strikes.",
        "--source",
        "live",
        stdout=out,
    )
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert records
    for record in records:
        served = wikipedia_double.pages[record["page_title"]]
        assert record["revision"] == served.revision_id
        assert record["permalink"].endswith(f"&oldid={served.revision_id}")
