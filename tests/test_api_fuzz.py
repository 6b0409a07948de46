"""Schemathesis fuzzes every operation of the OpenAPI document that /api/v1/schema/ serves, in
process through Django's WSGI application: as a desk editor with a token, and anonymously.

No input may get a 5xx, and every answer must be one the document describes: its status code,
content type, headers and body. Desk endpoints must also refuse the same request without a
token or with a wrong one. Below the fuzzing, one regression test for each fault it found.
"""

from collections.abc import Iterator

import pytest
import schemathesis
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from rest_framework.test import APIClient

from factcheck.session_store import SessionStore
from reviews.desk_accounts import api_token_issue
from tests.api_helpers import API, second_editor, token_client
from tests.conftest import make_staff_user
from tests.factories import make_claim_with_evidence, make_published_review

pytestmark = pytest.mark.django_db

# Read as a client reads it. The schema view needs no database, so this works while pytest
# collects the module, before any test database exists.
application = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi(f"{API}/schema/?format=json", application)

# Every check schemathesis has, except two that would call ordinary behaviour a fault:
NOT_FAULTS = [
    # DRF reads the number 0 as the text "0", and ignores a page_size that is not a number.
    schemathesis.checks.negative_data_rejection,
    # Input of the documented shape may still be refused: by the claim's state (409), or
    # because no user has the name given (400).
    schemathesis.checks.positive_data_acceptance,
]


def refusals_say_why_in_one_line(ctx, response, case) -> None:
    """The API's promise (factcheck/api.py): every refusal carries a one-line "detail"."""
    if response.status_code < 400:
        return
    detail = response.json().get("detail")
    assert isinstance(detail, str) and detail.strip(), f"no detail: {response.text[:200]}"
    assert "\n" not in detail, f"a detail of more than one line: {detail[:200]!r}"


# Per operation: the explicit and boundary cases schemathesis derives from the document
# (dozens for the larger bodies), then this many random ones. Derandomized, so every run
# sends the same requests; about 20 s for both tests on a loaded 2-core machine.
FUZZ = settings(
    max_examples=15,
    derandomize=True,
    database=None,  # no .hypothesis folder in the repository
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Ids a 32-bit integer holds are aimed at objects that exist (below); others stay as drawn.
AIMED_IDS = range(0, 2**31)


@pytest.fixture
def existing_ids(reviewer, editor) -> Iterator[dict[str, list[int]]]:
    """Objects of each kind a path can name: a published verdict, and a claim with evidence
    that no one has taken yet."""
    published = make_published_review(
        claim=make_claim_with_evidence(), reviewer=reviewer, editor=second_editor()
    )
    waiting = make_claim_with_evidence()
    # The first user name the boundary cases send to assign, so that assigning can succeed.
    make_staff_user("0", "Reviewer")
    # Django's WSGI handler closes the database connection when a request ends, as a server
    # must; here that would end the test's transaction. Django's test client does the same.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield {
        "articles": [waiting.article_id, published.claim.article_id],
        "claims": [waiting.pk, published.claim_id],
        "verdicts": [published.pk],
    }
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def editor_token(editor) -> dict[str, str]:
    return {"Authorization": f"Token {api_token_issue(username=editor.username).key}"}


def aim_at_existing(case, existing_ids: dict[str, list[int]]) -> None:
    """Drawn ids almost never name an object, so every action would stop at its 404. Those in
    AIMED_IDS are swapped for an id of the path's kind that exists, and the actions reach the
    services; negative, huge and non-numeric ids stay, for the 404s."""
    drawn = (case.path_parameters or {}).get("id")
    if isinstance(drawn, str) and drawn.isascii() and drawn.isdigit():
        number = int(drawn)
    elif isinstance(drawn, int) and not isinstance(drawn, bool):
        number = drawn
    else:
        return  # 1.5, "AAA", true, null: not an integer, left for its 404
    if number in AIMED_IDS:
        kind = case.path.removeprefix(f"{API}/").split("/")[0]
        ids = existing_ids[kind]
        case.path_parameters["id"] = ids[number % len(ids)]


@schema.parametrize()
@FUZZ
def test_an_editor_with_a_token_gets_only_documented_answers(case, existing_ids, editor_token):
    aim_at_existing(case, existing_ids)
    case.call_and_validate(
        headers=editor_token,
        excluded_checks=NOT_FAULTS,
        additional_checks=[refusals_say_why_in_one_line],
    )


@schema.parametrize()
@FUZZ
def test_anyone_without_a_token_gets_only_documented_answers(case, existing_ids):
    aim_at_existing(case, existing_ids)
    case.call_and_validate(
        excluded_checks=NOT_FAULTS, additional_checks=[refusals_say_why_in_one_line]
    )


# --- What the fuzzing found ------------------------------------------------------------------


def documented_statuses(method: str, path: str) -> set[str]:
    return set(schema.raw_schema["paths"][f"{API}{path}"][method]["responses"])


def assert_json_refusal(response, status: int) -> None:
    assert response.status_code == status, response.content[:200]
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/articles/1.5/"),
        ("get", "/claims/1.5/"),
        ("post", "/claims/1.5/publish/"),
        ("get", "/verdicts/1.5/"),
        ("get", "/verdicts/v1.json/"),
    ],
)
def test_an_id_with_a_dot_gets_the_apis_json_404(editor, method, path):
    # Django's router pattern left dots out, and Django answered with its HTML 404 page.
    response = getattr(token_client(editor), method)(f"{API}{path}")
    assert_json_refusal(response, 404)


def test_the_document_still_calls_each_path_id_an_integer():
    # Widening the route's pattern must not turn the documented integer into any string.
    for path, item in schema.raw_schema["paths"].items():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    assert parameter["schema"] == {"type": "integer"}, path


@pytest.mark.parametrize("path", ["/claims/", "/verdicts/"])
def test_a_page_past_the_end_is_a_documented_404(editor, path):
    response = token_client(editor).get(f"{API}{path}?page=99")
    assert_json_refusal(response, 404)
    assert "404" in documented_statuses("get", path)


@pytest.mark.parametrize("path", ["/verdicts/", "/verdicts/1/"])
def test_a_wrong_token_on_the_public_verdicts_is_a_documented_401(path):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert_json_refusal(client.get(f"{API}{path}"), 401)
    assert "401" in documented_statuses("get", path.replace("/1/", "/{id}/"))


# A header of printable characters: Django unquotes the cookie's value, and \000 becomes NUL.
NUL_SESSION_COOKIE = 'sessionid="abcdefgh\\000ijklmnop"'


def test_a_session_key_django_could_not_have_made_names_no_session():
    assert SessionStore("abcdefgh\x00ijklmnop").session_key is None
    assert SessionStore("abcdefgh ijklmnop").session_key is None
    assert SessionStore("abcdefgh-ijklmnop").session_key is None
    made = SessionStore()
    made.create()
    assert set(made.session_key) <= set(VALID_KEY_CHARS)
    assert SessionStore(made.session_key).session_key == made.session_key


def test_a_session_cookie_with_a_nul_character_is_no_session(reviewer):
    # PostgreSQL refused the session lookup with an error, and the API answered 500.
    client = Client(raise_request_exception=False)
    published = make_published_review(
        claim=make_claim_with_evidence(), reviewer=reviewer, editor=second_editor()
    )
    verdict = client.get(f"{API}/verdicts/{published.pk}/", HTTP_COOKIE=NUL_SESSION_COOKIE)
    assert verdict.status_code == 200
    assert_json_refusal(client.get(f"{API}/claims/", HTTP_COOKIE=NUL_SESSION_COOKIE), 401)
