"""The claim page's actions: one submit button per form, its name saying which action runs
(_ACTIONS). Each action validates its form and calls one service of reviews.services; a
refusal shows the service's own reason, and the form comes back with the input kept."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.contrib import messages
from django.forms import Form
from django.http import HttpRequest, HttpResponseRedirect

from reviews import services
from reviews.claim_forms import (
    AttachForm,
    ClaimantForm,
    CorrectionForm,
    NoteForm,
    ReturnForm,
    SourceForm,
    UnpublishForm,
    VerdictForm,
)
from reviews.forms import DismissForm
from reviews.models import Review

if TYPE_CHECKING:
    from reviews.claim_page import ClaimPage


def _here(request: HttpRequest, anchor: str = "", query: str = "") -> HttpResponseRedirect:
    url = request.path + (f"?{urlencode({'q': query})}" if query else "")
    return HttpResponseRedirect(url + (f"#{anchor}" if anchor else ""))


def claim_page_post(
    model_admin, request: HttpRequest, page: ClaimPage
) -> HttpResponseRedirect | dict[str, Form]:
    """Run the action the pressed button names. Returns a redirect on success or after a
    refusal of a button-only action; otherwise {form name: bound form} to show again."""
    for button, handler in _ACTIONS.items():
        if button in request.POST:
            try:
                return handler(model_admin, request, page)
            except services.ReviewError as exc:
                model_admin.message_user(request, str(exc), messages.ERROR)
                return _here(request)
    model_admin.message_user(
        request, "Nothing was changed: use one of the page's buttons.", messages.WARNING
    )
    return _here(request)


def _refused(model_admin, request, form: Form, exc: Exception) -> Form:
    """A service said no: its reason at the top of the page and on the form, input kept."""
    model_admin.message_user(request, str(exc), messages.ERROR)
    form.add_error(None, str(exc))
    return form


def _assign_to_me(model_admin, request, page):
    services.review_assign(claim=page.claim, assignee=request.user, assigned_by=request.user)
    model_admin.message_user(request, "The claim is yours.", messages.SUCCESS)
    return _here(request)


def _add_source(model_admin, request, page):
    form = SourceForm(request.POST, prefix="source")
    if not form.is_valid():
        return {"source": form}
    data = form.cleaned_data
    try:
        services.source_add(
            claim=page.claim,
            user=request.user,
            url=data["url"],
            title=data["title"],
            quote=data["quote"],
            publisher=data["publisher"],
            accessed_on=data["accessed_on"],
            archived_url=data["archived_url"],
        )
    except (services.ReviewError, ValueError) as exc:
        return {"source": _refused(model_admin, request, form, exc)}
    model_admin.message_user(request, "Source added; you can cite it now.", messages.SUCCESS)
    return _here(request, "sources")


def _attach(model_admin, request, page):
    form = AttachForm(request.POST)
    if not form.is_valid():
        model_admin.message_user(
            request, "That search result could not be read; search again.", messages.WARNING
        )
        return _here(request, "search")
    data = form.cleaned_data
    already = any(
        (e.page_id, e.sentence_index) == (data["page_id"], data["sentence_index"])
        for e in page.evidence
    )
    try:
        services.evidence_attach(
            claim=page.claim,
            user=request.user,
            page_id=data["page_id"],
            sentence_index=data["sentence_index"],
            query=data["q"],
        )
    except (services.ReviewError, ValueError) as exc:
        model_admin.message_user(request, str(exc), messages.ERROR)
        return _here(request, "search", data["q"])
    model_admin.message_user(
        request,
        "That sentence was already attached." if already else "Sentence attached as evidence.",
        messages.INFO if already else messages.SUCCESS,
    )
    return _here(request, "search", data["q"])


def _submit(model_admin, request, page):
    form = VerdictForm(request.POST, evidence=page.evidence, sources=page.sources)
    if not form.is_valid():
        return {"verdict": form}
    data = form.cleaned_data
    try:
        services.review_submit(
            claim=page.claim,
            reviewer=request.user,
            verdict=data["verdict"],
            rationale=data["rationale"],
            evidence_ids=data["cited_evidence"],
            source_ids=data["cited_sources"],
        )
    except (services.ReviewError, ValueError) as exc:
        return {"verdict": _refused(model_admin, request, form, exc)}
    model_admin.message_user(
        request, "Verdict submitted for approval; an editor will review it.", messages.SUCCESS
    )
    return _here(request)


def _require_review(page: ClaimPage) -> Review:
    if page.review is None or page.is_duplicate:
        raise services.ReviewStateError(
            f"Claim {page.claim.pk} has no verdict of its own to act on."
        )
    return page.review


def _publish(model_admin, request, page):
    review = services.review_publish(review=_require_review(page), editor=request.user)
    model_admin.message_user(
        request,
        f"Verdict published. Readers see it at {review.get_absolute_url()}.",
        messages.SUCCESS,
    )
    return _here(request)


def _return(model_admin, request, page):
    review = _require_review(page)
    form = ReturnForm(request.POST, prefix="return")
    if not form.is_valid():
        return {"return": form}
    try:
        services.review_return(review=review, editor=request.user, note=form.cleaned_data["note"])
    except (services.ReviewError, ValueError) as exc:
        return {"return": _refused(model_admin, request, form, exc)}
    model_admin.message_user(request, "Returned to the reviewer with your note.", messages.SUCCESS)
    return _here(request)


def _unpublish(model_admin, request, page):
    review = _require_review(page)
    form = UnpublishForm(request.POST, prefix="unpublish")
    if not form.is_valid():
        return {"unpublish": form}
    try:
        services.review_unpublish(
            review=review, editor=request.user, reason=form.cleaned_data["reason"]
        )
    except (services.ReviewError, ValueError) as exc:
        return {"unpublish": _refused(model_admin, request, form, exc)}
    model_admin.message_user(
        request, "Verdict unpublished; it is back with its reviewer.", messages.SUCCESS
    )
    return _here(request)


def _correct(model_admin, request, page):
    review = _require_review(page)
    form = CorrectionForm(
        request.POST, prefix="correct", evidence=page.evidence, sources=page.sources
    )
    if not form.is_valid():
        return {"correct": form}
    data = form.cleaned_data
    try:
        services.review_correct(
            review=review,
            editor=request.user,
            reason=data["reason"],
            verdict=data["verdict"],
            rationale=data["rationale"],
            evidence_ids=data["cited_evidence"],
            source_ids=data["cited_sources"],
        )
    except (services.ReviewError, ValueError) as exc:
        return {"correct": _refused(model_admin, request, form, exc)}
    model_admin.message_user(request, "The correction is published.", messages.SUCCESS)
    return _here(request)


def _dismiss(model_admin, request, page):
    form = DismissForm(request.POST, prefix="dismiss")
    if not form.is_valid():
        return {"dismiss": form}
    try:
        services.claim_dismiss(
            claim=page.claim,
            user=request.user,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
        )
    except (services.ReviewError, ValueError) as exc:
        return {"dismiss": _refused(model_admin, request, form, exc)}
    model_admin.message_user(request, "Claim dismissed; it has left the queue.", messages.SUCCESS)
    return _here(request)


def _restore(model_admin, request, page):
    services.claim_restore(claim=page.claim, editor=request.user)
    model_admin.message_user(request, "Claim restored to the queue.", messages.SUCCESS)
    return _here(request)


def _note(model_admin, request, page):
    form = NoteForm(request.POST, prefix="note")
    if not form.is_valid():
        return {"note": form}
    try:
        services.note_add(claim=page.claim, author=request.user, text=form.cleaned_data["text"])
    except (services.ReviewError, ValueError) as exc:
        return {"note": _refused(model_admin, request, form, exc)}
    model_admin.message_user(request, "Note added.", messages.SUCCESS)
    return _here(request, "timeline")


def _correct_claimant(model_admin, request, page):
    form = ClaimantForm(request.POST, prefix="claimant")
    if not form.is_valid():
        return {"claimant": form}
    try:
        services.claimant_correct(
            claim=page.claim,
            user=request.user,
            claimant=form.cleaned_data["claimant"],
            cue=form.cleaned_data["cue"],
        )
    except (services.ReviewError, ValueError) as exc:
        return {"claimant": _refused(model_admin, request, form, exc)}
    model_admin.message_user(request, "Claimant corrected.", messages.SUCCESS)
    return _here(request)


# The submit button's name -> its action. One button per form, so the name says which.
_ACTIONS = {
    "_assign_to_me": _assign_to_me,
    "_add_source": _add_source,
    "_attach": _attach,
    "_verdict": _submit,
    "_publish": _publish,
    "_return": _return,
    "_unpublish": _unpublish,
    "_correct": _correct,
    "_dismiss": _dismiss,
    "_restore": _restore,
    "_note": _note,
    "_claimant": _correct_claimant,
}
