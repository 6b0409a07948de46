"""The REST API's articles and published verdicts, and what every endpoint shares: how
refusals read and how lists are paged. The desk's claims and actions are in reviews/api.py,
who may call what in reviews/api_permissions.py, the routes in factcheck/api_urls.py.

Endpoints are interfaces only: articles go in through services.article_ingest, desk actions
through reviews.services, reads through querysets shaped for a constant number of queries.

Every error has a one-line "detail" a person can act on: 400 for input the API cannot use
(with "errors" per field when a field is at fault), 401 without credentials, 403 for a step
the caller may not take, 404 for nothing there, 409 for a step the claim's state refuses.
"""

from django.conf import settings
from django.db.models import Count, Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from factcheck import services
from factcheck.claimant_pages import with_claimant_wikipedia_url
from factcheck.claimreview import claim_review
from factcheck.fetching import FetchError
from factcheck.ingestion import (
    ArticleDraft,
    IngestError,
    clean_line,
    content_hash,
    normalise_text,
)
from factcheck.models import Article, Claim, Evidence
from factcheck.public_urls import absolute_url, site_base_url
from factcheck.safe_urls import MAX_URL_LENGTH
from factcheck.views import article_public_url, claim_attribution, claim_review_input
from reviews import selectors
from reviews.api_permissions import CanAddArticles, IsDeskMember
from reviews.claim_state import DESK_STATES, with_desk_state
from reviews.models import Review

# --- Shared: refusals and paging -------------------------------------------------------------


class BadRequest(APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "The request cannot be used."
    default_code = "bad_request"


class Conflict(APIException):
    """The claim's state refuses the step (reviews.services.ReviewStateError)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The claim's state does not allow this."
    default_code = "conflict"


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="One line saying what went wrong.")
    errors = serializers.DictField(
        required=False, help_text="For invalid input: the messages per field, as DRF gives them."
    )


def errors(*codes: int) -> dict:
    """The refusals an endpoint may answer, for its OpenAPI description."""
    return dict.fromkeys(codes, ErrorSerializer)


def first_error(found, field: str = "") -> str:
    """The first message of DRF's error structure, after the field it belongs to:
    "due: Date has wrong format. ...", "evidence.0: A valid integer is required."."""
    if isinstance(found, dict) and found:
        name, value = next(iter(found.items()))
        if name not in ("non_field_errors", "detail"):
            field = f"{field}.{name}" if field else str(name)
        return first_error(value, field)
    if isinstance(found, list) and found:
        return first_error(found[0], field)
    return f"{field}: {found}" if field else str(found)


def encodable(found):
    """Error messages that quote the input ('"x" is not a valid choice.') with any lone
    surrogate the JSON held written as an escape: UTF-8 cannot encode one, and the answer
    would fail with a 500 instead of the 400 it is."""
    if isinstance(found, dict):
        return {key: encodable(value) for key, value in found.items()}
    if isinstance(found, list):
        return [encodable(value) for value in found]
    if isinstance(found, str):
        return found.encode("utf-8", "backslashreplace").decode("utf-8")
    return found


def api_exception_handler(exc, context):
    """DRF's handler, with invalid input summed up in one line: {"detail", "errors"}."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    response.data = encodable(response.data)
    if isinstance(exc, ValidationError):
        response.data = {"detail": first_error(response.data), "errors": response.data}
    return response


# Any path segment reaches the view, so an id such as "1.5" gets the API's JSON 404 like any
# other id that names nothing. DRF's default leaves dots out (for format suffixes, which this
# API does not use), and Django would answer with its HTML 404 page instead.
ID_IN_PATH = "[^/]+"


def id_in_path(noun: str) -> OpenApiParameter:
    """The path's {id}, documented as the integer it is: with ID_IN_PATH as the route's
    pattern, drf-spectacular would document it as any string."""
    return OpenApiParameter(
        "id",
        OpenApiTypes.INT,
        OpenApiParameter.PATH,
        description=f"A unique integer value identifying this {noun}.",
    )


class Pages(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


# --- Articles --------------------------------------------------------------------------------


class ArticleInSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, max_length=500)
    text = serializers.CharField(
        required=False, trim_whitespace=False, help_text="The article's plain text."
    )
    url = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=MAX_URL_LENGTH,
        help_text="Where the article is published (http or https).",
    )
    outlet = serializers.CharField(required=False, allow_blank=True, max_length=200)
    byline = serializers.CharField(required=False, allow_blank=True, max_length=300)
    published_on = serializers.DateField(required=False, allow_null=True)

    def validate(self, data: dict) -> dict:
        # Title and text are required here rather than on the fields: a URL alone is enough,
        # the page is fetched (fetches_url).
        if self.url_alone(data):
            return data
        missing = {
            name: ["This field is required."] for name in ("title", "text") if name not in data
        }
        if missing:
            raise ValidationError(missing)
        size = len(data["text"].encode("utf-8"))
        if size > settings.INGEST_MAX_BYTES:
            raise ValidationError(
                {
                    "text": [
                        f"the text is {size:,} bytes, over the {settings.INGEST_MAX_BYTES:,}-byte "
                        "limit (INGEST_MAX_BYTES)"
                    ]
                }
            )
        return data

    @staticmethod
    def url_alone(data: dict) -> bool:
        return "text" not in data and "title" not in data and bool(data.get("url", "").strip())

    @property
    def fetches_url(self) -> bool:
        """Neither title nor text, only a URL: the article is the page at that URL."""
        return self.url_alone(self.validated_data)

    def draft(self) -> ArticleDraft:
        data = self.validated_data
        text = normalise_text(data["text"])
        return ArticleDraft(
            title=clean_line(data["title"]),
            text=text,
            content_hash=content_hash(text),
            source_name="REST API",
            byline=clean_line(data.get("byline", "")),
            published_on=data.get("published_on"),
            outlet=clean_line(data.get("outlet", "")),
            source_url=data.get("url", "").strip(),
        )


class ArticleStoredSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    status = serializers.ChoiceField(choices=Article.Status.choices)


class ClaimCountsSerializer(serializers.Serializer):
    """How many of the article's claims are in each desk state; the keys are the values of
    GET /api/v1/claims/?state=, so each count is the length of that list."""

    total = serializers.IntegerField()
    unassigned = serializers.IntegerField(help_text="Needs action: no reviewer has it yet.")
    assigned = serializers.IntegerField()
    submitted = serializers.IntegerField(help_text="Awaiting an editor's approval.")
    returned = serializers.IntegerField(help_text="Returned to its reviewer with a note.")
    published = serializers.IntegerField()
    dismissed = serializers.IntegerField()


class ArticleSerializer(serializers.ModelSerializer):
    url = serializers.CharField(source="source_url")
    error = serializers.CharField(source="error_message")
    status_label = serializers.CharField(source="get_status_display")
    claims = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = [
            "id",
            "title",
            "url",
            "outlet",
            "byline",
            "published_on",
            "status",
            "status_label",
            "error",
            "claims_left_out",
            "created_at",
            "claims",
        ]

    @extend_schema_field(ClaimCountsSerializer)
    def get_claims(self, article: Article) -> dict:
        counts = dict.fromkeys(DESK_STATES, 0)
        rows = (
            with_desk_state(Claim.objects.filter(article=article))
            .order_by()
            .values("desk_state")
            .annotate(n=Count("pk"))
        )
        for row in rows:
            counts[row["desk_state"]] = row["n"]
        return {"total": sum(counts.values()), **counts}


@extend_schema_view(
    create=extend_schema(
        summary="Add an article",
        description=(
            "Stores the article and queues it for claim extraction and evidence. The same text "
            "again answers 200 with the article already stored. Editors only. A URL alone "
            "fetches the page and extracts its article (title, text, date, byline, outlet; "
            "any outlet, byline or published_on sent along win over the page's); a page that "
            "cannot be fetched or holds no article answers 400 with the reason."
        ),
        request=ArticleInSerializer,
        responses={
            201: ArticleStoredSerializer,
            200: ArticleStoredSerializer,
            **errors(400, 401, 403),
        },
    ),
    retrieve=extend_schema(
        summary="An article's processing status and its claims' desk states",
        parameters=[id_in_path("article")],
        responses={200: ArticleSerializer, **errors(401, 403, 404)},
    ),
)
class ArticleViewSet(mixins.CreateModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Article.objects.all()
    lookup_value_regex = ID_IN_PATH
    serializer_class = ArticleSerializer

    def get_permissions(self):
        if self.action == "create":
            return [CanAddArticles()]
        return [IsDeskMember()]

    def create(self, request, *args, **kwargs):
        incoming = ArticleInSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            if incoming.fetches_url:
                data = incoming.validated_data
                outcome = services.article_from_url(
                    url=data["url"].strip(),
                    actor=request.user,
                    source_name="REST API (fetched)",
                    outlet=clean_line(data.get("outlet", "")),
                    byline=clean_line(data.get("byline", "")),
                    published_on=data.get("published_on"),
                )
            else:
                outcome = services.article_ingest(draft=incoming.draft(), actor=request.user)
        except (FetchError, IngestError) as exc:
            raise BadRequest(str(exc)) from None
        return Response(
            ArticleStoredSerializer(outcome.article).data,
            status=status.HTTP_201_CREATED if outcome.created else status.HTTP_200_OK,
        )


# --- Published verdicts ----------------------------------------------------------------------


class VerdictArticleSerializer(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.SerializerMethodField(help_text="The outlet's page, else our copy.")
    outlet = serializers.CharField()
    byline = serializers.CharField()
    published_on = serializers.DateField(allow_null=True)

    def get_url(self, article: Article) -> str:
        return article_public_url(article, site_base_url(self.context["request"]))


class CitationSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text='"evidence" (a Wikipedia sentence) or "source".')
    title = serializers.CharField()
    url = serializers.CharField()
    quote = serializers.CharField()
    publisher = serializers.CharField(required=False)


class PublicVersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    kind = serializers.CharField(help_text='"first", "correction" (verdict changed) or "update".')
    verdict = serializers.CharField()
    rationale = serializers.CharField()
    reason = serializers.CharField(help_text="Why it changed; empty for the first version.")
    published_at = serializers.DateTimeField()


class VerdictSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    url = serializers.SerializerMethodField(help_text="The verdict's public page.")
    claim = serializers.CharField(source="claim.text")
    claimant = serializers.SerializerMethodField(
        help_text="Who made the claim, as the desk knows them; empty for the article's own voice."
    )
    verdict = serializers.CharField()
    verdict_label = serializers.CharField(source="get_verdict_display")
    rationale = serializers.CharField()
    published_at = serializers.DateTimeField()
    article = VerdictArticleSerializer(source="claim.article")
    citations = serializers.SerializerMethodField()
    versions = PublicVersionSerializer(many=True)
    claim_review = serializers.SerializerMethodField(
        help_text="The schema.org ClaimReview object, as on the public page's JSON-LD."
    )

    def get_url(self, review: Review) -> str:
        return absolute_url(review.get_absolute_url(), site_base_url(self.context["request"]))

    def get_claimant(self, review: Review) -> str:
        return claim_attribution(review.claim).claimant

    @extend_schema_field(CitationSerializer(many=True))
    def get_citations(self, review: Review) -> list[dict]:
        cited = [
            {
                "kind": "evidence",
                "title": e.page.title,
                "url": e.page.permalink,
                "quote": e.sentence,
            }
            for e in review.cited_evidence.all()
        ]
        cited += [
            {
                "kind": "source",
                "title": s.title,
                "url": s.url,
                "quote": s.quote,
                "publisher": s.publisher,
            }
            for s in review.cited_sources.all()
        ]
        return cited

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_claim_review(self, review: Review) -> dict:
        facts = claim_review_input(
            review,
            list(review.claim.duplicates.all()),
            base_url=site_base_url(self.context["request"]),
            claimant_same_as=getattr(review, "claimant_wikipedia_url", None),
        )
        return claim_review(facts)


def published_verdicts():
    """Published reviews with all a VerdictSerializer reads, in a fixed number of queries."""
    return with_claimant_wikipedia_url(
        selectors.published_reviews()
        .select_related("claim__claimant_correction")
        .prefetch_related(
            Prefetch(
                "cited_evidence", queryset=Evidence.objects.select_related("page").order_by("rank")
            ),
            "cited_sources",
            "versions",
            Prefetch(
                "claim__duplicates",
                queryset=Claim.objects.select_related("article", "review").order_by(
                    "article__title", "pk"
                ),
            ),
        )
    )


class VerdictPages(Pages):
    page_size = 25


@extend_schema_view(
    list=extend_schema(
        summary="Published verdicts, newest first",
        description=(
            "Open to anyone. Unpublished and dismissed claims never appear. A token that is "
            "not valid is refused (401) rather than ignored."
        ),
        responses={200: VerdictSerializer(many=True), **errors(401, 404)},
    ),
    retrieve=extend_schema(
        summary="One published verdict",
        description="404 unless the verdict is published.",
        parameters=[id_in_path("published verdict")],
        responses={200: VerdictSerializer, **errors(401, 404)},
    ),
)
class VerdictViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [AllowAny]
    lookup_value_regex = ID_IN_PATH
    serializer_class = VerdictSerializer
    pagination_class = VerdictPages
    queryset = Review.objects.none()  # for the schema; get_queryset is what serves

    def get_queryset(self):
        return published_verdicts()
