"""The desk as people use it, in headless Chromium: a reviewer takes the worked example from
the queue and records a verdict, an editor publishes it, a reader sees the public page."""

import json

import pytest
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

from tests.browser import chromium
from tests.factories import make_article, make_claim, make_evidence, make_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser():
    yield from chromium()


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


def test_a_reviewer_records_a_verdict_an_editor_publishes_it_and_a_reader_sees_it(
    browser, live_server, reviewer, editor
):
    sentence = (
        "Moscow's latest move comes after Putin announced plans to send 150,000 troops to Syria."
    )
    article = make_article(text=f"Russia sends forces\n\n{sentence}", status="ready")
    claim = make_claim(
        article=article, sentence=sentence, claimant="Putin", cue="announced",
        claimant_start=article.text.index("Putin"),
        claimant_end=article.text.index("Putin") + 5,
    )  # fmt: skip
    page = make_page(title="Russian military intervention in the Syrian civil war")
    make_evidence(
        claim=claim, page=page,
        sentence="In 2015 the Russian ground force in Syria numbered about 200 marines.",
    )  # fmt: skip

    log_in(browser, live_server, reviewer.username)
    browser.get(live_server.url + "/admin/reviews/queueclaim/")
    submit(browser, By.PARTIAL_LINK_TEXT, "150,000 troops")
    page = browser.find_element(By.TAG_NAME, "body").text
    assert "Putin" in page and "announced" in page
    assert claim.evidence.first().sentence[:40] in page

    submit(browser, By.NAME, "_assign_to_me")
    browser.find_element(By.CSS_SELECTOR, "input[name=verdict][value=misattributed]").click()
    browser.find_element(By.NAME, "rationale").send_keys("The figure was the autumn call-up.")
    browser.find_element(By.CSS_SELECTOR, "input[name=cited_evidence]").click()
    submit(browser, By.NAME, "_verdict")
    assert "Verdict submitted for approval" in browser.find_element(By.TAG_NAME, "body").text

    log_in(browser, live_server, editor.username)
    browser.get(live_server.url + f"/admin/reviews/queueclaim/{claim.pk}/change/")
    submit(browser, By.NAME, "_publish")
    assert "Verdict published." in browser.find_element(By.TAG_NAME, "body").text

    browser.delete_all_cookies()
    browser.get(live_server.url + "/verdicts/")
    submit(browser, By.PARTIAL_LINK_TEXT, "150,000 troops")
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "misattributed" in body.lower()
    assert "The figure was the autumn call-up." in body
    markup = browser.find_element(By.CSS_SELECTOR, "script[type='application/ld+json']")
    data = json.loads(markup.get_attribute("innerHTML"))
    assert data["reviewRating"]["alternateName"] == "Misattributed"
