"""Clients for the REST API tests: a desk member signed in by token, as an integration is."""

from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from reviews.desk_accounts import api_token_issue
from tests.conftest import make_staff_user

API = "/api/v1"


def token_client(user: User) -> APIClient:
    client = APIClient()
    token = api_token_issue(username=user.get_username())
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def second_editor() -> User:
    """An editor besides tests.conftest's `editor`, for the two-person rule."""
    return make_staff_user("erin_editor", "Editor")


def outsider_client(user: User) -> APIClient:
    """A token for someone off the desk, made directly: api_token refuses to issue one."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client
