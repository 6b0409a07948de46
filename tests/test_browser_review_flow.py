"""A day on the review desk, in headless Chromium at 1280 px, on the claims the pipeline finds in
seed article 000 with the offline corpus.

An editor hands out the day's claims; a reviewer checks the worked example ("Putin announced
plans to send 150,000 troops to Syria") with a source of their own and a sentence they searched
for; the editor returns it with a note; the reviewer revises; a second editor publishes; an
editor corrects it; and a reader, logged out, sees the correction, the earlier version and the
corrections page. Triage: an editor dismisses the headline and the photo caption in bulk.

Nothing here is queued to a worker: searching and attaching run in the web request. The
pipeline's part (extraction, evidence) is done before the browser starts, by calling the
services its tasks call (tests/test_end_to_end.py runs them on a real worker).

With FACTCHECK_SCREENSHOTS naming a folder, the steps leave the README's pictures there
(tests/screenshots.py).
"""

import datetime as dt
import json
from unittest import mock

import pytest
from django.utils import timezone
from django.utils.formats import date_format
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.wait import WebDriverWait

from factcheck import services as pipeline
from factcheck import tasks
from factcheck.evidence.corpus import CorpusSource
from factcheck.heartbeat import heartbeat_record
from factcheck.ingestion import read_document
from factcheck.management.commands.demo import CONSCRIPTION_SOURCE, WORKED_EXAMPLE_RATIONALE
from factcheck.models import Article, Claim
from reviews.models import PublishedVersion, Review
from tests.browser import chromium
from tests.conftest import CORPUS_PATH, SEED_000, make_staff_user
from tests.screenshots import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TROOPS = "150,000 troops"
HEADLINE = "Russia sends 'most ruthless' special forces"
CAPTION = "Russian Spetsnaz troopers during an anti-terrorist mission"
# The reviewer's own words in the search box; the sentence they attach from its results.
SEARCH_WORDS = "Russian marines Syria 1,500 personnel"
MARINES = "200 Marines (with housing facilities for 1,500 personnel)"
# The machine's own evidence sentence the verdict also cites.
FORTY_EIGHT_THOUSAND = "48,000 Russian armed forces members"
# How each sentence's citation checkbox begins (a label shows the first 160 characters).
CITE_MARINES = "ground forces include 6 T-90 tanks"
CITE_FORTY_EIGHT_THOUSAND = "At the end of December 2017"
FIRST_RATIONALE = (
    "Putin announced no such plan. The 150,000 figure matches Russia's autumn conscription "
    "call-up, and Wikipedia describes a far smaller force in Syria."
)
RETURN_NOTE = (
    "Give the call-up's own figure (147,100) and the spokesman's denial from your source, "
    "and the Wikipedia numbers, so a reader can follow."
)
CORRECTION_REASON = (
    "The article attributes the plan to Putin without quoting him, and no source shows anyone "
    "announcing it: the claim is unsupported rather than misattributed."
)


@pytest.fixture
def browser():
    yield from chromium()


@pytest.fixture(autouse=True)
def corpus_source(settings):
    settings.EVIDENCE_SOURCE = "corpus"


@pytest.fixture(autouse=True)
def a_worker_ran(settings, db):
    """The pipeline's part ran before the browser starts (seed_000_through_the_pipeline), as a
    worker's would: its heartbeat keeps the admin's "No worker is running" banner off the pages
    and the README's pictures, however long the day in the browser takes."""
    settings.WORKER_HEARTBEAT_STALE_SECONDS = 3600
    heartbeat_record(hostname="celery@desk-day")


@pytest.fixture
def second_editor(db):
    return make_staff_user("erin_editor", "Editor")


# --- Steps a person takes ------------------------------------------------------------------


def submit(browser, by: str, value: str) -> None:
    """Click something that loads a new page, and wait for that page: a click returns before
    the browser has navigated, and the next step must not read (or cut off) the old page."""
    old_page = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(by, value).click()

    def old_page_gone(_) -> bool:
        try:
            old_page.is_enabled()
        except WebDriverException:  # stale, or Chromium's "node does not belong to the document"
            return True
        return False

    WebDriverWait(browser, 15).until(old_page_gone)


def log_in(browser, live_server, username: str) -> None:
    browser.delete_all_cookies()
    browser.get(live_server.url + "/admin/login/")
    browser.find_element(By.NAME, "username").send_keys(username)
    browser.find_element(By.NAME, "password").send_keys("pw-" + username)
    submit(browser, By.CSS_SELECTOR, "input[type=submit]")
    assert username.upper() in browser.find_element(By.ID, "user-tools").text.upper()


def shown_text(browser) -> str:
    """What a reader sees: the browser's innerText leaves out closed <details> bodies, which
    Selenium's element text would count."""
    return browser.execute_script("return document.body.innerText")


def title(browser) -> str:
    return browser.find_element(By.CSS_SELECTOR, "#content h1").text


def messages(browser) -> str:
    """The page's messages, without the banner that says no worker is running."""
    return browser.find_element(By.CSS_SELECTOR, "ul.messagelist:not(#worker-banner)").text


def count_of(browser, css: str) -> int:
    """How many elements match, at once: the driver's implicit wait would otherwise spend five
    seconds proving that something is not there."""
    browser.implicitly_wait(0)
    try:
        return len(browser.find_elements(By.CSS_SELECTOR, css))
    finally:
        browser.implicitly_wait(5)


def tick(browser, name: str, containing: str) -> None:
    """Tick the checkbox of field `name` whose label contains the words."""
    label = browser.find_element(
        By.XPATH, f"//input[@name='{name}']/parent::label[contains(., \"{containing}\")]"
    )
    checkbox = label.find_element(By.TAG_NAME, "input")
    if not checkbox.is_selected():
        checkbox.click()


def ticked(browser, name: str) -> list[str]:
    return [
        box.find_element(By.XPATH, "..").text
        for box in browser.find_elements(By.CSS_SELECTOR, f"input[name='{name}']")
        if box.is_selected()
    ]


def select_claims(browser, *claims: Claim) -> None:
    for claim in claims:
        browser.find_element(
            By.CSS_SELECTOR, f"input[name=_selected_action][value='{claim.pk}']"
        ).click()


def run_action(browser, action: str) -> None:
    Select(browser.find_element(By.NAME, "action")).select_by_value(action)
    submit(browser, By.NAME, "index")  # the action bar's "Go"


def filter_link(browser, text: str) -> None:
    """Follow a link of the queue's filter sidebar ("Awaiting approval", "Dismissed")."""
    submit(browser, By.XPATH, f"//*[@id='changelist-filter']//a[normalize-space()='{text}']")


def open_claim(browser, words: str) -> None:
    submit(browser, By.PARTIAL_LINK_TEXT, words)


def queue_rows(browser) -> str:
    return browser.find_element(By.ID, "result_list").text


def today_as_shown() -> str:
    return date_format(timezone.localdate(), "j F Y")


# --- The article the desk works on ---------------------------------------------------------


def seed_000_through_the_pipeline() -> Article:
    """Seed article 000 ingested, its claims extracted and their evidence ranked from the
    shipped corpus: what a worker leaves for the desk. The tasks the services would queue are
    stubbed, since the test runs each step itself."""
    draft = read_document(SEED_000.read_bytes(), filename=SEED_000.name, max_bytes=10**6)
    with (
        mock.patch.object(tasks.process_article, "delay"),
        mock.patch.object(tasks.extract_article_claims, "delay"),
        mock.patch.object(tasks.fetch_article_pages, "delay"),
    ):
        article = pipeline.article_ingest(draft=draft).article
        while Article.objects.filter(pk=article.pk, status=Article.Status.QUEUED).exists():
            pipeline.article_extract_claims(article_id=article.pk)  # one chunk of text a call
    source = CorpusSource([CORPUS_PATH])
    for claim_id in article.claims.values_list("pk", flat=True):
        pipeline.claim_gather_evidence(claim_id=claim_id, source=source)
    article.refresh_from_db()
    assert article.status == Article.Status.READY
    return article


# --- The day --------------------------------------------------------------------------------


def test_a_verdict_goes_from_assignment_through_a_send_back_to_a_public_correction(
    browser, live_server, reviewer, editor, second_editor
):
    article = seed_000_through_the_pipeline()
    troops = article.claims.get(text__contains=TROOPS)
    mirror = article.claims.get(text__contains="More than 50 facilities")
    us_accusation = article.claims.get(text__contains="The United States has also accused")
    browser.set_window_size(1280, 900)
    due_on = timezone.localdate() + dt.timedelta(days=2)

    # Morning: the editor gives the reviewer three claims of the article, due in two days.
    log_in(browser, live_server, editor.username)
    browser.get(live_server.url + "/admin/reviews/queueclaim/")
    assert title(browser) == "Needs action"
    select_claims(browser, troops, mirror, us_accusation)
    run_action(browser, "assign_to")
    Select(browser.find_element(By.NAME, "assignee")).select_by_visible_text(reviewer.username)
    browser.execute_script(  # a date input takes typing in the browser's locale; set its value
        "arguments[0].value = arguments[1]",
        browser.find_element(By.NAME, "due_on"),
        due_on.isoformat(),
    )
    Select(browser.find_element(By.NAME, "priority")).select_by_value("high")
    submit(browser, By.NAME, "apply")
    assert messages(browser) == (
        f"3 claims assigned to rita_reviewer, due {date_format(due_on, 'j F Y')}, high priority."
    )

    # The reviewer lands on "My work" and opens the worked example from it.
    log_in(browser, live_server, reviewer.username)
    assert title(browser) == "My work"
    rows = queue_rows(browser)
    assert TROOPS in rows and "More than 50 facilities" in rows and "The United States" in rows
    screenshot(browser, "my-work.png", bottom=browser.find_element(By.ID, "changelist-form"))
    open_claim(browser, TROOPS)
    assert "Vladimir Putin" in shown_text(browser)  # the fullest name the article gives

    # Their own words in the search box; they attach the sentence about the marines.
    browser.find_element(By.ID, "evidence-q").send_keys(SEARCH_WORDS)
    submit(browser, By.CSS_SELECTOR, "form.search-evidence input[type=submit]")
    submit(
        browser,
        By.XPATH,
        f"//table[contains(@class, 'search-results')]//tr[contains(., '{MARINES}')]"
        "//input[@name='_attach']",
    )
    assert "Sentence attached as evidence." in messages(browser)
    assert "Added by rita_reviewer from a search for “Russian marines Syria 1,500 personnel”" in (
        shown_text(browser)
    )
    screenshot(
        browser,
        "claim-search-results.png",
        top=browser.find_element(By.ID, "search"),
        bottom=browser.find_element(By.XPATH, f"//tr[contains(., '{MARINES}')][.//strong]"),
    )

    # A source of their own: the newspaper that printed the call-up decree.
    browser.find_element(By.XPATH, "//summary[text()='Add a source']").click()
    for field in ("url", "title", "publisher", "quote"):
        browser.find_element(By.NAME, f"source-{field}").send_keys(CONSCRIPTION_SOURCE[field])
    screenshot(
        browser,
        "claim-own-source.png",
        top=browser.find_element(By.ID, "sources"),
        bottom=browser.find_element(By.NAME, "_add_source"),
    )
    submit(browser, By.NAME, "_add_source")
    assert "Source added; you can cite it now." in messages(browser)

    # The verdict cites the machine's sentence, the searched one and the own source.
    browser.find_element(By.CSS_SELECTOR, "input[name=verdict][value=misattributed]").click()
    browser.find_element(By.NAME, "rationale").send_keys(FIRST_RATIONALE)
    tick(browser, "cited_evidence", CITE_FORTY_EIGHT_THOUSAND)
    tick(browser, "cited_evidence", CITE_MARINES)
    tick(browser, "cited_sources", CONSCRIPTION_SOURCE["title"])
    screenshot(
        browser,
        "claim-verdict.png",
        top=browser.find_element(By.ID, "verdict"),
        bottom=browser.find_element(By.NAME, "_verdict"),
    )
    submit(browser, By.NAME, "_verdict")
    assert "Verdict submitted for approval" in messages(browser)
    # Two people: the reviewer has no way to publish their own verdict.
    assert count_of(browser, "input[name=_publish]") == 0
    review = Review.objects.get(claim=troops)
    assert review.state == Review.State.SUBMITTED
    assert sorted(e.sentence for e in review.cited_evidence.all()) == sorted(
        e.sentence
        for e in troops.evidence.all()
        if FORTY_EIGHT_THOUSAND in e.sentence or MARINES in e.sentence
    )
    assert [s.url for s in review.cited_sources.all()] == [CONSCRIPTION_SOURCE["url"]]

    # The editor opens "Awaiting approval" and returns the verdict with a note.
    log_in(browser, live_server, editor.username)
    browser.get(live_server.url + "/admin/reviews/queueclaim/")
    filter_link(browser, "Awaiting approval")
    assert title(browser) == "Awaiting approval"
    assert TROOPS in queue_rows(browser) and "The United States" not in queue_rows(browser)
    screenshot(
        browser,
        "queue-awaiting-approval.png",
        bottom=browser.find_element(By.ID, "changelist-form"),
    )
    open_claim(browser, TROOPS)
    browser.find_element(By.NAME, "return-note").send_keys(RETURN_NOTE)
    submit(browser, By.NAME, "_return")
    assert "Returned to the reviewer with your note." in messages(browser)

    # The reviewer finds it returned in "My work", reads the note, and revises the rationale.
    log_in(browser, live_server, reviewer.username)
    assert "Returned" in queue_rows(browser)
    open_claim(browser, TROOPS)
    note = browser.find_element(By.ID, "returned-note").text
    assert "Returned to rita_reviewer by eddie_editor" in note and RETURN_NOTE in note
    screenshot(browser, "returned-note.png", height=620)
    assert ticked(browser, "cited_sources") and len(ticked(browser, "cited_evidence")) == 2
    rationale = browser.find_element(By.NAME, "rationale")
    rationale.clear()
    rationale.send_keys(WORKED_EXAMPLE_RATIONALE)
    submit(browser, By.NAME, "_verdict")
    assert "Verdict submitted for approval" in messages(browser)
    assert count_of(browser, "input[name=_publish]") == 0

    # A second editor publishes it.
    log_in(browser, live_server, second_editor.username)
    browser.get(live_server.url + "/admin/reviews/queueclaim/?review_status=submitted")
    open_claim(browser, TROOPS)
    submit(browser, By.NAME, "_publish")
    assert "Verdict published." in messages(browser)
    review.refresh_from_db()
    assert (review.state, review.published_by, review.rationale) == (
        Review.State.PUBLISHED,
        second_editor,
        WORKED_EXAMPLE_RATIONALE,
    )

    # Later the first editor corrects the published verdict, with a reason for readers.
    log_in(browser, live_server, editor.username)
    browser.get(live_server.url + f"/admin/reviews/queueclaim/{troops.pk}/change/")
    browser.find_element(By.XPATH, "//summary[text()='Correct the published verdict']").click()
    browser.find_element(By.CSS_SELECTOR, "input[name=correct-verdict][value=unsupported]").click()
    browser.find_element(By.NAME, "correct-reason").send_keys(CORRECTION_REASON)
    submit(browser, By.NAME, "_correct")
    assert "The correction is published." in messages(browser)
    assert [v.kind for v in review.versions.order_by("number")] == [
        PublishedVersion.Kind.FIRST,
        PublishedVersion.Kind.CORRECTION,
    ]

    # A reader, logged out, finds the verdict with the correction and the earlier version.
    browser.delete_all_cookies()
    browser.get(live_server.url + "/verdicts/")
    open_claim(browser, TROOPS)
    notice = browser.find_element(By.CSS_SELECTOR, "aside.changes-notice").text
    assert f"Corrected on {today_as_shown()}: {CORRECTION_REASON}" in notice
    assert "Our verdict: unsupported" in shown_text(browser)
    earlier = browser.find_element(By.ID, "earlier-versions").text
    assert "misattributed" in earlier.lower() and WORKED_EXAMPLE_RATIONALE in earlier
    assert "Earlier versions" in notice and count_of(browser, ".earlier-version") == 1
    markup = browser.find_element(By.CSS_SELECTOR, "script[type='application/ld+json']")
    data = json.loads(markup.get_attribute("innerHTML"))
    assert data["reviewRating"]["alternateName"] == "Unsupported"
    assert data["dateModified"].startswith(timezone.now().date().isoformat())
    screenshot(
        browser,
        "public-correction.png",
        bottom=browser.find_element(By.CSS_SELECTOR, "article > .rationale"),
    )
    screenshot(
        browser,
        "public-earlier-version.png",
        top=browser.find_element(By.ID, "earlier-versions"),
        bottom=browser.find_element(By.ID, "earlier-versions"),
    )

    browser.get(live_server.url + "/corrections/")
    listed = browser.find_element(By.CSS_SELECTOR, "ol.corrections").text
    assert f"Corrected on {today_as_shown()}" in listed and TROOPS in listed
    assert "misattributed → unsupported" in listed.lower() and CORRECTION_REASON in listed


# --- Triage ---------------------------------------------------------------------------------


def test_an_editor_dismisses_the_headline_and_the_photo_caption_in_bulk(
    browser, live_server, editor
):
    article = seed_000_through_the_pipeline()
    headline = article.claims.get(text__startswith=HEADLINE)
    caption = article.claims.get(text__startswith=CAPTION)
    browser.set_window_size(1280, 900)

    log_in(browser, live_server, editor.username)
    browser.get(live_server.url + "/admin/reviews/queueclaim/")
    assert HEADLINE in queue_rows(browser) and CAPTION in queue_rows(browser)
    select_claims(browser, headline, caption)
    run_action(browser, "dismiss_claims")
    assert title(browser) == "Dismiss claims"
    assert "2 claims selected" in shown_text(browser)
    browser.find_element(By.CSS_SELECTOR, "input[name=reason][value=not_checkable]").click()
    screenshot(browser, "bulk-dismiss.png", bottom=browser.find_element(By.NAME, "apply"))
    submit(browser, By.NAME, "apply")

    assert messages(browser) == "2 claims dismissed (not checkable)."
    assert title(browser) == "Needs action"
    rows = queue_rows(browser)
    assert HEADLINE not in rows and CAPTION not in rows and TROOPS in rows
    filter_link(browser, "Dismissed")
    assert title(browser) == "Dismissed claims"
    rows = queue_rows(browser)
    assert HEADLINE in rows and CAPTION in rows and TROOPS not in rows
    for claim in (headline, caption):
        review = Review.objects.get(claim=claim)
        assert (review.dismissed_reason, review.dismissed_by) == ("not_checkable", editor)
