"""The desk's claim page: the claim in its paragraph, the evidence, the verdict form, and the
actions a person may take on it, all through reviews.services. Rendered inside the admin as
QueueClaimAdmin's change view."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from reviews import roles, selectors, services
from reviews.forms import VerdictForm
from reviews.models import Review

# The claim page: read the claim in context, then act on it through services.


def claim_page_view(model_admin, request: HttpRequest, object_id: str) -> HttpResponse:
    claim = get_object_or_404(model_admin.get_queryset(request), pk=object_id)
    if not model_admin.has_view_permission(request, claim):
        raise PermissionDenied
    target = selectors.canonical_claim(claim)
    review = selectors.claim_applicable_review(claim=claim)
    evidence = selectors.claim_ranked_evidence(claim=claim)
    user = request.user
    can_change = model_admin.has_change_permission(request, claim)
    is_duplicate = target.pk != claim.pk
    can_record = (
        can_change
        and not is_duplicate
        and (review is None or review.assignee_id in (None, user.pk))
        and (review is None or review.state != Review.State.PUBLISHED)
    )
    cited_ids: list[int] = []
    if review is not None and review.verdict:
        cited_ids = list(review.cited_evidence.values_list("pk", flat=True))
    verdict_form = None
    if can_record:
        initial = {}
        if review is not None and review.verdict:
            initial = {
                "verdict": review.verdict,
                "rationale": review.rationale,
                "cited_evidence": cited_ids,
            }
        verdict_form = VerdictForm(initial=initial, evidence=evidence)

    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        response = _handle_claim_post(model_admin, request, claim, review, evidence, can_record)
        if isinstance(response, HttpResponse):
            return response
        verdict_form = response  # the bound form, with its errors

    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": f"Claim {claim.pk}",
        "subtitle": str(claim),
        "claim": claim,
        "original": claim,
        "parts": claim.paragraph_parts(),
        "canonical": target if is_duplicate else None,
        "review": review,
        "evidence": evidence,
        "cited_ids": cited_ids,
        "verdict_form": verdict_form,
        "can_assign_to_me": can_change
        and not is_duplicate
        and (review is None or review.assignee_id is None),
        "can_publish": roles.can_publish(user) and not is_duplicate and review is not None,
        "has_view_permission": True,
        "public_url": review.get_absolute_url() if review and review.published else None,
        "media": model_admin.media,
    }
    return TemplateResponse(request, model_admin.review_template, context)


def _handle_claim_post(model_admin, request, claim, review, evidence, can_record):
    here = HttpResponseRedirect(request.path)
    try:
        if "_assign_to_me" in request.POST:
            services.review_assign(claim=claim, assignee=request.user, assigned_by=request.user)
            model_admin.message_user(request, "The claim is yours.", messages.SUCCESS)
            return here
        if "_publish" in request.POST or "_unpublish" in request.POST:
            if not roles.can_publish(request.user) or review is None:
                raise PermissionDenied
            if "_publish" in request.POST:
                services.review_publish(review=review, editor=request.user)
                model_admin.message_user(request, "Verdict published.", messages.SUCCESS)
            else:
                services.review_unpublish(review=review, editor=request.user)
                model_admin.message_user(request, "Verdict unpublished.", messages.SUCCESS)
            return here
        if not can_record:
            raise services.ReviewStateError(
                "You cannot record a verdict on this claim: it is someone else's, published, "
                "or a duplicate."
            )
        form = VerdictForm(request.POST, evidence=evidence)
        if not form.is_valid():
            return form
        services.review_record_verdict(
            claim=claim,
            reviewer=request.user,
            verdict=form.cleaned_data["verdict"],
            rationale=form.cleaned_data["rationale"],
            cited_evidence=form.cleaned_data["cited_evidence"],
        )
        model_admin.message_user(request, "Verdict recorded.", messages.SUCCESS)
        return here
    except services.ReviewError as exc:
        model_admin.message_user(request, str(exc), messages.ERROR)
        return here
