"""manage.py desk_user: create or update a desk user with a validated password."""

import io

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import CommandError

from reviews import roles
from reviews.models import AuditEntry
from tests.conftest import ensure_desk_groups

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def desk_groups(monkeypatch):
    ensure_desk_groups()
    monkeypatch.delenv("DESK_PASSWORD", raising=False)


def desk_user(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("desk_user", *args, stdout=out)
    return out.getvalue().splitlines()


def signs_in(username: str, password: str) -> bool:
    return User.objects.get(username=username).check_password(password)


def groups(user: User) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def test_it_creates_a_reviewer_with_a_generated_password_on_the_last_line():
    lines = desk_user("alice", "--role", "reviewer", "--email", "alice@example.org")

    user = User.objects.get(username="alice")
    assert lines[0] == "Created reviewer alice (Reviewer group, staff)."
    assert signs_in("alice", lines[-1])
    assert (user.is_staff, user.is_superuser, user.email) == (True, False, "alice@example.org")
    assert groups(user) == {"Reviewer"}
    assert roles.is_desk_member(user) and not roles.can_publish(user)
    entry = AuditEntry.objects.get(action="desk_user_created")
    assert entry.details == {
        "username": "alice",
        "role": "reviewer",
        "email": "alice@example.org",
        "password_set": True,
    }
    assert lines[-1] not in str(entry.details)


def test_it_takes_the_password_from_desk_password_and_prints_none(monkeypatch):
    monkeypatch.setenv("DESK_PASSWORD", "correct horse battery staple")
    lines = desk_user("bob", "--role", "editor")

    assert "correct horse battery staple" not in "\n".join(lines)
    assert lines[-1] == "Password set from DESK_PASSWORD."
    assert signs_in("bob", "correct horse battery staple")
    assert roles.can_publish(User.objects.get(username="bob"))


@pytest.mark.parametrize(
    "password, reason", [("12345678", "entirely numeric"), ("carol2", "too short")]
)
def test_it_refuses_a_password_the_validators_refuse(monkeypatch, password, reason):
    monkeypatch.setenv("DESK_PASSWORD", password)
    with pytest.raises(CommandError, match=f"Password refused: .*{reason}"):
        desk_user("carol", "--role", "reviewer")
    assert not User.objects.filter(username="carol").exists()


def test_changing_the_role_moves_the_user_to_the_other_desk_group_only():
    desk_user("dana", "--role", "reviewer")
    other = Group.objects.create(name="Newsletter")
    User.objects.get(username="dana").groups.add(other)

    lines = desk_user("dana", "--role", "editor", "--keep-password")

    assert lines == ["Updated editor dana (Editor group, staff)."]
    assert groups(User.objects.get(username="dana")) == {"Editor", "Newsletter"}


def test_running_it_again_sets_a_new_password_unless_asked_to_keep_it():
    first = desk_user("erik", "--role", "reviewer")[-1]
    second = desk_user("erik", "--role", "reviewer")[-1]
    assert first != second
    assert not signs_in("erik", first)
    assert signs_in("erik", second)


@pytest.mark.parametrize(
    "args, message",
    [
        (["frank", "--role", "reviewer", "--email", "not-an-address"], "valid email"),
        (["bad name!", "--role", "reviewer"], "valid username"),
        (["gina", "--role", "reviewer", "--keep-password"], "A new user needs a password"),
    ],
)
def test_it_refuses_what_it_cannot_store(args, message):
    with pytest.raises(CommandError, match=message):
        desk_user(*args)
    assert not User.objects.exists()


def test_an_unknown_role_is_refused():
    with pytest.raises(CommandError, match="invalid choice: 'admin'"):
        desk_user("hugo", "--role", "admin")
