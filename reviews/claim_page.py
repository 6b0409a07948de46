"""The desk's claim page: the claim in its paragraph, its evidence and sources, a search box,
the verdict and the editor's decision, notes and one timeline. Rendered inside the admin as
QueueClaimAdmin's change view.

Every action goes through reviews.services (reviews.claim_actions); the search box runs
factcheck.services.evidence_search, which only reads and caches pages. The page reads a
fixed number of queries however much evidence, sources or history the claim has.
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from factcheck import services as pipeline
from factcheck.evidence.hints import hint_label
from factcheck.evidence.types import EvidenceSourceError
from factcheck.models import Claim, Evidence
from reviews import claim_actions, roles, selectors, timeline
from reviews.claim_forms import (
    ClaimantForm,
    CorrectionForm,
    NoteForm,
    ReturnForm,
    SourceForm,
    UnpublishForm,
    VerdictForm,
)
from reviews.forms import DismissForm
from reviews.models import Review, Source

# What each part of the machine's ranking method means, for the details disclosure.
METHOD_WORDS = {
    "bm25": "shares words with the claim",
    "entity": "names the claim's people, places or groups",
    "number": "repeats one of the claim's figures",
    "quantity": "gives a figure for the same kind of thing",
    "entity-title": "is on a page about one of them",
}


@dataclass
class EvidenceRow:
    evidence: Evidence
    cited: bool
    why: str  # the ranking method in words; empty for a reviewer's attachment


@dataclass
class ClaimPage:
    """What the page shows and who may do what on it, read once per request."""

    claim: Claim
    user: AbstractBaseUser
    can_change: bool
    target: Claim  # the claim whose verdict applies: itself or the claim it repeats
    review: Review | None
    evidence: list[Evidence]
    sources: list[Source]
    cited_evidence: set[int] = field(default_factory=set)
    cited_sources: set[int] = field(default_factory=set)

    @property
    def is_duplicate(self) -> bool:
        return self.target.pk != self.claim.pk

    @property
    def state(self) -> str:
        return self.review.state if self.review is not None else ""

    @property
    def is_dismissed(self) -> bool:
        return self.review is not None and self.review.is_dismissed

    @property
    def is_editor(self) -> bool:
        return roles.can_publish(self.user)

    @property
    def can_assign_others(self) -> bool:
        return roles.can_assign_others(self.user)

    @property
    def open_for_work(self) -> bool:
        """Not a duplicate, not dismissed, and the desk may still act on it."""
        return self.can_change and not self.is_duplicate and not self.is_dismissed

    @property
    def is_assignee(self) -> bool:
        return self.review is not None and self.review.assignee_id == self.user.pk

    @property
    def can_assign_to_me(self) -> bool:
        return self.open_for_work and (
            self.review is None
            or (self.review.assignee_id is None and self.state == Review.State.ASSIGNED)
        )

    @property
    def can_work(self) -> bool:
        """Add sources, attach searched evidence, correct the claimant: the assignee's work,
        or an editor's."""
        return self.open_for_work and (self.is_assignee or self.can_assign_others)

    @property
    def can_correct_claimant(self) -> bool:
        return self.can_work and self.state != Review.State.PUBLISHED

    @property
    def can_submit(self) -> bool:
        return self.open_for_work and (
            self.review is None
            or (
                self.review.assignee_id in (None, self.user.pk)
                and self.state != Review.State.PUBLISHED
            )
        )

    @property
    def can_decide(self) -> bool:
        """Publish or return a verdict awaiting approval."""
        return (
            self.can_change
            and self.is_editor
            and not self.is_duplicate
            and self.state == Review.State.SUBMITTED
        )

    @property
    def can_change_published(self) -> bool:
        """Unpublish or correct a published verdict."""
        return (
            self.can_change
            and self.is_editor
            and not self.is_duplicate
            and self.state == Review.State.PUBLISHED
        )

    @property
    def wrote_verdict(self) -> bool:
        return self.review is not None and self.review.reviewer_id == self.user.pk

    @property
    def can_dismiss(self) -> bool:
        if not self.open_for_work:
            return False
        if self.review is None:
            return True
        return self.state in (Review.State.ASSIGNED, Review.State.RETURNED) and (
            self.review.assignee_id in (None, self.user.pk) or self.can_assign_others
        )

    @property
    def can_restore(self) -> bool:
        return self.can_change and self.is_dismissed and self.can_assign_others

    def verdict_initial(self) -> dict:
        if self.review is None or not self.review.verdict:
            return {}
        return {
            "verdict": self.review.verdict,
            "rationale": self.review.rationale,
            "cited_evidence": sorted(self.cited_evidence),
            "cited_sources": sorted(self.cited_sources),
        }


def claim_page_load(claim: Claim, user, *, can_change: bool) -> ClaimPage:
    """The review, the evidence (with who attached it), the sources and what the verdict
    cites: three queries, five once there is a verdict, however many rows there are."""
    target = selectors.canonical_claim(claim)
    review = (
        Review.objects.filter(claim_id=target.pk)
        .select_related("reviewer", "assignee", "dismissed_by", "published_by")
        .first()
    )
    evidence = list(
        Evidence.objects.filter(claim_id=claim.pk)
        .select_related("page", "added_by")
        .order_by("rank", "pk")
    )
    sources = list(Source.objects.filter(claim_id=claim.pk).select_related("added_by"))
    page = ClaimPage(
        claim=claim,
        user=user,
        can_change=can_change,
        target=target,
        review=review,
        evidence=evidence,
        sources=sources,
    )
    if review is not None and review.verdict:
        page.cited_evidence = set(review.cited_evidence.values_list("pk", flat=True))
        page.cited_sources = set(review.cited_sources.values_list("pk", flat=True))
    return page


def claim_page_view(model_admin, request: HttpRequest, object_id: str) -> HttpResponse:
    queryset = model_admin.get_queryset(request).select_related("claimant_correction__corrected_by")
    claim = get_object_or_404(queryset, pk=object_id)
    if not model_admin.has_view_permission(request, claim):
        raise PermissionDenied
    page = claim_page_load(
        claim, request.user, can_change=model_admin.has_change_permission(request, claim)
    )
    bound: dict[str, object] = {}
    if request.method == "POST":
        if not page.can_change:
            raise PermissionDenied
        response = claim_actions.claim_page_post(model_admin, request, page)
        if isinstance(response, HttpResponse):
            return response
        bound = response  # {form name: the bound form, with its errors}
    return _render(model_admin, request, page, bound)


# --- Rendering -------------------------------------------------------------------------------


def _render(model_admin, request: HttpRequest, page: ClaimPage, bound: dict) -> HttpResponse:
    claim, review = page.claim, page.review
    entries = timeline.claim_timeline(claim_id=claim.pk)
    query = " ".join(request.GET.get("q", "").split())[:300]
    search_hits, search_error = [], ""
    if query:
        try:
            search_hits = pipeline.evidence_search(claim=claim, query=query)
        except EvidenceSourceError as exc:
            search_error = f"The search could not be run: {exc}. " + (
                "Try again in a minute." if exc.transient else "Tell whoever runs the desk."
            )
    attached = {(e.page_id, e.sentence_index) for e in page.evidence}

    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": f"Claim {claim.pk}",
        "subtitle": str(claim),
        "claim": claim,
        "original": claim,
        "page": page,
        "review": review,
        "parts": claim.paragraph_parts(),
        "canonical": page.target if page.is_duplicate else None,
        "claimant": _claimant(claim),
        "quantities": [_quantity_text(q) for q in claim.quantities if isinstance(q, dict)],
        "hints": [_hint(h) for h in claim.evidence_hints if isinstance(h, dict)],
        "evidence_rows": [
            EvidenceRow(e, e.pk in page.cited_evidence, _method_words(e.method))
            for e in page.evidence
        ],
        "timeline": entries,
        "returned": timeline.last_return(entries) if page.state == Review.State.RETURNED else None,
        "query": query,
        "search_hits": [
            (hit, (hit.page_id, hit.sentence_index) in attached) for hit in search_hits
        ],
        "search_error": search_error,
        "public_url": review.get_absolute_url() if review and review.published else None,
        **_forms(page, bound),
        "has_view_permission": True,
        "media": model_admin.media,
    }
    return TemplateResponse(request, model_admin.review_template, context)


def _forms(page: ClaimPage, bound: dict[str, Form]) -> dict[str, Form | None]:
    """The forms for what this person may do now: the one that just failed, with its errors
    and input, or a fresh one; None for what they may not do."""

    def pick(name: str, make) -> Form:
        return bound[name] if name in bound else make()

    forms: dict[str, Form | None] = dict.fromkeys(
        ["verdict_form", "correction_form", "source_form", "return_form", "unpublish_form",
         "dismiss_form", "note_form", "claimant_form"]
    )  # fmt: skip
    citations = {"evidence": page.evidence, "sources": page.sources}
    if page.can_submit:
        forms["verdict_form"] = pick(
            "verdict", lambda: VerdictForm(initial=page.verdict_initial(), **citations)
        )
    if page.can_decide and not page.wrote_verdict:
        forms["return_form"] = pick("return", lambda: ReturnForm(prefix="return"))
    if page.can_change_published:
        forms["unpublish_form"] = pick("unpublish", lambda: UnpublishForm(prefix="unpublish"))
        if not page.wrote_verdict:
            forms["correction_form"] = pick(
                "correct",
                lambda: CorrectionForm(
                    prefix="correct", initial=page.verdict_initial(), **citations
                ),
            )
    if page.can_work:
        forms["source_form"] = pick("source", lambda: SourceForm(prefix="source"))
    if page.can_correct_claimant:
        shown = _claimant(page.claim)
        forms["claimant_form"] = pick(
            "claimant",
            lambda: ClaimantForm(
                prefix="claimant", initial={"claimant": shown["name"], "cue": shown["cue"]}
            ),
        )
    if page.can_dismiss:
        forms["dismiss_form"] = pick("dismiss", lambda: DismissForm(prefix="dismiss"))
    if page.can_change:
        forms["note_form"] = pick("note", lambda: NoteForm(prefix="note"))
    return forms


def _claimant(claim: Claim) -> dict:
    """Who made the claim, as the desk shows it: the reviewer's correction if there is one,
    else the fullest name the article gives; and the machine's own reading beside it."""
    correction = getattr(claim, "claimant_correction", None)
    machine = " ".join(filter(None, [claim.claimant, claim.cue]))
    if correction is not None:
        return {
            "name": correction.claimant,
            "cue": correction.cue,
            "correction": correction,
            "machine": " ".join(filter(None, [correction.machine_claimant, correction.machine_cue]))
            or "no claimant",
        }
    return {
        "name": claim.claimant_name or claim.claimant,
        "cue": claim.cue,
        "correction": None,
        "machine": machine,
        "as_written": claim.claimant if claim.claimant != (claim.claimant_name or "") else "",
    }


def _quantity_text(quantity: dict) -> str:
    text = str(quantity.get("text") or "")
    unit = str(quantity.get("unit") or "")
    if unit and unit.casefold() not in text.casefold():
        return f"{text} {unit}".strip()
    return text


def _hint(hint: dict) -> dict:
    """A stored hint for display: its message as stored, its kind only as words."""
    return {
        "message": str(hint.get("message") or ""),
        "label": hint_label(str(hint.get("kind") or "")),
        "page_title": hint.get("page_title") or "",
        "sentence_index": hint.get("sentence_index"),
    }


def _method_words(method: str) -> str:
    parts = [METHOD_WORDS[p] for p in method.split("+") if p in METHOD_WORDS]
    if not parts:
        return ""
    if len(parts) == 1:
        return "It " + parts[0] + "."
    return "It " + ", ".join(parts[:-1]) + " and " + parts[-1] + "."
