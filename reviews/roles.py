"""Who belongs to the desk, and what they may do there.

Membership is by group ("Reviewer", "Editor", created by migration 0003) or superuser status.
Editor powers are permissions the Editor group holds, so a site may also grant them one by one.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

REVIEWER_GROUP = "Reviewer"
EDITOR_GROUP = "Editor"
DESK_GROUPS = (REVIEWER_GROUP, EDITOR_GROUP)

ASSIGN_PERMISSION = "reviews.assign_review"
PUBLISH_PERMISSION = "reviews.publish_review"

User = AbstractBaseUser | AnonymousUser


def desk_groups(user: User) -> frozenset[str]:
    """The desk groups the user is in; one query, remembered on the user object."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "pk", None):
        return frozenset()
    cached = getattr(user, "_desk_groups", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=DESK_GROUPS).values_list("name", flat=True))
        user._desk_groups = cached
    return cached


def is_desk_member(user: User) -> bool:
    """Active staff in the Reviewer or Editor group, or a superuser."""
    if not getattr(user, "is_active", False):
        return False
    if user.is_superuser:
        return True
    return bool(user.is_staff and desk_groups(user))


def can_assign_others(user: User) -> bool:
    return is_desk_member(user) and user.has_perm(ASSIGN_PERMISSION)


def can_publish(user: User) -> bool:
    return is_desk_member(user) and user.has_perm(PUBLISH_PERMISSION)
