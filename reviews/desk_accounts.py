"""Desk accounts from the command line: create or update a desk user, and issue the API token
a desk member's integrations sign in with. The commands desk_user and api_token are their
interfaces.

Each write is audited in the same transaction. The actor is empty: the command line has no
signed-in person, only whoever can run manage.py on the server.
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import AbstractUser, Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from rest_framework.authtoken.models import Token

from reviews import roles
from reviews.models import AuditEntry

ROLE_GROUPS = {"reviewer": roles.REVIEWER_GROUP, "editor": roles.EDITOR_GROUP}


class DeskAccountError(Exception):
    """The account cannot be made or given a token; the message says what to do instead."""


@dataclass(frozen=True)
class DeskUserOutcome:
    user: AbstractUser
    created: bool


def desk_user_save(
    *, username: str, role: str, email: str | None = None, password: str | None = None
) -> DeskUserOutcome:
    """Create or update an active staff user in exactly one desk group: the role's.

    Preconditions: role is "reviewer" or "editor"; the user name and e-mail are valid; the
    password (None keeps an existing user's password) passes AUTH_PASSWORD_VALIDATORS.
    Raises DeskAccountError otherwise, having changed nothing. Groups outside the desk are
    left alone. Running twice with the same values only sets the password again.
    """
    if role not in ROLE_GROUPS:
        raise DeskAccountError(f"Unknown role {role!r}; use reviewer or editor.")
    User = get_user_model()
    try:
        User.username_validator(username)
        if email:
            validate_email(email)
    except ValidationError as exc:
        raise DeskAccountError(" ".join(exc.messages)) from None

    with transaction.atomic():
        user = User.objects.select_for_update().filter(username=username).first()
        created = user is None
        if created:
            user = User(username=username)
            if password is None:
                raise DeskAccountError(
                    f"A new user needs a password; none was given for {username}."
                )
        if email is not None:
            user.email = email
        user.is_staff = True
        user.is_active = True
        if password is not None:
            try:
                password_validation.validate_password(password, user=user)
            except ValidationError as exc:
                raise DeskAccountError("Password refused: " + " ".join(exc.messages)) from None
            user.set_password(password)
        user.save()
        group = Group.objects.get(name=ROLE_GROUPS[role])
        user.groups.remove(*Group.objects.filter(name__in=roles.DESK_GROUPS).exclude(pk=group.pk))
        user.groups.add(group)
        AuditEntry.objects.create(
            action="desk_user_created" if created else "desk_user_updated",
            details={
                "username": username,
                "role": role,
                "email": user.email,
                "password_set": password is not None,
            },
        )
    return DeskUserOutcome(user=user, created=created)


def api_token_issue(*, username: str, rotate: bool = False) -> Token:
    """The user's API token, created if they have none; with rotate, a new one replacing it
    (the old one stops working at once).

    Preconditions: the user exists and is on the desk (reviews.roles.is_desk_member); raises
    DeskAccountError otherwise. Running twice returns the same token, no new audit entry.
    """
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        raise DeskAccountError(
            f"No user is called {username!r}; create one with "
            f"`manage.py desk_user {username} --role reviewer` (or editor)."
        )
    if not roles.is_desk_member(user):
        raise DeskAccountError(
            f"{username} is not on the review desk (active staff in the Reviewer or Editor "
            f"group); API tokens are for the desk. Add them with "
            f"`manage.py desk_user {username} --role reviewer` (or editor)."
        )
    with transaction.atomic():
        existing = Token.objects.select_for_update().filter(user=user).first()
        if existing is not None and not rotate:
            return existing
        if existing is not None:
            existing.delete()
        token = Token.objects.create(user=user)
        AuditEntry.objects.create(
            action="api_token_rotated" if existing else "api_token_created",
            details={"username": username},
        )
    return token
