"""Articles from URLs (factcheck/fetching.py, services.article_from_url, POST /api/v1/articles/
with a URL alone), against the local web double only: what is fetched, what is refused, and
the one line each refusal says."""

import time

import pytest
from rest_framework.test import APIClient

from factcheck import services
from factcheck.fetching import FetchError, FetchPolicy, fetch, fetch_article, non_public_kind
from factcheck.ingestion import IngestError
from factcheck.models import Article
from reviews.models import AuditEntry
from tests.api_helpers import API, token_client
from tests.web_double import article_page, web_double_fixture  # noqa: F401

STORY = [
    "Officials met in Geneva on Monday to discuss the evacuation of the old town.",
    "The health minister said that 1,200 people were evacuated from the city over the "
    "weekend, a figure the opposition disputed in parliament on Tuesday.",
    "Talks continue on Wednesday, when the mayor will present the plan to the council and "
    "answer questions from residents.",
]
PAGE = article_page("Minister says 1,200 evacuated", STORY)
MB = 1024 * 1024


def policy(**changes) -> FetchPolicy:
    values = {
        "timeout_seconds": 5.0,
        "max_bytes": MB,
        "allow_private_hosts": True,
        "user_agent": "factcheck/1.0 (tests)",
    }
    return FetchPolicy(**{**values, **changes})


@pytest.fixture(autouse=True)
def fetching_settings(settings):
    # The web double listens on 127.0.0.1, which production refuses.
    settings.FETCH_ALLOW_PRIVATE_HOSTS = True
    settings.FETCH_TIMEOUT_SECONDS = 5.0
    settings.FETCH_MAX_BYTES = MB


def refusal(url: str, **changes) -> FetchError:
    with pytest.raises(FetchError) as caught:
        fetch_article(url, policy=policy(**changes))
    return caught.value


# --- A page becomes an article ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_page_becomes_an_article_with_its_title_date_byline_and_outlet(web_double):
    url = web_double.serve("/world/geneva", PAGE)

    outcome = services.article_from_url(url=url)

    article = Article.objects.get()
    assert outcome.created and outcome.article == article
    assert (article.title, article.byline, article.outlet) == (
        "Minister says 1,200 evacuated",
        "Alice Writer",
        "Example Times",
    )
    assert article.published_on.isoformat() == "2026-11-20"
    assert (article.source_url, article.source_name) == (url, "web page")
    assert article.status == Article.Status.QUEUED
    # The story, one paragraph per block; navigation, footer and script left out.
    assert article.text.split("\n\n")[-3:] == STORY
    for chrome in ("Home", "Subscribe", "trackReader"):
        assert chrome not in article.text
    assert AuditEntry.objects.get(action="article_ingested").article == article
    assert (
        web_double.requests_to("/world/geneva")[0]
        .headers["User-Agent"]
        .startswith("factcheck/1.0 (fact-checking desk of ")
    )


@pytest.mark.django_db
def test_the_same_page_twice_is_the_same_article(web_double):
    url = web_double.serve("/world/geneva", PAGE)

    first = services.article_from_url(url=url)
    again = services.article_from_url(url=url + "?utm_source=feed")

    assert first.created and not again.created
    assert again.article == first.article and Article.objects.count() == 1


@pytest.mark.django_db
def test_a_redirect_is_followed_and_the_article_keeps_where_it_was_found(web_double):
    web_double.serve("/short", "", status=301, headers={"Location": "/world/geneva"})
    url = web_double.serve("/world/geneva", PAGE)

    article = services.article_from_url(url=web_double.url("/short")).article

    assert article.source_url == url


def test_plain_text_is_read_like_an_uploaded_text_file(web_double):
    text = "Evacuation figures disputed\n\nBy A. Reporter\n\n" + "\n\n".join(STORY)
    url = web_double.serve("/story.txt", text, content_type="text/plain; charset=utf-8")

    draft = fetch_article(url, policy=policy())

    assert (draft.title, draft.byline, draft.source_url) == (
        "Evacuation figures disputed",
        "A. Reporter",
        url,
    )


def test_the_charset_the_server_declares_is_used(web_double):
    page = article_page("Zürich évacue 1 200 personnes", STORY)
    url = web_double.serve("/fr", page.encode("latin-1"), content_type="text/html; charset=latin-1")

    assert fetch_article(url, policy=policy()).title == "Zürich évacue 1 200 personnes"


# --- What is refused, and the line it says ---------------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("javascript:alert(1)", "fetch refused: only http and https links are accepted, got "),
        ("ftp://files.example.org/story.txt", "fetch refused: only http and https links are "),
        ("file:///etc/passwd", "fetch refused: only http and https links are accepted"),
        ("http://user:pw@example.org/", "fetch refused: links with a user name or password"),
    ],
)
def test_only_plain_http_and_https_links_are_fetched(url, reason):
    error = refusal(url)
    assert str(error).startswith(reason) and error.permanent


def test_a_host_with_a_private_address_is_refused_unless_the_setting_allows_it(web_double):
    url = web_double.serve("/world/geneva", PAGE)
    by_name = web_double.url("/world/geneva", host="localhost")

    error = refusal(by_name, allow_private_hosts=False)
    assert str(error) == "fetch refused: localhost (127.0.0.1) is a loopback address"
    assert error.permanent
    assert str(refusal(url, allow_private_hosts=False)) == (
        "fetch refused: 127.0.0.1 is a loopback address"
    )
    assert web_double.requests == []  # refused before any connection

    assert fetch_article(by_name, policy=policy(allow_private_hosts=True)).title == (
        "Minister says 1,200 evacuated"
    )


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("10.0.0.5", "private"),
        ("192.168.1.1", "private"),
        ("172.16.0.1", "private"),
        ("100.64.0.1", "private"),  # carrier-grade NAT
        ("127.0.0.1", "loopback"),
        ("169.254.169.254", "link-local"),  # cloud metadata services
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("::1", "loopback"),
        ("fe80::1%eth0", "link-local"),
        ("fd00::1", "private"),
        ("::ffff:10.0.0.5", "private"),  # IPv4-mapped
        ("93.184.215.14", ""),
        ("2606:2800:21f:cb07:6820:80da:af6b:8b2c", ""),
    ],
)
def test_only_public_addresses_count_as_public(address, kind):
    assert non_public_kind(address) == kind


def test_an_address_literal_is_refused_by_its_kind():
    error = refusal("http://10.0.0.5/admin", allow_private_hosts=False)
    assert str(error) == "fetch refused: 10.0.0.5 is a private address"


def test_every_redirect_is_checked_again(web_double):
    web_double.serve("/to-ftp", "", status=302, headers={"Location": "ftp://example.org/x"})
    web_double.serve("/loop", "", status=302, headers={"Location": "/loop"})

    error = refusal(web_double.url("/to-ftp"))
    assert str(error).startswith("fetch refused: only http and https links are accepted")
    assert str(refusal(web_double.url("/loop"))) == "too many redirects (over 5)"
    assert len(web_double.requests_to("/loop")) == 6


@pytest.mark.parametrize("declare_length", [True, False])
def test_a_page_over_the_size_limit_is_refused(web_double, declare_length):
    big = article_page("Long read", STORY * 6000)  # about 1.7 MB
    url = web_double.serve("/long-read", big, declare_length=declare_length)

    error = refusal(url, max_bytes=MB)

    assert str(error) == "page too large (over 1 MB)" and error.permanent


def test_a_server_that_answers_too_slowly_times_out(web_double):
    url = web_double.serve("/slow", PAGE, delay=3.0)

    started = time.monotonic()
    error = refusal(url, timeout_seconds=0.5)

    assert str(error) == "timed out after 0.5 s" and not error.permanent
    assert time.monotonic() - started < 2.0


@pytest.mark.parametrize(
    ("content_type", "reason"),
    [
        ("application/pdf", "not a web page: the server sent application/pdf; expected HTML "),
        ("image/png", "not a web page: the server sent image/png; expected HTML or plain text"),
        ("application/json", "not a web page: the server sent application/json; "),
    ],
)
def test_only_html_and_plain_text_are_accepted(web_double, content_type, reason):
    url = web_double.serve("/file", b"%PDF-1.7 not a page", content_type=content_type)

    error = refusal(url)

    assert str(error).startswith(reason) and error.permanent


@pytest.mark.parametrize(
    ("status", "permanent"), [(404, True), (410, True), (429, False), (500, False), (503, False)]
)
def test_an_http_error_says_its_status_and_whether_a_later_try_may_work(
    web_double, status, permanent
):
    url = web_double.serve("/story", "error", status=status)

    error = refusal(url)

    assert (str(error), error.permanent) == (f"HTTP {status}", permanent)


def test_a_server_that_is_not_there_may_be_back_later(web_double):
    url = web_double.url("/story")
    web_double.stop()

    error = refusal(url)

    assert str(error).startswith("could not connect to 127.0.0.1: ") and not error.permanent


def test_a_page_without_article_text_is_refused():
    # No server needed: the extraction alone is under test.
    from factcheck.fetching import FetchedDocument, page_draft

    page = FetchedDocument(
        url="https://news.example.org/empty",
        status=200,
        body=b"<html><body><nav><a href='/'>Home</a></nav><script>x()</script></body></html>",
        content_type="text/html",
        charset="utf-8",
    )
    with pytest.raises(IngestError, match="^no article text found on the page$"):
        page_draft(page)


def test_conditional_requests_send_the_validators_and_take_a_304(web_double):
    url = web_double.serve("/feed.xml", "<rss/>", content_type="application/rss+xml", etag='"v1"')

    first = fetch(url, policy=policy(), accept=None)
    again = fetch(url, policy=policy(), accept=None, etag=first.etag)

    assert (first.status, first.etag, again.status, again.body) == (200, '"v1"', 304, b"")
    assert web_double.requests_to("/feed.xml")[1].headers["If-None-Match"] == '"v1"'


# --- Through the API ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_editor_sends_a_url_alone_and_gets_201_then_200(editor, web_double):
    url = web_double.serve("/world/geneva", PAGE)
    client = token_client(editor)

    first = client.post(f"{API}/articles/", {"url": url})
    again = client.post(f"{API}/articles/", {"url": url})

    article = Article.objects.get()
    assert first.status_code == 201 and first.json() == {"id": article.pk, "status": "queued"}
    assert again.status_code == 200 and again.json() == {"id": article.pk, "status": "queued"}
    assert (article.title, article.byline, article.source_name) == (
        "Minister says 1,200 evacuated",
        "Alice Writer",
        "REST API (fetched)",
    )
    assert AuditEntry.objects.get(action="article_ingested").actor == editor


@pytest.mark.django_db
def test_metadata_sent_with_the_url_wins_over_the_pages(editor, web_double):
    url = web_double.serve("/world/geneva", PAGE)

    response = token_client(editor).post(
        f"{API}/articles/", {"url": url, "outlet": "Geneva Daily", "published_on": "2026-11-21"}
    )

    article = Article.objects.get(pk=response.json()["id"])
    assert (article.outlet, article.published_on.isoformat(), article.byline) == (
        "Geneva Daily",
        "2026-11-21",
        "Alice Writer",
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "served", "detail"),
    [
        ("/gone", {"body": "", "status": 404}, "HTTP 404"),
        ("/doc.pdf", {"body": b"%PDF", "content_type": "application/pdf"}, "not a web page"),
        ("/empty", {"body": "<html><body><nav>Home</nav></body></html>"}, "no article text"),
    ],
)
def test_a_url_that_gives_no_article_is_a_400_with_the_reason(
    editor, web_double, path, served, detail
):
    url = web_double.serve(path, **served)

    response = token_client(editor).post(f"{API}/articles/", {"url": url})

    assert response.status_code == 400 and response.json()["detail"].startswith(detail)
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_a_private_url_is_refused_through_the_api_by_default(editor, settings, web_double):
    settings.FETCH_ALLOW_PRIVATE_HOSTS = False
    url = web_double.serve("/world/geneva", PAGE)

    response = token_client(editor).post(f"{API}/articles/", {"url": url})

    assert response.status_code == 400
    assert response.json() == {"detail": "fetch refused: 127.0.0.1 is a loopback address"}
    assert web_double.requests == []


@pytest.mark.django_db
def test_reviewers_and_anonymous_callers_may_not_fetch_urls(reviewer, web_double):
    url = web_double.serve("/world/geneva", PAGE)

    assert token_client(reviewer).post(f"{API}/articles/", {"url": url}).status_code == 403
    assert APIClient().post(f"{API}/articles/", {"url": url}).status_code == 401
    assert web_double.requests == [] and not Article.objects.exists()
