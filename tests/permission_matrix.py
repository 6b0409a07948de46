"""The machinery of tests/test_desk_permission_matrix.py: who acts (Cast), the claim each action
needs (scenes), what a cell expects (Expect), and how a cell's outcome is checked.

A scene puts the claim in the state its action needs, so that a refusal can only be about who
asks. The claim's "worker" (who holds it and submits its verdict) is rita the reviewer, except in
the rows where the actor is that worker: the reviewer row, and the author_editor row of the
two-person rule (an editor acting on a verdict they submitted themselves).
"""

from dataclasses import dataclass
from functools import cached_property

from django.contrib.auth.models import User
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from factcheck import services as pipeline
from factcheck.models import Article, Claim, DuplicateSuggestion, Evidence
from reviews import services
from reviews.models import (
    AuditEntry,
    ClaimantCorrection,
    ClaimNote,
    PublishedVersion,
    Review,
    ReviewTransition,
    Source,
    Verdict,
)
from tests.conftest import make_staff_user
from tests.factories import make_article, make_claim, make_claim_with_evidence

# --- Who acts --------------------------------------------------------------------------------

ANONYMOUS = "anonymous"
REVIEWER = "reviewer"  # the claim's assignee, who submits its verdict
OTHER_REVIEWER = "other_reviewer"  # a reviewer the claim is not assigned to
EDITOR = "editor"
AUTHOR_EDITOR = "author_editor"  # an editor who took the claim and submitted its verdict
OUTSIDER = "staff_outside_desk"  # staff, in neither desk group
SUPERUSER = "superuser"

ACTORS = (ANONYMOUS, REVIEWER, OTHER_REVIEWER, EDITOR, AUTHOR_EDITOR, OUTSIDER, SUPERUSER)
# The rows the issue names; every action has a cell for each of them.
REQUIRED_ACTORS = frozenset({ANONYMOUS, REVIEWER, EDITOR, OUTSIDER, SUPERUSER})


class Cast:
    """The desk's people, each created the first time a test needs them."""

    @cached_property
    def reviewer(self) -> User:
        return make_staff_user("rita_reviewer", "Reviewer")

    @cached_property
    def other_reviewer(self) -> User:
        return make_staff_user("sam_reviewer", "Reviewer")

    @cached_property
    def target(self) -> User:
        """The reviewer an editor assigns work to (nobody's row)."""
        return make_staff_user("tina_reviewer", "Reviewer")

    @cached_property
    def editor(self) -> User:
        return make_staff_user("eddie_editor", "Editor")

    @cached_property
    def author_editor(self) -> User:
        return make_staff_user("erin_editor", "Editor")

    @cached_property
    def outsider(self) -> User:
        return make_staff_user("otto_outsider", None)

    @cached_property
    def superuser(self) -> User:
        return User.objects.create_superuser("sue_superuser", "sue@example.org", "pw-sue")

    def user(self, actor: str) -> User | None:
        return {
            ANONYMOUS: lambda: None,
            REVIEWER: lambda: self.reviewer,
            OTHER_REVIEWER: lambda: self.other_reviewer,
            EDITOR: lambda: self.editor,
            AUTHOR_EDITOR: lambda: self.author_editor,
            OUTSIDER: lambda: self.outsider,
            SUPERUSER: lambda: self.superuser,
        }[actor]()

    def worker(self, actor: str) -> User:
        """Who holds the scene's claim and submits its verdict."""
        return self.author_editor if actor == AUTHOR_EDITOR else self.reviewer


# --- Scenes: the claim in the state the action needs -----------------------------------------

SEARCH_WORDS = "Russian servicemen Syria"  # finds sentences in the offline corpus


@dataclass
class Scene:
    cast: Cast
    worker: User
    claim: Claim | None = None
    article: Article | None = None
    suggestion: DuplicateSuggestion | None = None
    hit: object | None = None  # a search hit (factcheck.services.SearchHit) to attach

    @property
    def evidence(self) -> Evidence:
        return self.claim.evidence.order_by("rank").first()


def unassigned(cast: Cast, worker: User) -> Scene:
    return Scene(cast, worker, claim=make_claim_with_evidence(n_evidence=1))


def assigned(cast: Cast, worker: User) -> Scene:
    scene = unassigned(cast, worker)
    services.review_assign(claim=scene.claim, assignee=worker, assigned_by=worker)
    return scene


def assigned_with_a_search_hit(cast: Cast, worker: User) -> Scene:
    scene = assigned(cast, worker)
    scene.hit = pipeline.evidence_search(claim=scene.claim, query=SEARCH_WORDS)[0]
    return scene


def submitted(cast: Cast, worker: User) -> Scene:
    scene = assigned(cast, worker)
    services.review_submit(
        claim=scene.claim,
        reviewer=worker,
        verdict=Verdict.SUPPORTED,
        rationale="The census gives 1,200.",
        evidence_ids=[scene.evidence.pk],
    )
    return scene


def published(cast: Cast, worker: User) -> Scene:
    scene = submitted(cast, worker)
    services.review_publish(review=Review.objects.get(claim=scene.claim), editor=cast.editor)
    return scene


def dismissed(cast: Cast, worker: User) -> Scene:
    scene = assigned(cast, worker)
    services.claim_dismiss(claim=scene.claim, user=worker, reason="opinion")
    return scene


def failed_article(cast: Cast, worker: User) -> Scene:
    article = make_article(status=Article.Status.FAILED, error_message="spaCy ran out of memory")
    return Scene(cast, worker, article=article)


def stored_article(cast: Cast, worker: User) -> Scene:
    return Scene(cast, worker, article=make_article())


def duplicate_suggested(cast: Cast, worker: User) -> Scene:
    claim, candidate = make_claim(), make_claim()
    suggestion = DuplicateSuggestion.objects.create(
        claim=claim, candidate=candidate, similarity=0.93
    )
    return Scene(cast, worker, claim=claim, suggestion=suggestion)


# --- What a cell expects ---------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    """One cell's outcome: allowed, or refused in a named way (with the reason a person reads,
    where the refusal gives one)."""

    kind: str
    reason: str = ""


ALLOWED = Expect("allowed")
ALREADY = Expect("allowed", "already so: nothing changes, and nothing is audited")
LOGIN = Expect("login redirect")  # the admin sends anonymous visitors to its login page
UNAUTHENTICATED = Expect("401")  # the API asks anonymous callers for credentials
NOT_FOUND = Expect("404")
NOT_OFFERED = Expect("not offered")  # an admin action missing from the person's list
FORBIDDEN = Expect("403")


def forbidden(reason: str) -> Expect:
    return Expect("403", reason)


def conflict(reason: str) -> Expect:
    return Expect("409", reason)


def refused(reason: str) -> Expect:
    """Offered or reachable, and refused by the service with its reason: on the claim page as
    an error message (the button is not shown), in a bulk action as a warning."""
    return Expect("refused", reason)


# --- Clients and what they saw ---------------------------------------------------------------


def admin_client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def api_client(user: User | None) -> APIClient:
    """Signed in by token, as an integration is; made directly, because the api_token command
    (rightly) issues none to staff outside the desk."""
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def flashed(response) -> list[tuple[int, str]]:
    """The messages the request left for the person, whether shown on this page or after the
    redirect."""
    return [(m.level, str(m)) for m in get_messages(response.wsgi_request)]


def refusals_flashed(response) -> list[str]:
    return [
        text
        for level, text in flashed(response)
        if level in (message_levels.WARNING, message_levels.ERROR)
    ]


def offered_actions(response) -> set[str]:
    form = response.context["action_form"]  # None when the person may run no action
    return set(dict(form.fields["action"].choices)) - {""} if form else set()


# --- The database, before and after ----------------------------------------------------------


def desk_state() -> dict:
    """Everything a desk action may write. The page store (ReferencePage) is left out: it is a
    cache that a search fills."""
    return {
        "audit": list(AuditEntry.objects.order_by("pk").values_list("pk", flat=True)),
        "reviews": list(Review.objects.order_by("pk").values()),
        "cited_evidence": list(Review.cited_evidence.through.objects.order_by("pk").values_list()),
        "cited_sources": list(Review.cited_sources.through.objects.order_by("pk").values_list()),
        "transitions": list(ReviewTransition.objects.order_by("pk").values_list()),
        "versions": list(PublishedVersion.objects.order_by("pk").values_list("pk", flat=True)),
        "sources": list(Source.objects.order_by("pk").values()),
        "evidence": list(Evidence.objects.order_by("pk").values_list("pk", flat=True)),
        "notes": list(ClaimNote.objects.order_by("pk").values_list()),
        "claimant_corrections": list(ClaimantCorrection.objects.order_by("pk").values()),
        "claims": list(Claim.objects.order_by("pk").values_list("pk", "canonical_id")),
        "articles": list(Article.objects.order_by("pk").values_list("pk", "status")),
        "suggestions": list(
            DuplicateSuggestion.objects.order_by("pk").values_list("pk", "status", "decided_by")
        ),
    }


def audit_since(before: dict) -> list[tuple[str, int | None]]:
    """The audit entries written since `before`: (action, actor id)."""
    return list(
        AuditEntry.objects.exclude(pk__in=before["audit"])
        .order_by("pk")
        .values_list("action", "actor_id")
    )
