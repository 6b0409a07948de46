"""manage.py api_token: a desk member's token as the last line, for the desk only."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from reviews.models import AuditEntry
from tests.api_helpers import API

pytestmark = pytest.mark.django_db


def api_token(*args: str) -> str:
    out = io.StringIO()
    call_command("api_token", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().splitlines()[-1]


def test_it_prints_the_token_as_the_last_line_and_the_token_signs_in(reviewer):
    token = api_token("rita_reviewer")

    assert token == Token.objects.get(user=reviewer).key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(f"{API}/claims/").status_code == 200


def test_running_it_twice_prints_the_same_token_and_audits_once(reviewer):
    assert api_token("rita_reviewer") == api_token("rita_reviewer")
    assert AuditEntry.objects.filter(action="api_token_created").count() == 1


def test_rotating_replaces_the_token_and_the_old_one_stops_working(reviewer):
    old = api_token("rita_reviewer")
    new = api_token("rita_reviewer", "--rotate")

    assert new != old
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {old}")
    assert client.get(f"{API}/claims/").status_code == 401
    assert AuditEntry.objects.filter(action="api_token_rotated").count() == 1


def test_it_refuses_someone_off_the_desk(outsider):
    with pytest.raises(CommandError, match="otto_outsider is not on the review desk"):
        api_token("otto_outsider")
    assert not Token.objects.exists()


def test_it_refuses_an_unknown_user(db):
    with pytest.raises(CommandError, match="No user is called 'ghost'"):
        api_token("ghost")
