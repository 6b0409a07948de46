"""Shared fixtures: named users, paths to the shared material, and the network guard.

Any connection to a host other than loopback fails the test (pytest-socket --allow-hosts in
pyproject.toml): Wikipedia is reached only through the local MediaWiki API double.
"""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User

from tests.wikipedia_double import wikipedia_double  # noqa: F401  (a shared fixture)

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = REPO_ROOT.parent / "shared"
SEEDS_DIR = SHARED / "seeds"
GOLD_PATH = SHARED / "gold" / "seed_claims.json"
CORPUS_PATH = SHARED / "wikipedia" / "syria_articles.jsonl"
SEED_000 = SEEDS_DIR / "000_78987c1eabe726c7.txt"


def make_staff_user(username: str, group_name: str | None) -> User:
    user = User.objects.create_user(username=username, password="pw-" + username, is_staff=True)
    if group_name:
        user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def reviewer(db) -> User:
    return make_staff_user("rita_reviewer", "Reviewer")


@pytest.fixture
def second_reviewer(db) -> User:
    return make_staff_user("sam_reviewer", "Reviewer")


@pytest.fixture
def editor(db) -> User:
    return make_staff_user("eddie_editor", "Editor")


@pytest.fixture
def outsider(db) -> User:
    """Staff, but in neither desk group: must not reach the queue."""
    return make_staff_user("otto_outsider", None)
