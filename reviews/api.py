"""The review desk through the REST API: claims with their evidence, sources, review and
history, and every desk action as POST /api/v1/claims/{id}/<action>/.

Each action is one call to reviews.services, which holds the permission and state rules, so
the API refuses exactly what the desk refuses: ReviewPermissionError answers 403,
ReviewStateError 409, a ValueError (input the service cannot use) 400, each with the
service's own one-line reason. Actions answer with the claim as GET /api/v1/claims/{id}/
shows it after the change, except those that add something (sources, notes): 201 {"id"}.
"""

from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from factcheck.api import ID_IN_PATH, BadRequest, Conflict, Pages, errors, id_in_path
from factcheck.models import Claim, Evidence
from factcheck.safe_urls import MAX_URL_LENGTH, UnsafeURLError, validate_public_url
from reviews import services
from reviews.claim_state import DESK_STATES, with_desk_state
from reviews.models import (
    ClaimNote,
    DismissReason,
    PublishedVersion,
    Review,
    ReviewTransition,
    Source,
    Verdict,
)

# Primary keys are bigint: larger numbers can name nothing, and PostgreSQL would refuse them.
MAX_ID = 2**63 - 1
MAX_CITATIONS = 100


def username_field(source: str, **kwargs) -> serializers.CharField:
    """A user as their user name, or null."""
    return serializers.CharField(source=f"{source}.username", allow_null=True, **kwargs)


# --- Reading claims --------------------------------------------------------------------------


class ClaimSerializer(serializers.Serializer):
    """A claim as a list row shows it."""

    id = serializers.IntegerField(source="pk")
    article = serializers.IntegerField(source="article_id")
    text = serializers.CharField()
    claimant = serializers.CharField(help_text="The claimant as extracted from the article.")
    claimant_name = serializers.CharField(
        help_text="The fullest name the article gives the claimant."
    )
    kind = serializers.ChoiceField(choices=Claim.Kind.choices)
    priority = serializers.ChoiceField(
        source="desk_priority",
        choices=Claim.Priority.choices,
        help_text="The editor's priority where set, else the machine's.",
    )
    state = serializers.ChoiceField(source="desk_state", choices=DESK_STATES)
    assignee = username_field("review.assignee")
    due_on = serializers.DateField(source="review.due_on", allow_null=True)
    verdict = serializers.CharField(source="review.verdict", allow_null=True)


class EvidenceSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    page_title = serializers.CharField(source="page.title")
    revision = serializers.CharField(
        source="page.revision_label", help_text='"revision N", or "snapshot of DATE".'
    )
    url = serializers.CharField(source="page.permalink")
    section = serializers.CharField()
    sentence = serializers.CharField()
    rank = serializers.IntegerField()
    added_by = username_field(
        "added_by", help_text="Who attached it from a search; null for the machine's evidence."
    )
    search_query = serializers.CharField()


class SourceSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    url = serializers.CharField()
    title = serializers.CharField()
    publisher = serializers.CharField()
    quote = serializers.CharField()
    accessed_on = serializers.DateField()
    archived_url = serializers.CharField()
    added_by = username_field("added_by")
    added_at = serializers.DateTimeField()


class VersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=PublishedVersion.Kind.choices)
    verdict = serializers.CharField()
    rationale = serializers.CharField()
    reason = serializers.CharField()
    published_at = serializers.DateTimeField()
    published_by = username_field("published_by")


class ReviewSerializer(serializers.ModelSerializer):
    assignee = username_field("assignee")
    reviewer = username_field("reviewer", help_text="Who submitted the verdict.")
    published_by = username_field("published_by")
    versions = VersionSerializer(many=True, help_text="Every published version, first first.")

    class Meta:
        model = Review
        fields = [
            "state",
            "assignee",
            "due_on",
            "priority",
            "verdict",
            "rationale",
            "reviewer",
            "decided_at",
            "cited_evidence",
            "cited_sources",
            "published_at",
            "published_by",
            "dismissed_reason",
            "dismissed_note",
            "versions",
        ]
        extra_kwargs = {"priority": {"help_text": "The editor's priority; empty when not set."}}


class ClaimantCorrectionSerializer(serializers.Serializer):
    claimant = serializers.CharField()
    cue = serializers.CharField()
    machine_claimant = serializers.CharField()
    machine_cue = serializers.CharField()
    corrected_by = username_field("corrected_by")
    corrected_at = serializers.DateTimeField()


class HistoryEntrySerializer(serializers.Serializer):
    kind = serializers.CharField(help_text='"transition" (a state change) or "note".')
    at = serializers.DateTimeField()
    by = serializers.CharField()
    from_state = serializers.CharField(required=False, help_text="Transitions only.")
    to_state = serializers.CharField(required=False, help_text="Transitions only.")
    text = serializers.CharField(help_text="The transition's comment, or the note.")


class ClaimDetailSerializer(ClaimSerializer):
    """A claim with everything the desk's claim page shows."""

    cue = serializers.CharField()
    claimant_correction = ClaimantCorrectionSerializer(allow_null=True)
    quantities = serializers.JSONField()
    evidence_status = serializers.ChoiceField(choices=Claim.EvidenceStatus.choices)
    duplicate_of = serializers.IntegerField(source="canonical_id", allow_null=True)
    evidence = EvidenceSerializer(many=True)
    sources = SourceSerializer(many=True)
    review = ReviewSerializer(allow_null=True)
    history = serializers.SerializerMethodField()

    @staticmethod
    def _history(claim: Claim) -> list[dict]:
        """State changes and notes as one timeline, oldest first."""
        review = getattr(claim, "review", None)
        entries = [
            {
                "kind": "transition",
                "at": t.at,
                "by": t.actor.get_username(),
                "from_state": t.from_state,
                "to_state": t.to_state,
                "text": t.comment,
            }
            for t in (review.transitions.all() if review is not None else [])
        ]
        entries += [
            {"kind": "note", "at": n.created_at, "by": n.author.get_username(), "text": n.text}
            for n in claim.notes.all()
        ]
        return sorted(entries, key=lambda entry: entry["at"])

    @extend_schema_field(HistoryEntrySerializer(many=True))
    def get_history(self, claim: Claim) -> list[dict]:
        return HistoryEntrySerializer(self._history(claim), many=True).data


def claims_for_list():
    """Claims with what a list row shows, in one query whatever the page's length."""
    return with_desk_state(Claim.objects.select_related("review__assignee").order_by("pk"))


def claims_for_detail():
    """Claims with what ClaimDetailSerializer shows, in a fixed number of queries."""
    return (
        claims_for_list()
        .select_related(
            "review__reviewer", "review__published_by", "claimant_correction__corrected_by"
        )
        .prefetch_related(
            Prefetch(
                "evidence",
                queryset=Evidence.objects.select_related("page", "added_by").order_by("rank"),
            ),
            Prefetch("sources", queryset=Source.objects.select_related("added_by")),
            Prefetch("notes", queryset=ClaimNote.objects.select_related("author")),
            "review__cited_evidence",
            "review__cited_sources",
            Prefetch(
                "review__transitions", queryset=ReviewTransition.objects.select_related("actor")
            ),
            Prefetch(
                "review__versions",
                queryset=PublishedVersion.objects.select_related("published_by"),
            ),
        )
    )


class ClaimFilterSerializer(serializers.Serializer):
    article = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="An article's id."
    )
    state = serializers.ChoiceField(
        required=False, choices=DESK_STATES, help_text="unassigned is the desk's needs action."
    )
    assignee = serializers.CharField(
        required=False, max_length=150, help_text="A reviewer's user name."
    )
    verdict = serializers.ChoiceField(required=False, choices=Verdict.choices)

    def narrow(self, claims):
        data = self.validated_data
        if "article" in data:
            claims = claims.filter(article_id=data["article"])
        if "state" in data:
            claims = claims.filter(desk_state=data["state"])
        if "assignee" in data:
            claims = claims.filter(review__assignee__username=data["assignee"])
        if "verdict" in data:
            claims = claims.filter(review__verdict=data["verdict"])
        return claims


# --- Desk actions: what each one takes ------------------------------------------------------


def public_url(value: str) -> str:
    try:
        return validate_public_url(value)
    except UnsafeURLError as exc:
        raise serializers.ValidationError(str(exc)) from None


def id_list(help_text: str, **kwargs) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        max_length=MAX_CITATIONS,
        help_text=help_text,
        **kwargs,
    )


class AssignSerializer(serializers.Serializer):
    assignee = serializers.CharField(max_length=150, help_text="The reviewer's user name.")
    due = serializers.DateField(required=False, help_text="YYYY-MM-DD")
    priority = serializers.ChoiceField(required=False, choices=Claim.Priority.choices)


class SourceInSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=MAX_URL_LENGTH, help_text="http or https only.")
    title = serializers.CharField(max_length=500)
    quote = serializers.CharField(help_text="The passage the verdict relies on, quoted exactly.")
    publisher = serializers.CharField(required=False, allow_blank=True, max_length=300)
    archived_url = serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_URL_LENGTH
    )
    accessed_on = serializers.DateField(required=False, help_text="Defaults to today.")

    def validate_url(self, value: str) -> str:
        return public_url(value)

    def validate_archived_url(self, value: str) -> str:
        return public_url(value) if value.strip() else ""


class CreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()


class VerdictInSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(choices=Verdict.choices)
    rationale = serializers.CharField()
    evidence = id_list("Cited evidence: evidence[].id of the claim.", required=False, default=list)
    sources = id_list("Cited sources: sources[].id of the claim.", required=False, default=list)


class ReturnSerializer(serializers.Serializer):
    note = serializers.CharField(help_text="What the reviewer should change.")


class CorrectSerializer(serializers.Serializer):
    verdict = serializers.ChoiceField(required=False, choices=Verdict.choices)
    rationale = serializers.CharField(required=False)
    reason = serializers.CharField(help_text="What was wrong; readers see it.")
    evidence = id_list("The citations after the change; leave out to keep them.", required=False)
    sources = id_list("The sources after the change; leave out to keep them.", required=False)


class UnpublishSerializer(serializers.Serializer):
    reason = serializers.CharField(help_text="Why the verdict is taken down.")


class DismissSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=DismissReason.choices)
    note = serializers.CharField(
        required=False, allow_blank=True, help_text='Needed when the reason is "other".'
    )


class NoteSerializer(serializers.Serializer):
    text = serializers.CharField()


class ClaimantSerializer(serializers.Serializer):
    claimant = serializers.CharField(max_length=300)
    cue = serializers.CharField(required=False, allow_blank=True, max_length=100)


@contextmanager
def desk_refusals():
    """The services' refusals as HTTP answers with the services' own reasons."""
    try:
        yield
    except services.ReviewPermissionError as exc:
        raise PermissionDenied(str(exc)) from None
    except services.ReviewStateError as exc:
        raise Conflict(str(exc)) from None
    except ValueError as exc:
        raise BadRequest(str(exc)) from None


def review_of(claim: Claim) -> Review:
    """The claim's own review, for the steps that act on a verdict."""
    review = Review.objects.filter(claim=claim).select_related("claim").first()
    if review is not None:
        return review
    if claim.canonical_id is not None:
        raise Conflict(
            f"Claim {claim.pk} repeats claim {claim.canonical_id}, which carries the verdict "
            f"for both; act on claim {claim.canonical_id} instead."
        )
    raise Conflict(f"Claim {claim.pk} has no verdict yet; a reviewer must submit one first.")


def desk_action(summary: str, request=None, created: bool = False, description: str = ""):
    """@action for POST /claims/{id}/<name>/, documented with its body and refusals."""
    ok = {201: CreatedSerializer} if created else {200: ClaimDetailSerializer}

    def decorate(method):
        name = method.__name__.rstrip("_")
        method = action(detail=True, methods=["post"], url_path=name, url_name=name)(method)
        # After @action, which replaces the function's kwargs where the schema is kept.
        return extend_schema(
            summary=summary,
            description=description,
            request=request,
            parameters=[id_in_path("claim")],
            responses={**ok, **errors(400, 401, 403, 404, 409)},
        )(method)

    return decorate


@extend_schema_view(
    list=extend_schema(
        summary="Claims on the desk",
        parameters=[ClaimFilterSerializer],
        responses={200: ClaimSerializer(many=True), **errors(400, 401, 403, 404)},
    ),
    retrieve=extend_schema(
        summary="A claim with its evidence, sources, review and history",
        parameters=[id_in_path("claim")],
        responses={200: ClaimDetailSerializer, **errors(401, 403, 404)},
    ),
)
class ClaimViewSet(viewsets.ReadOnlyModelViewSet):
    pagination_class = Pages
    lookup_value_regex = ID_IN_PATH
    queryset = Claim.objects.none()  # for the schema; get_queryset is what serves

    def get_queryset(self):
        if self.action == "list":
            return claims_for_list()
        if self.action == "retrieve":
            return claims_for_detail()
        # An action reads the claim itself; the services lock and re-read what they need.
        return Claim.objects.all()

    def get_serializer_class(self):
        return ClaimSerializer if self.action == "list" else ClaimDetailSerializer

    def list(self, request, *args, **kwargs):
        filters = ClaimFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        claims = filters.narrow(self.get_queryset())
        page = self.paginate_queryset(claims)
        return self.get_paginated_response(ClaimSerializer(page, many=True).data)

    # --- helpers of the actions ---

    def _input(self, serializer_class) -> dict:
        incoming = serializer_class(data=self.request.data)
        incoming.is_valid(raise_exception=True)
        return incoming.validated_data

    def _claim_now(self, claim: Claim) -> Response:
        return Response(ClaimDetailSerializer(claims_for_detail().get(pk=claim.pk)).data)

    def _created(self, obj) -> Response:
        return Response({"id": obj.pk}, status=status.HTTP_201_CREATED)

    # --- assignment ---

    @desk_action(
        "Assign the claim to a reviewer",
        AssignSerializer,
        description="Yourself, or (editors) anyone on the desk, with a due date and priority.",
    )
    def assign(self, request, pk=None):
        claim = self.get_object()
        data = self._input(AssignSerializer)
        User = get_user_model()
        assignee = User.objects.filter(**{User.USERNAME_FIELD: data["assignee"]}).first()
        if assignee is None:
            raise BadRequest(f"No user is called {data['assignee']!r}.")
        with desk_refusals():
            services.review_assign(
                claim=claim,
                assignee=assignee,
                assigned_by=request.user,
                due_on=data.get("due"),
                priority=data.get("priority"),
            )
        return self._claim_now(claim)

    @desk_action("Take the claim back from its reviewer (editors)")
    def unassign(self, request, pk=None):
        claim = self.get_object()
        with desk_refusals():
            services.review_unassign(claim=claim, editor=request.user)
        return self._claim_now(claim)

    # --- sources and verdicts ---

    @desk_action("Add a source the reviewer found", SourceInSerializer, created=True)
    def sources(self, request, pk=None):
        claim = self.get_object()
        data = self._input(SourceInSerializer)
        with desk_refusals():
            source = services.source_add(claim=claim, user=request.user, **data)
        return self._created(source)

    @desk_action(
        "Submit a verdict for an editor's approval",
        VerdictInSerializer,
        description="Cites any mix of the claim's evidence and sources, by their ids.",
    )
    def verdict(self, request, pk=None):
        claim = self.get_object()
        data = self._input(VerdictInSerializer)
        with desk_refusals():
            services.review_submit(
                claim=claim,
                reviewer=request.user,
                verdict=data["verdict"],
                rationale=data["rationale"],
                evidence_ids=data["evidence"],
                source_ids=data["sources"],
            )
        return self._claim_now(claim)

    @desk_action("Return the verdict to its reviewer with a note (editors)", ReturnSerializer)
    def return_(self, request, pk=None):
        claim = self.get_object()
        data = self._input(ReturnSerializer)
        with desk_refusals():
            services.review_return(review=review_of(claim), editor=request.user, note=data["note"])
        return self._claim_now(claim)

    @desk_action(
        "Publish the verdict (an editor who is not its reviewer)",
        description="It must await approval and cite at least one evidence or source.",
    )
    def publish(self, request, pk=None):
        claim = self.get_object()
        with desk_refusals():
            services.review_publish(review=review_of(claim), editor=request.user)
        return self._claim_now(claim)

    @desk_action("Take the published verdict down, with a reason (editors)", UnpublishSerializer)
    def unpublish(self, request, pk=None):
        claim = self.get_object()
        data = self._input(UnpublishSerializer)
        with desk_refusals():
            services.review_unpublish(
                review=review_of(claim), editor=request.user, reason=data["reason"]
            )
        return self._claim_now(claim)

    @desk_action(
        "Correct or update the published verdict, with a reason readers see (editors)",
        CorrectSerializer,
        description=(
            "A changed verdict is a correction, a changed rationale or citations an update; "
            "the earlier version stays public."
        ),
    )
    def correct(self, request, pk=None):
        claim = self.get_object()
        data = self._input(CorrectSerializer)
        with desk_refusals():
            services.review_correct(
                review=review_of(claim),
                editor=request.user,
                reason=data["reason"],
                verdict=data.get("verdict"),
                rationale=data.get("rationale"),
                evidence_ids=data.get("evidence"),
                source_ids=data.get("sources"),
            )
        return self._claim_now(claim)

    # --- triage ---

    @desk_action("Dismiss the claim from the queue, with a reason", DismissSerializer)
    def dismiss(self, request, pk=None):
        claim = self.get_object()
        data = self._input(DismissSerializer)
        with desk_refusals():
            services.claim_dismiss(
                claim=claim, user=request.user, reason=data["reason"], note=data.get("note", "")
            )
        return self._claim_now(claim)

    @desk_action("Bring a dismissed claim back to the queue (editors)")
    def restore(self, request, pk=None):
        claim = self.get_object()
        with desk_refusals():
            services.claim_restore(claim=claim, editor=request.user)
        return self._claim_now(claim)

    # --- notes and the claimant ---

    @desk_action(
        "Add a note to the claim's desk thread (never public)", NoteSerializer, created=True
    )
    def notes(self, request, pk=None):
        claim = self.get_object()
        data = self._input(NoteSerializer)
        with desk_refusals():
            note = services.note_add(claim=claim, author=request.user, text=data["text"])
        return self._created(note)

    @desk_action(
        "Correct who made the claim and the cue",
        ClaimantSerializer,
        description="Kept beside the machine's values, which stay as extracted.",
    )
    def claimant(self, request, pk=None):
        claim = self.get_object()
        data = self._input(ClaimantSerializer)
        with desk_refusals():
            services.claimant_correct(
                claim=claim, user=request.user, claimant=data["claimant"], cue=data.get("cue", "")
            )
        return self._claim_now(claim)
