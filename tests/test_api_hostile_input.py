"""No input makes the API fail with a 5xx: every field of every request body, given values of
the wrong type, out of range, or that PostgreSQL cannot store, is answered with a 4xx and a
one-line reason, or accepted. (A hand-written sweep; tests/test_api_fuzz.py fuzzes the same API
from its schema.)"""

import json

import pytest

from reviews import services
from tests.api_helpers import API, token_client
from tests.factories import make_claim_with_evidence

pytestmark = pytest.mark.django_db

HOSTILE_VALUES = [
    None,
    [],
    {"nested": [1]},
    2**70,
    -1,
    "",
    "nul \x00 byte",
    "lone \ud800 surrogate",
    "9999-99-99",
    "x" * 20_000,
]

BODIES = {
    "assign": {"assignee": "rita_reviewer", "due": "2026-12-24", "priority": "high"},
    "sources": {
        "url": "https://example.org/",
        "title": "T",
        "quote": "Q",
        "publisher": "P",
        "archived_url": "https://archive.example.org/",
        "accessed_on": "2026-11-21",
    },
    "verdict": {"verdict": "supported", "rationale": "R", "evidence": [1], "sources": [1]},
    "return": {"note": "N"},
    "correct": {"verdict": "supported", "rationale": "R", "reason": "W", "evidence": [1]},
    "dismiss": {"reason": "other", "note": "N"},
    "notes": {"text": "N"},
    "unpublish": {"reason": "W"},
    "claimant": {"claimant": "C", "cue": "said"},
}

ARTICLE = {
    "title": "T",
    "text": "Some text of the article.",
    "url": "https://example.org/",
    "outlet": "O",
    "byline": "B",
    "published_on": "2026-11-20",
}


def fields(bodies: dict) -> list:
    return [
        pytest.param(action, body, name, id=f"{action}-{name}")
        for action, body in bodies.items()
        for name in body
    ]


def post_json(client, url: str, body) -> object:
    # Encoded here, not by the test client: DRF's renderer cannot encode a lone surrogate,
    # while json.dumps escapes it (\ud800) as any JSON client may send it.
    return client.post(url, json.dumps(body), content_type="application/json")


def assert_no_server_error(response, value) -> None:
    assert response.status_code < 500, f"{value!r}: {response.status_code}"
    if response.status_code >= 400:
        detail = response.json()["detail"]
        assert detail and "\n" not in detail, f"{value!r}: {detail!r}"


@pytest.fixture
def claim(reviewer):
    claim = make_claim_with_evidence()
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    return claim


@pytest.mark.parametrize("action, body, name", fields(BODIES))
def test_a_desk_action_answers_hostile_input_without_a_server_error(
    editor, claim, action, body, name
):
    client = token_client(editor)
    for value in HOSTILE_VALUES:
        response = post_json(client, f"{API}/claims/{claim.pk}/{action}/", {**body, name: value})
        assert_no_server_error(response, value)


@pytest.mark.parametrize("action", [*BODIES, "publish", "restore", "unassign"])
def test_a_body_that_is_not_an_object_is_refused_or_ignored(editor, claim, action):
    client = token_client(editor)
    for body in ([], "text", 12, None, {"unknown": "field"}):
        assert_no_server_error(post_json(client, f"{API}/claims/{claim.pk}/{action}/", body), body)


@pytest.mark.parametrize("_action, body, name", fields({"articles": ARTICLE}))
def test_an_article_with_hostile_input_is_refused_or_stored(editor, _action, body, name):
    client = token_client(editor)
    for value in HOSTILE_VALUES:
        response = post_json(client, f"{API}/articles/", {**body, name: value})
        assert_no_server_error(response, value)


def test_the_claim_list_answers_hostile_filters_without_a_server_error(reviewer):
    client = token_client(reviewer)
    for query in (
        "article=99999999999999999999999",
        "article=-5",
        "assignee=%00",
        "state=%ED%A0%80",
        "verdict=%F0%9F%92%A5",
        "page=0",
        "page=abc",
        "page_size=100000",
    ):
        assert_no_server_error(client.get(f"{API}/claims/?{query}"), query)
