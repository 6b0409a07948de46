"""The claim page in headless Chromium at 1280 px: a reviewer searches in their own words,
attaches a sentence, adds a source of their own, and submits a verdict citing both, and the
page never scrolls sideways."""

import os
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from reviews.models import Review
from tests.browser import chromium
from tests.factories import make_article, make_claim, make_evidence, make_page
from tests.test_browser_review_flow import log_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SENTENCE = "Moscow's latest move comes after Putin announced plans to send 150,000 troops to Syria."


@pytest.fixture
def browser():
    yield from chromium()


@pytest.fixture(autouse=True)
def corpus_source(settings):
    settings.EVIDENCE_SOURCE = "corpus"


def shown_text(browser) -> str:
    """What a reader sees. Selenium's element text counts a closed <details> body as
    visible; the browser's own innerText does not."""
    return browser.execute_script("return document.body.innerText")


def no_sideways_scroll(browser) -> bool:
    return browser.execute_script(
        "return document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def screenshot(browser, name: str) -> None:
    """Keep a picture of the page when FACTCHECK_SCREENSHOTS names a folder (for the README)."""
    folder = os.environ.get("FACTCHECK_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(Path(folder) / name))


def test_a_reviewer_cites_a_searched_sentence_and_an_own_source_at_1280_px(
    browser, live_server, reviewer
):
    article = make_article(text=f"Russia sends forces\n\n{SENTENCE}", status="ready")
    claim = make_claim(
        article=article, sentence=SENTENCE, claimant="Putin", claimant_name="Vladimir Putin",
        cue="announced", claimant_start=article.text.index("Putin"),
        claimant_end=article.text.index("Putin") + 5,
        evidence_hints=[{
            "kind": "number_mismatch",
            "message": "The claim says 150,000 troops; Wikipedia gives 48,000 Russian "
            "servicemen (Russian military intervention in the Syrian civil war).",
        }],
    )  # fmt: skip
    make_evidence(
        claim=claim,
        page=make_page(title="Russian military intervention in the Syrian civil war"),
        sentence="In 2015 the Russian ground force in Syria numbered about 200 marines.",
        score=2.756,
        method="bm25+entity",
    )
    browser.set_window_size(1280, 800)
    log_in(browser, live_server, reviewer.username)
    browser.get(f"{live_server.url}/admin/reviews/queueclaim/{claim.pk}/change/")
    submit(browser, By.NAME, "_assign_to_me")
    text = shown_text(browser)
    assert "Vladimir Putin" in text and "The claim says 150,000 troops" in text
    assert "2.756" not in text and "bm25" not in text  # behind the closed "Details"
    assert no_sideways_scroll(browser)

    box = browser.find_element(By.ID, "evidence-q")
    box.send_keys("Russian servicemen Syria")
    submit(browser, By.CSS_SELECTOR, "form.search-evidence input[type=submit]")
    assert no_sideways_scroll(browser)
    screenshot(browser, "claim-page-search.png")
    submit(browser, By.CSS_SELECTOR, "input[name=_attach]")
    assert "Sentence attached as evidence." in shown_text(browser)
    assert "Added by rita_reviewer from a search" in shown_text(browser)

    browser.find_element(By.XPATH, "//summary[text()='Add a source']").click()
    browser.find_element(By.NAME, "source-url").send_keys("https://mil.example.org/briefing")
    browser.find_element(By.NAME, "source-title").send_keys("Defence ministry briefing")
    browser.find_element(By.NAME, "source-quote").send_keys("No call-up to Syria is planned.")
    submit(browser, By.NAME, "_add_source")
    assert "Source added" in shown_text(browser)

    browser.find_element(By.CSS_SELECTOR, "input[name=verdict][value=unsupported]").click()
    browser.find_element(By.NAME, "rationale").send_keys("No source gives 150,000.")
    for checkbox in browser.find_elements(
        By.CSS_SELECTOR, "input[name=cited_evidence], input[name=cited_sources]"
    ):
        checkbox.click()
    assert no_sideways_scroll(browser)
    screenshot(browser, "claim-page-verdict.png")
    submit(browser, By.NAME, "_verdict")
    assert "Verdict submitted for approval" in shown_text(browser)
    review = Review.objects.get(claim=claim)
    assert review.state == Review.State.SUBMITTED
    assert review.cited_evidence.count() == 2 and review.cited_sources.count() == 1
    assert no_sideways_scroll(browser)
