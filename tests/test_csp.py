"""The Content-Security-Policy: sent on every page, and nothing on our pages or the admin's
breaks it (checked in headless Chromium, whose console reports each refusal)."""

import time

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

from tests.browser import chromium
from tests.factories import make_claim_with_evidence, make_published_review
from tests.test_browser_review_flow import log_in, submit

EXPECTED_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def directives(header: str) -> dict[str, str]:
    parts = (part.strip().split(None, 1) for part in header.split(";") if part.strip())
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/verdicts/", "/admin/login/"])
def test_every_page_carries_the_policy(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert directives(response["Content-Security-Policy"]) == EXPECTED_DIRECTIVES


@pytest.mark.django_db
def test_the_policy_never_allows_inline_or_eval_scripts(client):
    header = client.get("/").headers["Content-Security-Policy"]
    assert "unsafe-inline" not in header
    assert "unsafe-eval" not in header


@pytest.mark.django_db
def test_a_verdict_page_keeps_its_json_ld_under_the_policy(client, reviewer, editor):
    review = make_published_review(
        claim=make_claim_with_evidence(), reviewer=reviewer, editor=editor
    )
    response = client.get(review.get_absolute_url())
    assert '<script type="application/ld+json">' in response.content.decode()
    assert "Content-Security-Policy" in response.headers


# --- In the browser ----------------------------------------------------------------------------


@pytest.fixture
def browser():
    """Headless Chromium, keeping the console log where CSP refusals are reported."""
    yield from chromium(keep_console_log=True)


def refusals(browser) -> list[str]:
    """CSP refusals logged to the console since the last call (reading the log empties it).

    Chromium words them "Refused to ..." or "... violates the following Content Security
    Policy directive ..." depending on its version; both come from the "security" source.
    """
    return [
        entry["message"]
        for entry in browser.get_log("browser")
        if entry.get("source") == "security"
        or "Content Security Policy" in entry["message"]
        or "Refused to" in entry["message"]
    ]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_page_of_the_desk_or_the_public_site_is_refused_anything(
    browser, live_server, reviewer, editor
):
    published = make_published_review(
        claim=make_claim_with_evidence(), reviewer=reviewer, editor=editor
    )
    waiting = make_claim_with_evidence()
    seen = {}

    browser.get(live_server.url + "/admin/login/")
    seen["login page"] = refusals(browser)
    log_in(browser, live_server, reviewer.username)
    seen["admin index"] = refusals(browser)
    browser.get(live_server.url + "/admin/reviews/queueclaim/")
    seen["queue changelist"] = refusals(browser)
    browser.get(live_server.url + f"/admin/reviews/queueclaim/{waiting.pk}/change/")
    seen["claim review page"] = refusals(browser)
    submit(browser, By.NAME, "_assign_to_me")
    assert browser.find_elements(By.NAME, "rationale")  # the verdict form is on the page
    seen["claim review page with the verdict form"] = refusals(browser)

    browser.delete_all_cookies()
    for name, path in [
        ("home", "/"),
        ("verdict list", "/verdicts/"),
        ("verdict page", published.get_absolute_url()),
        ("article page", f"/articles/{published.claim.article_id}/"),
    ]:
        browser.get(live_server.url + path)
        assert browser.find_element(By.TAG_NAME, "h1").text
        seen[name] = refusals(browser)
    time.sleep(1)  # the console log can trail the page load
    seen["late reports"] = refusals(browser)

    assert {name: found for name, found in seen.items() if found} == {}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_browser_reports_an_injected_inline_script(browser, live_server):
    # Proves the test above can fail: an inline script is refused and the refusal is logged.
    browser.get(live_server.url + "/")
    refusals(browser)
    browser.execute_script(
        "const s = document.createElement('script');"
        "s.textContent = 'document.title = \"injected\"';"
        "document.head.appendChild(s);"
    )
    assert browser.title != "injected"
    found = []
    WebDriverWait(browser, 10).until(lambda _: found.extend(refusals(browser)) or found)
    assert "inline script" in found[0]
