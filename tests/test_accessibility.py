"""Accessibility: axe-core (the npm package, pinned in package-lock.json), injected through
Selenium into the public pages and the desk's claim page, finds no WCAG 2.1 A/AA violation."""

import json
import os
from pathlib import Path

import pytest
from django.urls import NoReverseMatch, reverse

from reviews import services
from reviews.models import Review
from tests.browser import chromium
from tests.factories import make_claim_with_evidence, make_published_review
from tests.test_browser_review_flow import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture
def browser():
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail("axe-core is missing: ./dev test installs it with npm ci")
        pytest.skip("needs axe-core: npm ci")
    yield from chromium()


def axe_violations(browser) -> list[str]:
    """Run axe on the page the browser shows; one line per violation and element."""
    browser.execute_script(AXE.read_text())
    result = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
        ".then(r => done(JSON.stringify(r.violations)))"
        ".catch(e => done(JSON.stringify([{id: 'axe-error', help: String(e), nodes: []}])));",
        WCAG_21_AA,
    )
    return [
        f"{v['id']}: {v['help']} at {node['target']}"
        for v in json.loads(result)
        for node in (v["nodes"] or [{"target": "(page)"}])
    ]


@pytest.fixture
def published(reviewer, editor) -> Review:
    claim = make_claim_with_evidence(n_evidence=3)
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=editor)
    return make_published_review(claim=claim, reviewer=reviewer, editor=editor)


def public_paths(review: Review) -> list[str]:
    paths = ["/", "/verdicts/", review.get_absolute_url(), f"/articles/{review.claim.article_id}/"]
    for name in ("methodology", "corrections"):
        try:
            paths.append(reverse(name))
        except NoReverseMatch:
            pass
    return paths


def test_the_public_pages_have_no_wcag_violations(browser, live_server, published):
    browser.set_script_timeout(60)
    found = {}
    for path in public_paths(published):
        browser.get(live_server.url + path)
        found[path] = axe_violations(browser)
    assert found == {path: [] for path in found}


def test_the_desk_claim_page_has_no_wcag_violations(
    browser, live_server, published, reviewer, editor
):
    """As the editor on a published verdict (correction forms), and as the reviewer on a claim
    in hand (source, search, verdict and note forms)."""
    in_hand = make_claim_with_evidence(n_evidence=2)
    services.review_assign(claim=in_hand, assignee=reviewer, assigned_by=editor)
    browser.set_script_timeout(60)
    found = {}
    for user, claim_id in [(editor, published.claim_id), (reviewer, in_hand.pk)]:
        log_in(browser, live_server, user.username)
        browser.get(f"{live_server.url}/admin/reviews/queueclaim/{claim_id}/change/")
        found[user.username] = axe_violations(browser)
    assert found == {name: [] for name in found}
