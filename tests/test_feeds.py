"""Feeds (factcheck/feed_reading.py, services.feed_poll, the poll tasks, the admin), against the
local web double only: entries become articles once, a 304 does nothing, failures back off."""

import threading
from datetime import date, timedelta
from unittest import mock

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from factcheck import services, tasks
from factcheck.celery import app
from factcheck.feed_reading import FeedFormatError, read_feed
from factcheck.models import Article, Feed, FeedEntry
from reviews.models import AuditEntry
from tests.web_double import article_page, rss_feed, web_double_fixture  # noqa: F401

INTERVAL = 900.0


@pytest.fixture(autouse=True)
def feed_settings(settings):
    settings.FETCH_ALLOW_PRIVATE_HOSTS = True  # the web double listens on 127.0.0.1
    settings.FETCH_TIMEOUT_SECONDS = 5.0
    settings.FEED_POLL_INTERVAL_SECONDS = INTERVAL
    settings.FEED_RETRY_MAX_SECONDS = 4 * INTERVAL


def story(n: int, *, edition: str = "") -> str:
    return article_page(
        f"Story number {n}",
        [
            f"Officials in district {n} met on Monday to discuss the evacuation plan{edition}.",
            f"The minister said that {n * 100} people were evacuated from district {n} over "
            "the weekend, a figure the opposition disputed in parliament on Tuesday.",
        ],
    )


def serve_feed(web, numbers: list[int], *, etag: str, path: str = "/feed.xml") -> str:
    """The feed at path with an entry per number, newest first, each page served too."""
    items = []
    for n in numbers:
        web.serve(f"/stories/{n}", story(n))
        items.append({"guid": f"story-{n}", "link": f"/stories/{n}", "title": f"Story {n}"})
    return web.serve(
        path, rss_feed("Example Times: World", items), content_type="application/rss+xml", etag=etag
    )


def poll(feed: Feed, *, after: float = 0.0) -> services.FeedPollReport:
    """Poll the feed as the worker would, `after` seconds from now."""
    return services.feed_poll(feed_id=feed.pk, now=timezone.now() + timedelta(seconds=after))


def page_requests(web) -> list[str]:
    return [r.path for r in web.requests if r.path.startswith("/stories/")]


# --- Reading a feed (pure) ---------------------------------------------------------------------


def test_reading_an_rss_feed_gives_each_entry_with_an_absolute_link_and_its_date():
    body = rss_feed(
        "Example Times: World",
        [
            {"guid": "a-1", "link": "/stories/1", "title": "One", "pubDate": "Sat, 21 Nov 2026"},
            {"guid": "a-2", "link": "https://other.example.org/2", "title": "Two"},
            {"guid": "a-1", "link": "/stories/1-again", "title": "One, repeated"},
        ],
    )

    contents = read_feed(body.encode(), url="https://news.example.org/feeds/world.xml")

    assert contents.title == "Example Times: World"
    assert [(i.key, i.link, i.title, i.published_on) for i in contents.items] == [
        ("a-1", "https://news.example.org/stories/1", "One", date(2026, 11, 21)),
        ("a-2", "https://other.example.org/2", "Two", date(2026, 11, 20)),
    ]


def test_reading_an_atom_feed_keys_entries_by_id_else_link():
    body = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Desk watch</title><id>urn:feed</id>
<updated>2026-11-20T08:00:00Z</updated>
<entry><title>With id</title><id>urn:uuid:1</id><link href="https://a.example.org/1"/>
<updated>2026-11-19T08:00:00Z</updated></entry>
<entry><title>Link only</title><link href="https://a.example.org/2"/></entry>
</feed>"""

    items = read_feed(body, url="https://a.example.org/atom").items

    assert [(i.key, i.link, i.published_on) for i in items] == [
        ("urn:uuid:1", "https://a.example.org/1", date(2026, 11, 19)),
        ("https://a.example.org/2", "https://a.example.org/2", None),
    ]


@pytest.mark.parametrize(
    "body",
    [
        b"<html><body><p>Not a feed</p></body></html>",
        b"",
        # feedparser opens a string it is given as a file name: a body must never be one.
        str(django_settings.BASE_DIR / "pyproject.toml").encode(),
    ],
)
def test_a_document_that_is_no_feed_is_refused(body):
    with pytest.raises(FeedFormatError, match="^not an RSS or Atom feed"):
        read_feed(body, url="https://news.example.org/feed")


# --- Polling -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_feed_with_three_entries_gives_three_articles_and_the_next_poll_gets_a_304(
    web_double,
):
    feed = Feed.objects.create(url=serve_feed(web_double, [3, 2, 1], etag='"v1"'))

    report = poll(feed)

    assert (report.polled, report.ingested, report.failed, report.deferred) == (True, 3, 0, 0)
    assert sorted(Article.objects.values_list("title", flat=True)) == [
        "Story number 1",
        "Story number 2",
        "Story number 3",
    ]
    article = Article.objects.get(title="Story number 2")
    assert (article.source_url, article.source_name) == (
        web_double.url("/stories/2"),
        "feed: Example Times: World",
    )
    assert FeedEntry.objects.filter(status=FeedEntry.Status.INGESTED).count() == 3
    feed.refresh_from_db()
    assert (feed.title, feed.etag, feed.consecutive_failures, feed.last_error) == (
        "Example Times: World",
        '"v1"',
        0,
        "",
    )
    assert feed.next_poll_at == feed.last_polled_at + timedelta(seconds=INTERVAL)

    again = poll(feed, after=INTERVAL)

    assert again.polled and again.not_modified
    assert web_double.requests_to("/feed.xml")[-1].headers["If-None-Match"] == '"v1"'
    assert Article.objects.count() == 3 and len(page_requests(web_double)) == 3


@pytest.mark.django_db
def test_a_feed_that_is_not_due_is_left_alone(web_double):
    feed = Feed.objects.create(url=serve_feed(web_double, [1], etag='"v1"'))
    poll(feed)

    assert poll(feed, after=INTERVAL / 2) == services.FeedPollReport(polled=False)
    Feed.objects.filter(pk=feed.pk).update(active=False)
    assert not poll(feed, after=INTERVAL).polled
    assert len(web_double.requests_to("/feed.xml")) == 1


@pytest.mark.django_db
def test_only_a_new_entry_is_ingested_even_when_an_old_entrys_page_has_changed(web_double):
    feed = Feed.objects.create(url=serve_feed(web_double, [2, 1], etag='"v1"'))
    poll(feed)
    serve_feed(web_double, [3, 2, 1], etag='"v2"')
    # Story 1's page is edited after publication: new text, same entry.
    web_double.serve("/stories/1", story(1, edition=" (updated)"))

    report = poll(feed, after=INTERVAL)

    assert (report.ingested, report.not_modified) == (1, False)
    assert page_requests(web_double) == ["/stories/2", "/stories/1", "/stories/3"]
    assert Article.objects.count() == 3
    assert Feed.objects.get().etag == '"v2"'


@pytest.mark.django_db
def test_an_entry_whose_page_is_gone_is_recorded_with_why_and_not_tried_again(web_double):
    feed = Feed.objects.create(url=serve_feed(web_double, [2, 1], etag='"v1"'))
    web_double.serve("/stories/2", "", status=404)

    report = poll(feed)

    assert (report.ingested, report.failed) == (1, 1)
    gone = FeedEntry.objects.get(entry_key="story-2")
    assert (gone.status, gone.error, gone.article) == (FeedEntry.Status.FAILED, "HTTP 404", None)
    assert Feed.objects.get().etag == '"v1"'  # every entry dealt with


@pytest.mark.django_db
def test_an_entry_that_fails_for_now_is_tried_again_on_the_next_poll(web_double):
    feed = Feed.objects.create(url=serve_feed(web_double, [2, 1], etag='"v1"'))
    web_double.serve("/stories/2", "busy", status=503)

    first = poll(feed)

    assert (first.ingested, first.deferred) == (1, 1)
    assert not FeedEntry.objects.filter(entry_key="story-2").exists()
    # The feed's validators are not kept, so the next poll reads the whole feed again.
    assert Feed.objects.get().etag == ""

    web_double.serve("/stories/2", story(2))
    second = poll(feed, after=INTERVAL)

    assert (second.not_modified, second.ingested, second.deferred) == (False, 1, 0)
    assert "If-None-Match" not in web_double.requests_to("/feed.xml")[-1].headers
    assert Article.objects.count() == 2 and Feed.objects.get().etag == '"v1"'


@pytest.mark.django_db
def test_a_long_backlog_is_taken_in_batches_and_the_feed_is_due_again_at_once(
    web_double, monkeypatch
):
    monkeypatch.setattr(services, "FEED_ENTRIES_PER_POLL", 2)
    feed = Feed.objects.create(url=serve_feed(web_double, [3, 2, 1], etag='"v1"'))

    first = poll(feed)
    feed.refresh_from_db()

    assert (first.ingested, first.deferred) == (2, 1)
    assert feed.next_poll_at == feed.last_polled_at and feed.etag == ""
    assert poll(feed, after=1).ingested == 1
    assert Article.objects.count() == 3


@pytest.mark.django_db
def test_a_failing_feed_records_the_reason_backs_off_and_recovers(web_double):
    feed = Feed.objects.create(url=web_double.serve("/feed.xml", "down", status=500))
    waits = []
    after = 0.0
    for _ in range(4):
        report = poll(feed, after=after)
        feed.refresh_from_db()
        waits.append((feed.next_poll_at - feed.last_polled_at).total_seconds())
        after = (feed.next_poll_at - timezone.now()).total_seconds() + 1

    assert report.error == "HTTP 500"
    assert (feed.consecutive_failures, feed.last_error) == (4, "HTTP 500")
    assert waits == [INTERVAL, 2 * INTERVAL, 4 * INTERVAL, 4 * INTERVAL]  # capped

    serve_feed(web_double, [1], etag='"v1"')
    recovered = poll(feed, after=after)
    feed.refresh_from_db()

    assert (recovered.error, recovered.ingested) == ("", 1)
    assert (feed.consecutive_failures, feed.last_error) == (0, "")
    assert feed.next_poll_at == feed.last_polled_at + timedelta(seconds=INTERVAL)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("served", "reason"),
    [
        ({"body": "<html><body>Maintenance</body></html>"}, "not an RSS or Atom feed"),
        ({"body": "x" * 2000, "content_type": "application/rss+xml"}, "feed too large (over 1 KB)"),
    ],
)
def test_a_feed_that_cannot_be_read_says_why(web_double, settings, served, reason):
    settings.FETCH_MAX_BYTES = 1024
    feed = Feed.objects.create(url=web_double.serve("/feed.xml", **served))

    poll(feed)

    assert Feed.objects.get().last_error.startswith(reason)


@pytest.mark.django_db
def test_a_feed_on_a_private_address_is_refused_by_default(web_double, settings):
    settings.FETCH_ALLOW_PRIVATE_HOSTS = False
    feed = Feed.objects.create(url=serve_feed(web_double, [1], etag='"v1"'))

    poll(feed)

    assert Feed.objects.get().last_error == "fetch refused: 127.0.0.1 is a loopback address"
    assert web_double.requests == []


@pytest.mark.django_db(transaction=True)
def test_two_workers_polling_at_once_do_not_both_take_the_feed(web_double):
    # An empty feed, slow to answer: the first poller holds the feed while it waits.
    url = web_double.serve(
        "/feed.xml", rss_feed("Quiet", []), content_type="application/rss+xml", delay=0.5
    )
    feed = Feed.objects.create(url=url)
    reports = []

    def worker() -> None:
        try:
            reports.append(services.feed_poll(feed_id=feed.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(report.polled for report in reports) == [False, True]
    assert len(web_double.requests_to("/feed.xml")) == 1


# --- Tasks and beat ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_beat_queues_a_poll_of_each_due_active_feed_only():
    now = timezone.now()
    due = Feed.objects.create(url="https://a.example.org/feed", next_poll_at=now)
    Feed.objects.create(url="https://b.example.org/feed", next_poll_at=now + timedelta(hours=1))
    Feed.objects.create(url="https://c.example.org/feed", next_poll_at=now, active=False)

    with mock.patch.object(tasks.poll_feed, "apply_async") as queued:
        tasks.poll_feeds()

    queued.assert_called_once_with((due.pk,), expires=60)


def test_beat_runs_the_feed_poll_every_minute_and_the_tasks_are_registered():
    entry = django_settings.CELERY_BEAT_SCHEDULE["poll-feeds"]
    assert (entry["task"], entry["schedule"]) == ("factcheck.poll_feeds", 60.0)
    assert {"factcheck.poll_feeds", "factcheck.poll_feed"} <= set(app.tasks)


@pytest.mark.django_db
def test_the_poll_task_of_a_deleted_feed_does_nothing():
    tasks.poll_feed(123456)  # no error, nothing to poll


# --- Admin ---------------------------------------------------------------------------------------

ADD_URL = reverse("admin:factcheck_feed_add")
LIST_URL = reverse("admin:factcheck_feed_changelist")
ENTRIES_URL = reverse("admin:factcheck_feedentry_changelist")


@pytest.mark.django_db
def test_an_editor_adds_a_feed_in_the_admin(as_editor):
    assert as_editor.get(ADD_URL).status_code == 200

    response = as_editor.post(
        ADD_URL, {"url": "https://news.example.org/world.xml", "title": "", "active": "on"}
    )

    assert response.status_code == 302
    feed = Feed.objects.get()
    assert (feed.url, feed.active) == ("https://news.example.org/world.xml", True)
    assert feed.next_poll_at <= timezone.now()  # due at once
    listing = as_editor.get(LIST_URL)
    assert b"news.example.org/world.xml" in listing.content
    assert as_editor.get(ENTRIES_URL).status_code == 200


@pytest.mark.django_db
def test_the_admin_refuses_a_feed_url_that_is_not_http(as_editor):
    response = as_editor.post(ADD_URL, {"url": "javascript:alert(1)//x.org", "active": "on"})

    assert response.status_code == 200 and not Feed.objects.exists()


@pytest.mark.django_db
def test_poll_now_makes_the_feed_due_and_queues_its_poll(
    as_editor, editor, django_capture_on_commit_callbacks
):
    feed = Feed.objects.create(
        url="https://news.example.org/world.xml", next_poll_at=timezone.now() + timedelta(hours=3)
    )
    idle = Feed.objects.create(url="https://news.example.org/idle.xml", active=False)

    with (
        mock.patch.object(tasks.poll_feed, "delay") as queued,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = as_editor.post(
            LIST_URL,
            {"action": "poll_now", "_selected_action": [feed.pk, idle.pk]},
            follow=True,
        )

    queued.assert_called_once_with(feed.pk)
    feed.refresh_from_db()
    assert feed.next_poll_at <= timezone.now()
    page = response.content.decode()
    assert "Polling 1 feed now" in page and "1 inactive feed(s) not polled" in page
    entry = AuditEntry.objects.get(action="feed_poll_requested")
    assert (entry.actor, entry.details) == (editor, {"feed_id": feed.pk})


@pytest.mark.django_db
def test_reviewers_may_not_see_add_or_poll_feeds(as_reviewer):
    feed = Feed.objects.create(url="https://news.example.org/world.xml")

    assert as_reviewer.get(ADD_URL).status_code == 403
    assert as_reviewer.get(LIST_URL).status_code == 403
    assert as_reviewer.get(ENTRIES_URL).status_code == 403
    response = as_reviewer.post(LIST_URL, {"action": "poll_now", "_selected_action": [feed.pk]})
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action="feed_poll_requested").exists()
    assert b"Feeds" not in as_reviewer.get(reverse("admin:index")).content
