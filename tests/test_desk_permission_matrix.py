"""The desk's permission matrix: every actor against every desk action, through the admin (the
queue, the claim page, the articles and duplicate suggestions) and through the REST API.

MATRIX below is the whole table; each cell is its own test, named actor-action-surface, e.g.
"reviewer-publish-api". A refused cell asserts the refusal (login redirect, 401, 403, 404, 409,
an admin action not offered, or the service's reason on the page) and that the database did not
change; an allowed cell asserts the response and the audit entry the action writes, by the
actor. Each action's scene puts the claim in the state the action needs (publish: a verdict
submitted by someone else), so a refusal is about who asks, not about the claim.

Surfaces: "admin" is a desk page (or the add-article form), "page" the claim page's search box
and buttons, "bulk" an action of an admin list (the queue, articles, duplicate suggestions),
"api" the REST API under /api/v1/. tests/permission_matrix.py holds the cast, the scenes and
the checks.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.contrib.messages import constants as message_levels
from django.utils import timezone

from factcheck.api_urls import router
from reviews import claim_actions
from reviews.admin import QueueClaimAdmin
from reviews.api import ClaimViewSet
from tests.permission_matrix import (
    ACTORS,
    ALLOWED,
    ALREADY,
    ANONYMOUS,
    EDITOR,
    FORBIDDEN,
    LOGIN,
    NOT_FOUND,
    NOT_OFFERED,
    OTHER_REVIEWER,
    OUTSIDER,
    REQUIRED_ACTORS,
    REVIEWER,
    SEARCH_WORDS,
    SUPERUSER,
    UNAUTHENTICATED,
    Cast,
    Expect,
    Scene,
    admin_client,
    api_client,
    assigned,
    assigned_with_a_search_hit,
    audit_since,
    conflict,
    desk_state,
    dismissed,
    duplicate_suggested,
    failed_article,
    flashed,
    forbidden,
    offered_actions,
    published,
    refusals_flashed,
    refused,
    stored_article,
    submitted,
    unassigned,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"
QUEUE = "/admin/reviews/queueclaim/"
# Every claim, whatever its state: the default view ("Needs action") leaves out submitted,
# published and dismissed claims, and a bulk action only acts on claims in the view.
EVERY_CLAIM = "?review_status=all&kind=all"
ARTICLES = "/admin/factcheck/article/"
SUGGESTIONS = "/admin/factcheck/duplicatesuggestion/"


def claim_page(scene: Scene) -> str:
    return f"{QUEUE}{scene.claim.pk}/change/"


def api_claim(scene: Scene, action: str = "") -> str:
    return f"{API}/claims/{scene.claim.pk}/" + (f"{action}/" if action else "")


def due_next_week() -> str:
    return (timezone.localdate() + dt.timedelta(days=7)).isoformat()


# --- The actions (the matrix's columns) ------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """One desk action through one surface: the scene it needs, the request, and what an
    allowed run answers and writes to the audit log (None: a read, which writes nothing)."""

    surface: str  # "admin", "page", "bulk" or "api"
    scene: Callable[[Cast, object], Scene]
    method: str
    url: Callable[[Scene], str]
    data: Callable[[Scene, object], dict] = lambda scene, user: {}
    audit: str | None = None
    ok_status: int = 200
    # page: the button's name, and the status of a refusal (a form comes back with the reason,
    # a lone button redirects to the page with it); bulk: the admin action and its list.
    button: str = ""
    refused_status: int = 302
    offered_at: Callable[[Scene], str] | None = None
    admin_action: str = ""
    ok_check: Callable[[object], bool] = lambda response: True


def read(surface: str, scene, url, ok_check=lambda response: True) -> Action:
    return Action(surface, scene, "get", url, ok_check=ok_check)


def page_post(button: str, scene, audit: str, data=None, *, form: bool, query: str = "") -> Action:
    """A claim page button. `form`: the button submits a form, which a refusal shows again
    (200); a lone button is refused with a redirect back to the page (302)."""
    return Action(
        "page",
        scene,
        "post",
        claim_page,
        data=lambda scene, user: {**(data(scene, user) if data else {}), button: "1"},
        audit=audit,
        ok_status=302,
        button=button,
        refused_status=200 if form else 302,
        offered_at=lambda scene: claim_page(scene) + query,
    )


def bulk(listing: str, admin_action: str, scene, audit: str, selected, data=None) -> Action:
    return Action(
        "bulk",
        scene,
        "post",
        lambda scene: listing,
        data=lambda scene, user: {
            "action": admin_action,
            "_selected_action": [selected(scene)],
            **(data(scene, user) if data else {}),
        },
        audit=audit,
        ok_status=302,
        admin_action=admin_action,
        offered_at=lambda scene: listing,
    )


def queue_bulk(admin_action: str, scene, audit: str, data=None) -> Action:
    return bulk(QUEUE + EVERY_CLAIM, admin_action, scene, audit, lambda scene: scene.claim.pk, data)


def api_post(action: str, scene, audit: str, data=None, ok_status: int = 200) -> Action:
    return Action(
        "api",
        scene,
        "post",
        lambda scene: api_claim(scene, action),
        data=data or (lambda scene, user: {}),
        audit=audit,
        ok_status=ok_status,
    )


def username(user) -> str:
    return user.get_username() if user is not None else "rita_reviewer"


SOURCE_PAGE = {
    "source-url": "https://gov.example.org/census-2026.pdf",
    "source-title": "Census 2026, table 4",
    "source-publisher": "Statistics Office",
    "source-quote": "1,200 residents were moved out of the city centre.",
    "source-accessed_on": "2026-11-30",
}
SOURCE_API = {
    "url": "https://gov.example.org/census-2026.pdf",
    "title": "Census 2026, table 4",
    "quote": "1,200 residents were moved out of the city centre.",
}
ARTICLE_TEXT = "Evacuations in Geneva\n\nThe minister said 1,200 people were evacuated."


ACTIONS: dict[str, Action] = {
    # Desk pages.
    "queue-admin": read("admin", assigned, lambda scene: QUEUE),
    "claim_page-admin": read("admin", assigned, claim_page),
    "workload-admin": read("admin", assigned, lambda scene: f"{QUEUE}workload/"),
    "audit_log-admin": read("admin", assigned, lambda scene: "/admin/reviews/auditentry/"),
    "search-page": read(
        "admin",
        assigned,
        lambda scene: f"{claim_page(scene)}?q={SEARCH_WORDS.replace(' ', '+')}",
        ok_check=lambda response: bool(response.context["search_hits"]),
    ),
    "add_article-admin": Action(
        "admin",
        unassigned,
        "post",
        lambda scene: "/admin/factcheck/article/add/",
        data=lambda scene, user: {"pasted_text": ARTICLE_TEXT},
        audit="article_ingested",
        ok_status=302,
    ),
    # The queue's bulk actions.
    "assign_to_me-bulk": queue_bulk("assign_to_me", unassigned, "review_assigned"),
    "take_over-bulk": queue_bulk("assign_to_me", assigned, "review_assigned"),
    "assign_to-bulk": queue_bulk(
        "assign_to",
        unassigned,
        "review_assigned",
        lambda scene, user: {
            "apply": "Assign",
            "assignee": scene.cast.target.pk,
            "due_on": due_next_week(),
            "priority": "high",
        },
    ),
    "unassign-bulk": queue_bulk("unassign_claims", assigned, "review_unassigned"),
    "dismiss-bulk": queue_bulk(
        "dismiss_claims",
        assigned,
        "claim_dismissed",
        lambda scene, user: {"apply": "Dismiss", "reason": "opinion"},
    ),
    "restore-bulk": queue_bulk("restore_claims", dismissed, "claim_restored"),
    "publish-bulk": queue_bulk("publish_verdicts", submitted, "review_published"),
    # Articles and duplicate suggestions.
    "requeue-bulk": bulk(
        ARTICLES, "requeue_failed", failed_article, "article_requeued", lambda s: s.article.pk
    ),
    "confirm_duplicate-bulk": bulk(
        SUGGESTIONS,
        "confirm",
        duplicate_suggested,
        "duplicate_confirmed",
        lambda s: s.suggestion.pk,
    ),
    "reject_duplicate-bulk": bulk(
        SUGGESTIONS, "reject", duplicate_suggested, "duplicate_rejected", lambda s: s.suggestion.pk
    ),
    # The claim page's buttons.
    "assign_to_me-page": page_post("_assign_to_me", unassigned, "review_assigned", form=False),
    "add_source-page": page_post(
        "_add_source", assigned, "source_added", lambda s, u: SOURCE_PAGE, form=True
    ),
    "attach-page": page_post(
        "_attach",
        assigned_with_a_search_hit,
        "evidence_attached",
        lambda scene, user: {
            "page_id": scene.hit.page_id,
            "sentence_index": scene.hit.sentence_index,
            "q": SEARCH_WORDS,
        },
        form=False,
        query=f"?q={SEARCH_WORDS.replace(' ', '+')}",
    ),
    "submit-page": page_post(
        "_verdict",
        assigned,
        "verdict_submitted",
        lambda scene, user: {
            "verdict": "unsupported",
            "rationale": "The census gives 400.",
            "cited_evidence": [scene.evidence.pk],
        },
        form=True,
    ),
    "return-page": page_post(
        "_return",
        submitted,
        "review_returned",
        lambda s, u: {"return-note": "Cite the census table."},
        form=True,
    ),
    "publish-page": page_post("_publish", submitted, "review_published", form=False),
    "unpublish-page": page_post(
        "_unpublish",
        published,
        "review_unpublished",
        lambda s, u: {"unpublish-reason": "The census was revised."},
        form=True,
    ),
    "correct-page": page_post(
        "_correct",
        published,
        "review_corrected",
        lambda scene, user: {
            "correct-verdict": "unsupported",
            "correct-rationale": "The revised census gives 400.",
            "correct-cited_evidence": [scene.evidence.pk],
            "correct-reason": "The census was revised.",
        },
        form=True,
    ),
    "dismiss-page": page_post(
        "_dismiss",
        assigned,
        "claim_dismissed",
        lambda s, u: {"dismiss-reason": "opinion"},
        form=True,
    ),
    "restore-page": page_post("_restore", dismissed, "claim_restored", form=False),
    "note-page": page_post(
        "_note", assigned, "note_added", lambda s, u: {"note-text": "Call the ministry."}, form=True
    ),
    "claimant-page": page_post(
        "_claimant",
        assigned,
        "claimant_corrected",
        lambda s, u: {"claimant-claimant": "Health Minister Ana Ruiz", "claimant-cue": "said"},
        form=True,
    ),
    # The REST API.
    "claims-api": read("api", assigned, lambda scene: f"{API}/claims/"),
    "claim-api": read("api", assigned, api_claim),
    "assign_self-api": api_post(
        "assign", unassigned, "review_assigned", lambda scene, user: {"assignee": username(user)}
    ),
    "take_over-api": api_post(
        "assign", assigned, "review_assigned", lambda scene, user: {"assignee": username(user)}
    ),
    "assign_to-api": api_post(
        "assign",
        unassigned,
        "review_assigned",
        lambda scene, user: {
            "assignee": scene.cast.target.get_username(),
            "due": due_next_week(),
            "priority": "high",
        },
    ),
    "unassign-api": api_post("unassign", assigned, "review_unassigned"),
    "add_source-api": api_post(
        "sources", assigned, "source_added", lambda s, u: SOURCE_API, ok_status=201
    ),
    "submit-api": api_post(
        "verdict",
        assigned,
        "verdict_submitted",
        lambda scene, user: {
            "verdict": "unsupported",
            "rationale": "The census gives 400.",
            "evidence": [scene.evidence.pk],
        },
    ),
    "return-api": api_post(
        "return", submitted, "review_returned", lambda s, u: {"note": "Cite the census table."}
    ),
    "publish-api": api_post("publish", submitted, "review_published"),
    "unpublish-api": api_post(
        "unpublish",
        published,
        "review_unpublished",
        lambda s, u: {"reason": "The census was revised."},
    ),
    "correct-api": api_post(
        "correct",
        published,
        "review_corrected",
        lambda s, u: {"verdict": "unsupported", "reason": "The census was revised."},
    ),
    "dismiss-api": api_post(
        "dismiss", assigned, "claim_dismissed", lambda s, u: {"reason": "opinion"}
    ),
    "restore-api": api_post("restore", dismissed, "claim_restored"),
    "note-api": api_post(
        "notes", assigned, "note_added", lambda s, u: {"text": "Call the ministry."}, ok_status=201
    ),
    "claimant-api": api_post(
        "claimant",
        assigned,
        "claimant_corrected",
        lambda s, u: {"claimant": "Health Minister Ana Ruiz", "cue": "said"},
    ),
    "add_article-api": Action(
        "api",
        unassigned,
        "post",
        lambda scene: f"{API}/articles/",
        data=lambda scene, user: {"title": "Evacuations in Geneva", "text": ARTICLE_TEXT},
        audit="article_ingested",
        ok_status=201,
    ),
    "article-api": read("api", stored_article, lambda scene: f"{API}/articles/{scene.article.pk}/"),
    "verdicts-api": read("api", published, lambda scene: f"{API}/verdicts/"),
    "unpublished_verdict-api": read(
        "api", submitted, lambda scene: f"{API}/verdicts/{scene.claim.review.pk}/"
    ),
}


# --- The reasons people are given ------------------------------------------------------------

NOT_ON_DESK = "Only members of the review desk (the Reviewer or Editor group) may do this."
EDITORS_ADD_ARTICLES = "Only editors may add articles"
RITAS = "is assigned to rita_reviewer; only they or an editor may"
REASSIGN_TO_YOU = "is assigned to rita_reviewer; ask an editor to reassign it to you."
TAKEN = "is already assigned to rita_reviewer; ask an editor to reassign it."
OWN_VERDICT_PUBLISH = "You submitted this verdict yourself; another editor must approve and publish"
OWN_VERDICT_RETURN = "You submitted this verdict yourself; revise it instead of returning it."
OWN_VERDICT_CORRECT = "You wrote this verdict; another editor must correct it (two-person rule)."


def editors_only(doing: str) -> str:
    return f"Only editors may {doing}."


def desk_page(*, editors: bool = False) -> dict[str, Expect]:
    """A desk page anyone on the desk (with editors=True: an editor) may open."""
    return {
        ANONYMOUS: LOGIN,
        REVIEWER: FORBIDDEN if editors else ALLOWED,
        EDITOR: ALLOWED,
        OUTSIDER: FORBIDDEN,
        SUPERUSER: ALLOWED,
    }


def admin_cells(**cells: Expect) -> dict[str, Expect]:
    """An admin action's cells: anonymous visitors go to the login page, staff outside the
    desk are refused (403); the rest as given."""
    return {ANONYMOUS: LOGIN, OUTSIDER: FORBIDDEN, **_by_actor(cells)}


def api_cells(**cells: Expect) -> dict[str, Expect]:
    """An API call's cells: anonymous callers are asked to authenticate (401), staff outside
    the desk are refused (403); the rest as given."""
    return {ANONYMOUS: UNAUTHENTICATED, OUTSIDER: forbidden(NOT_ON_DESK), **_by_actor(cells)}


def _by_actor(cells: dict[str, Expect]) -> dict[str, Expect]:
    # Keyword arguments cannot be spelled like the row staff_outside_desk; "outsider" is it.
    return {OUTSIDER if name == "outsider" else name: expect for name, expect in cells.items()}


# --- THE MATRIX: actor x action -> expected outcome ------------------------------------------

MATRIX: dict[str, dict[str, Expect]] = {
    # Desk pages
    "queue-admin": desk_page(),
    "claim_page-admin": {**desk_page(), OTHER_REVIEWER: ALLOWED},
    "search-page": {**desk_page(), OTHER_REVIEWER: ALLOWED},
    "workload-admin": desk_page(editors=True),
    "audit_log-admin": desk_page(editors=True),
    "add_article-admin": desk_page(editors=True),
    # The queue's bulk actions
    "assign_to_me-bulk": admin_cells(reviewer=ALLOWED, editor=ALLOWED, superuser=ALLOWED),
    "take_over-bulk": admin_cells(
        reviewer=ALREADY, other_reviewer=refused(TAKEN), editor=ALLOWED, superuser=ALLOWED
    ),
    "assign_to-bulk": admin_cells(reviewer=NOT_OFFERED, editor=ALLOWED, superuser=ALLOWED),
    "unassign-bulk": admin_cells(
        reviewer=NOT_OFFERED, other_reviewer=NOT_OFFERED, editor=ALLOWED, superuser=ALLOWED
    ),
    "dismiss-bulk": admin_cells(
        reviewer=ALLOWED,
        other_reviewer=refused(f"{RITAS} dismiss it."),
        editor=ALLOWED,
        superuser=ALLOWED,
    ),
    "restore-bulk": admin_cells(
        reviewer=NOT_OFFERED, other_reviewer=NOT_OFFERED, editor=ALLOWED, superuser=ALLOWED
    ),
    "publish-bulk": admin_cells(
        reviewer=NOT_OFFERED,
        other_reviewer=NOT_OFFERED,
        editor=ALLOWED,
        author_editor=refused(OWN_VERDICT_PUBLISH),
        superuser=ALLOWED,
    ),
    # Articles and duplicate suggestions (the issue: reviewers could run both)
    "requeue-bulk": admin_cells(reviewer=NOT_OFFERED, editor=ALLOWED, superuser=ALLOWED),
    "confirm_duplicate-bulk": admin_cells(reviewer=NOT_OFFERED, editor=ALLOWED, superuser=ALLOWED),
    "reject_duplicate-bulk": admin_cells(reviewer=NOT_OFFERED, editor=ALLOWED, superuser=ALLOWED),
    # The claim page's buttons
    "assign_to_me-page": admin_cells(reviewer=ALLOWED, editor=ALLOWED, superuser=ALLOWED),
    "add_source-page": admin_cells(
        reviewer=ALLOWED,
        other_reviewer=refused(f"{RITAS} add sources."),
        editor=ALLOWED,
        superuser=ALLOWED,
    ),
    "attach-page": admin_cells(
        reviewer=ALLOWED,
        other_reviewer=refused(f"{RITAS} attach evidence."),
        editor=ALLOWED,
        superuser=ALLOWED,
    ),
    # The verdict is the assignee's: an editor reassigns the claim before writing one.
    "submit-page": admin_cells(
        reviewer=ALLOWED,
        other_reviewer=refused(REASSIGN_TO_YOU),
        editor=refused(REASSIGN_TO_YOU),
        superuser=refused(REASSIGN_TO_YOU),
    ),
    "return-page": admin_cells(
        reviewer=refused(editors_only("return verdicts")),
        other_reviewer=refused(editors_only("return verdicts")),
        editor=ALLOWED,
        author_editor=refused(OWN_VERDICT_RETURN),
        superuser=ALLOWED,
    ),
    "publish-page": admin_cells(
        reviewer=refused(editors_only("publish verdicts")),
        other_reviewer=refused(editors_only("publish verdicts")),
        editor=ALLOWED,
        author_editor=refused(OWN_VERDICT_PUBLISH),
        superuser=ALLOWED,
    ),
    # Taking a verdict down is not approving one: its author may, if they are an editor.
    "unpublish-page": admin_cells(
        reviewer=refused(editors_only("unpublish verdicts")),
        other_reviewer=refused(editors_only("unpublish verdicts")),
        editor=ALLOWED,
        author_editor=ALLOWED,
        superuser=ALLOWED,
    ),
    "correct-page": admin_cells(
        reviewer=refused(editors_only("correct published verdicts")),
        other_reviewer=refused(editors_only("correct published verdicts")),
        editor=ALLOWED,
        author_editor=refused(OWN_VERDICT_CORRECT),
        superuser=ALLOWED,
    ),
    "dismiss-page": admin_cells(
        reviewer=ALLOWED,
        other_reviewer=refused(f"{RITAS} dismiss it."),
        editor=ALLOWED,
        superuser=ALLOWED,
    ),
    "restore-page": admin_cells(
        reviewer=refused(editors_only("restore dismissed claims")),
        other_reviewer=refused(editors_only("restore dismissed claims")),
        editor=ALLOWED,
        superuser=ALLOWED,
    ),
    # Notes are the desk's conversation: anyone on it may write on any claim.
    "note-page": admin_cells(
        reviewer=ALLOWED, other_reviewer=ALLOWED, editor=ALLOWED, superuser=ALLOWED
    ),
    "claimant-page": admin_cells(
        reviewer=ALLOWED,
        other_reviewer=refused(f"{RITAS} correct the claimant."),
        editor=ALLOWED,
        superuser=ALLOWED,
    ),
    # The REST API
    "claims-api": api_cells(reviewer=ALLOWED, editor=ALLOWED, superuser=ALLOWED),
    "claim-api": api_cells(reviewer=ALLOWED, editor=ALLOWED, superuser=ALLOWED),
    "assign_self-api": api_cells(reviewer=ALLOWED, editor=ALLOWED, superuser=ALLOWED),
    "take_over-api": api_cells(
        reviewer=ALREADY, other_reviewer=conflict(TAKEN), editor=ALLOWED, superuser=ALLOWED
    ),
    "assign_to-api": api_cells(
        reviewer=forbidden(editors_only("assign claims to other people")),
        editor=ALLOWED,
        superuser=ALLOWED,
    ),
    "unassign-api": api_cells(
        reviewer=forbidden(editors_only("unassign claims")),
        other_reviewer=forbidden(editors_only("unassign claims")),
        editor=ALLOWED,
        superuser=ALLOWED,
    ),
    "add_source-api": api_cells(
        reviewer=ALLOWED,
        other_reviewer=forbidden(f"{RITAS} add sources."),
        editor=ALLOWED,
        superuser=ALLOWED,
    ),
    "submit-api": api_cells(
        reviewer=ALLOWED,
        other_reviewer=forbidden(REASSIGN_TO_YOU),
        editor=forbidden(REASSIGN_TO_YOU),
        superuser=forbidden(REASSIGN_TO_YOU),
    ),
    "return-api": api_cells(
        reviewer=forbidden(editors_only("return verdicts")),
        other_reviewer=forbidden(editors_only("return verdicts")),
        editor=ALLOWED,
        author_editor=forbidden(OWN_VERDICT_RETURN),
        superuser=ALLOWED,
    ),
    "publish-api": api_cells(
        reviewer=forbidden(editors_only("publish verdicts")),
        other_reviewer=forbidden(editors_only("publish verdicts")),
        editor=ALLOWED,
        author_editor=forbidden(OWN_VERDICT_PUBLISH),
        superuser=ALLOWED,
    ),
    "unpublish-api": api_cells(
        reviewer=forbidden(editors_only("unpublish verdicts")),
        other_reviewer=forbidden(editors_only("unpublish verdicts")),
        editor=ALLOWED,
        author_editor=ALLOWED,
        superuser=ALLOWED,
    ),
    "correct-api": api_cells(
        reviewer=forbidden(editors_only("correct published verdicts")),
        other_reviewer=forbidden(editors_only("correct published verdicts")),
        editor=ALLOWED,
        author_editor=forbidden(OWN_VERDICT_CORRECT),
        superuser=ALLOWED,
    ),
    "dismiss-api": api_cells(
        reviewer=ALLOWED,
        other_reviewer=forbidden(f"{RITAS} dismiss it."),
        editor=ALLOWED,
        superuser=ALLOWED,
    ),
    "restore-api": api_cells(
        reviewer=forbidden(editors_only("restore dismissed claims")),
        other_reviewer=forbidden(editors_only("restore dismissed claims")),
        editor=ALLOWED,
        superuser=ALLOWED,
    ),
    "note-api": api_cells(
        reviewer=ALLOWED, other_reviewer=ALLOWED, editor=ALLOWED, superuser=ALLOWED
    ),
    "claimant-api": api_cells(
        reviewer=ALLOWED,
        other_reviewer=forbidden(f"{RITAS} correct the claimant."),
        editor=ALLOWED,
        superuser=ALLOWED,
    ),
    "add_article-api": api_cells(
        outsider=forbidden(EDITORS_ADD_ARTICLES),
        reviewer=forbidden(EDITORS_ADD_ARTICLES),
        editor=ALLOWED,
        superuser=ALLOWED,
    ),
    "article-api": api_cells(reviewer=ALLOWED, editor=ALLOWED, superuser=ALLOWED),
    # Published verdicts are public; an unpublished one does not exist for anybody.
    "verdicts-api": api_cells(
        anonymous=ALLOWED, outsider=ALLOWED, reviewer=ALLOWED, editor=ALLOWED, superuser=ALLOWED
    ),
    "unpublished_verdict-api": api_cells(
        outsider=NOT_FOUND,
        anonymous=NOT_FOUND,
        reviewer=NOT_FOUND,
        editor=NOT_FOUND,
        superuser=NOT_FOUND,
    ),
}

CELLS = [
    pytest.param(actor, action, expected, id=f"{actor}-{action}")
    for action, row in MATRIX.items()
    for actor, expected in row.items()
]


# --- One cell --------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def corpus_source(settings):
    settings.EVIDENCE_SOURCE = "corpus"


@pytest.mark.parametrize(("actor", "action_name", "expected"), CELLS)
def test_the_cell_holds(actor, action_name, expected):
    action = ACTIONS[action_name]
    cast = Cast()
    user = cast.user(actor)
    scene = action.scene(cast, cast.worker(actor))
    client = api_client(user) if action.surface == "api" else admin_client(user)
    offer = what_is_offered(client, action, scene) if user_sees_the_page(expected) else None

    before = desk_state()
    data = action.data(scene, user)
    if action.surface == "api" and action.method == "post":
        response = client.post(action.url(scene), data, format="json")
    else:
        response = getattr(client, action.method)(action.url(scene), data)

    if expected == ALLOWED:
        assert_allowed(action, scene, offer, response)
        if action.audit is not None:
            assert audit_since(before) == [(action.audit, user.pk)]
            return
    elif expected == ALREADY:
        assert_already_so(action, offer, response)
    else:
        assert_refused(action, expected, offer, response)
    assert desk_state() == before, "the database changed"


@dataclass
class Offer:
    """What the page or list showed the person before they acted."""

    this_action: bool
    any_action: bool


def user_sees_the_page(expected: Expect) -> bool:
    """Whether the person can open the claim page or list the action is on."""
    return expected.kind in ("allowed", "refused", "not offered")


def what_is_offered(client, action: Action, scene: Scene) -> Offer | None:
    if action.offered_at is None:
        return None
    shown = client.get(action.offered_at(scene))
    assert shown.status_code == 200
    if action.surface == "page":
        return Offer(f'name="{action.button}"' in shown.content.decode(), True)
    actions = offered_actions(shown)
    return Offer(action.admin_action in actions, bool(actions))


def assert_allowed(action: Action, scene: Scene, offer: Offer | None, response) -> None:
    assert response.status_code == action.ok_status, said(response)
    assert action.ok_check(response)
    if action.surface in ("page", "bulk"):
        assert offer.this_action, f"{action.button or action.admin_action} is not offered"
        assert any(level == message_levels.SUCCESS for level, _ in flashed(response))
    if action.surface == "page":
        assert response["Location"].startswith(claim_page(scene))


def assert_already_so(action: Action, offer: Offer | None, response) -> None:
    assert response.status_code == action.ok_status, said(response)
    if action.surface == "bulk":
        assert offer.this_action
        assert any(level == message_levels.INFO for level, _ in flashed(response))


def assert_refused(action: Action, expected: Expect, offer: Offer | None, response) -> None:
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    elif expected == NOT_OFFERED:
        assert not offer.this_action, f"{action.admin_action} is offered"
        if offer.any_action:
            # The admin runs only an action it offers, and says so.
            assert response.status_code == 302
            assert "No action selected." in refusals_flashed(response)
        else:
            # Offered no action at all, the person gets the list back and nothing runs.
            assert response.status_code == 200
            assert response.context["action_form"] is None
    elif expected.kind == "refused":
        if action.surface == "page":
            assert not offer.this_action, f"the page offers {action.button}"
            assert response.status_code == action.refused_status
        else:
            assert offer.this_action  # offered for the list, and refused for this claim
            assert response.status_code == 302
        refusals = refusals_flashed(response)
        assert any(expected.reason in text for text in refusals), refusals
    else:
        assert response.status_code == int(expected.kind), said(response)
        if expected.reason:
            assert expected.reason in response.json()["detail"]


def said(response) -> str:
    if response.get("Content-Type", "").startswith("application/json"):
        return str(response.json())
    return str(flashed(response))


# --- The table itself ------------------------------------------------------------------------


def test_every_action_has_a_cell_for_each_actor_the_issue_names():
    assert {actor for row in MATRIX.values() for actor in row} == set(ACTORS)
    missing = {action: sorted(REQUIRED_ACTORS - set(row)) for action, row in MATRIX.items()}
    assert {action: actors for action, actors in missing.items() if actors} == {}
    assert set(MATRIX) == set(ACTIONS)


def test_every_desk_action_of_every_surface_has_a_column():
    """A new claim page button, queue action or API action without a column fails here."""
    one = SimpleNamespace(pk=1, review=SimpleNamespace(pk=1))
    some_claim = SimpleNamespace(claim=one, article=one, suggestion=one)
    buttons = {a.button for a in ACTIONS.values() if a.surface == "page"}
    assert buttons == set(claim_actions._ACTIONS)
    queue_actions = {
        a.admin_action
        for a in ACTIONS.values()
        if a.surface == "bulk" and a.url(some_claim).startswith(QUEUE)
    }
    assert queue_actions == set(QueueClaimAdmin.actions)
    claim_url = api_claim(some_claim)
    api_actions = {
        a.url(some_claim).removeprefix(claim_url).strip("/")
        for a in ACTIONS.values()
        if a.surface == "api" and a.url(some_claim).startswith(claim_url)
    }
    assert api_actions - {""} == {action.url_path for action in ClaimViewSet.get_extra_actions()}
    assert {prefix for prefix, _, _ in router.registry} == {"articles", "claims", "verdicts"}
