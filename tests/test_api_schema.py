"""The OpenAPI document (drf-spectacular) and the page that shows it."""

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from tests.api_helpers import API

pytestmark = pytest.mark.django_db

# The paths integrations and the acceptance scripts use (issue 8).
PATHS = {
    ("post", "/api/v1/articles/"),
    ("get", "/api/v1/articles/{id}/"),
    ("get", "/api/v1/claims/"),
    ("get", "/api/v1/claims/{id}/"),
    *(
        ("post", f"/api/v1/claims/{{id}}/{action}/")
        for action in (
            "assign",
            "sources",
            "verdict",
            "return",
            "publish",
            "correct",
            "dismiss",
            "notes",
            "unpublish",
            "restore",
            "unassign",
            "claimant",
        )
    ),
    ("get", "/api/v1/verdicts/"),
    ("get", "/api/v1/verdicts/{id}/"),
}


def test_the_schema_validates_with_no_warnings(tmp_path):
    # --fail-on-warn raises on any warning, e.g. an undocumented response or an enum clash.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "s.yml"))
    assert "/api/v1/claims/{id}/verdict/:" in (tmp_path / "s.yml").read_text()


def test_the_schema_is_served_to_anyone_with_every_path():
    response = APIClient().get(f"{API}/schema/?format=json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    served = {(method, path) for path, item in document["paths"].items() for method in item}
    assert served == PATHS
    assign = document["paths"]["/api/v1/claims/{id}/assign/"]["post"]
    body = assign["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert document["components"]["schemas"][body.rsplit("/", 1)[1]]["required"] == ["assignee"]
    assert set(assign["responses"]) == {"200", "400", "401", "403", "404", "409"}


def test_the_docs_page_lists_every_operation_without_scripts(client):
    response = client.get(f"{API}/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    for method, path in PATHS:
        assert f"<code>{method.upper()} {path}</code>" in page
    assert "<script" not in page
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_an_unknown_api_path_answers_in_json(client):
    response = client.get("/api/v1/nothing/here/")
    assert response.status_code == 404
    assert response.json() == {"detail": "No API endpoint at /api/v1/nothing/here/."}
