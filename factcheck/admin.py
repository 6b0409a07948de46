"""Staff admin for articles, feeds and the Wikipedia page store. The review queue lives in
reviews."""

import dataclasses
import logging

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.db import DatabaseError, models
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from factcheck import services
from factcheck.forms import ArticleUploadForm
from factcheck.ingestion import IngestError, read_document
from factcheck.models import Article, Claim, DuplicateSuggestion, Feed, FeedEntry, ReferencePage
from reviews import roles
from reviews.queue_filters import queue_url

log = logging.getLogger(__name__)


class ArticleChangeList(ChangeList):
    """The article list shows titles, never the articles' text, which can be long."""

    def get_queryset(self, request, exclude_parameters=None):
        return super().get_queryset(request, exclude_parameters).defer("text")


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "outlet", "status", "claim_count", "claims_left_out", "created_at")
    list_filter = ("status", "outlet")
    search_fields = ("title", "text", "source_name")
    readonly_fields = [f.name for f in Article._meta.fields]
    actions = ["requeue_failed"]

    def get_queryset(self, request):
        # A count per article, not a join of all claims grouped by article: the list counts
        # only the articles on its page (and all of them only when sorted by this column).
        claims = (
            Claim.objects.filter(article_id=OuterRef("pk"))
            .order_by()
            .values("article_id")
            .annotate(n=Count("*"))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(claim_total=Coalesce(Subquery(claims, output_field=IntegerField()), 0))
        )

    def get_changelist(self, request, **kwargs):
        return ArticleChangeList

    @admin.display(description="Claims", ordering="claim_total")
    def claim_count(self, obj: Article) -> str:
        """The count, linked to the article's claims in the review queue (every status and
        kind), which is how the queue reaches an article its article filter does not list."""
        if not obj.claim_total:
            return "0"
        url = queue_url(article__id__exact=obj.pk, review_status="all", kind="all")
        return format_html('<a href="{}">{}</a>', url, obj.claim_total)

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # articles change only through the pipeline

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_requeue_permission(self, request: HttpRequest) -> bool:
        # Sending an article through the pipeline again is adding it again: the Editor group
        # holds add_article, a reviewer only views articles.
        return self.has_add_permission(request)

    @admin.action(
        description="Send failed articles through the pipeline again", permissions=["requeue"]
    )
    def requeue_failed(self, request: HttpRequest, queryset) -> None:
        failed = list(queryset.filter(status=Article.Status.FAILED).values_list("pk", flat=True))
        for article_id in failed:
            services.article_requeue(article_id=article_id, actor=request.user)
        if failed:
            noun = "article" if len(failed) == 1 else "articles"
            self.message_user(
                request, f"{len(failed)} failed {noun} queued again.", messages.SUCCESS
            )
        else:
            self.message_user(
                request,
                "None of the selected articles has failed; only failed articles are sent "
                "through the pipeline again.",
                messages.WARNING,
            )

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None):
        """Ingest through the same path as `manage.py ingest`, not a plain model form."""
        if not self.has_add_permission(request):
            return self.changeform_view(request, None, form_url, extra_context)
        form = ArticleUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            article = self._ingest_from_form(request, form)
            if article is not None:
                return HttpResponseRedirect(
                    reverse("admin:factcheck_article_change", args=[article.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": "Add article",
            "max_bytes": settings.INGEST_MAX_BYTES,
        }
        return TemplateResponse(request, "admin/factcheck/article/add_article.html", context)

    def _ingest_from_form(self, request: HttpRequest, form: ArticleUploadForm):
        upload = form.cleaned_data.get("file")
        try:
            if upload:
                if upload.size > settings.INGEST_MAX_BYTES:
                    raise IngestError(
                        f"file is {upload.size:,} bytes, over the "
                        f"{settings.INGEST_MAX_BYTES:,}-byte limit"
                    )
                data, filename = upload.read(), upload.name
            else:
                data, filename = form.cleaned_data["pasted_text"].encode("utf-8"), "pasted.txt"
            draft = read_document(data, filename=filename, max_bytes=settings.INGEST_MAX_BYTES)
        except IngestError as exc:
            form.add_error(None, f"Not ingested: {exc}")
            return None
        # What the editor typed beats what ingestion guessed from the document.
        draft = dataclasses.replace(
            draft,
            outlet=form.cleaned_data.get("outlet") or draft.outlet,
            byline=form.cleaned_data.get("byline") or draft.byline,
            published_on=form.cleaned_data.get("published_on") or draft.published_on,
            source_url=form.cleaned_data.get("source_url") or draft.source_url,
        )
        try:
            outcome = services.article_ingest(draft=draft, actor=request.user)
        except IngestError as exc:
            form.add_error(None, f"Not ingested: {exc}")
            return None
        except DatabaseError as exc:
            # Input the checks missed must still get an answer, not a 500; the log has the rest.
            log.exception("storing uploaded article %r failed", draft.source_name)
            form.add_error(None, f"Not ingested: could not be stored ({type(exc).__name__})")
            return None
        if outcome.created:
            messages.success(request, f"Article {outcome.article.title!r} queued for processing.")
        else:
            messages.info(request, "This text is already stored; nothing was added.")
        return outcome.article


@admin.register(ReferencePage)
class ReferencePageAdmin(admin.ModelAdmin):
    list_display = ("title", "revision_label", "source", "fetched_at")
    list_filter = ("source",)
    search_fields = ("title",)
    readonly_fields = [f.name for f in ReferencePage._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DuplicateSuggestion)
class DuplicateSuggestionAdmin(admin.ModelAdmin):
    """Claims that may repeat a claim of another article, for a reviewer to confirm."""

    list_display = ("claim", "candidate", "similarity", "status", "decided_by")
    list_filter = ("status",)
    list_select_related = ("claim", "candidate", "decided_by")
    readonly_fields = [f.name for f in DuplicateSuggestion._meta.fields]
    actions = ["confirm", "reject"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # the suggestion's fields; deciding is the actions' job

    def has_decide_permission(self, request) -> bool:
        # A confirmed duplicate shares its canonical claim's verdict, so deciding is an
        # editor's call (or granted one by one); reviewers may only look.
        user = request.user
        return roles.can_assign_others(user) or user.has_perm(
            "factcheck.change_duplicatesuggestion"
        )

    @admin.action(
        description="Confirm: same claim (share the canonical verdict)", permissions=["decide"]
    )
    def confirm(self, request, queryset) -> None:
        self._decide(request, queryset, confirm=True)

    @admin.action(description="Reject: a different claim", permissions=["decide"])
    def reject(self, request, queryset) -> None:
        self._decide(request, queryset, confirm=False)

    def _decide(self, request, queryset, *, confirm: bool) -> None:
        decided = 0
        for suggestion in queryset:
            try:
                services.duplicate_decide(
                    suggestion_id=suggestion.pk, confirm=confirm, actor=request.user
                )
                decided += 1
            except ValueError as exc:
                self.message_user(request, f"{suggestion}: {exc}", messages.WARNING)
        if decided:
            noun = "suggestion" if decided == 1 else "suggestions"
            outcome = "confirmed" if confirm else "rejected"
            self.message_user(request, f"{decided} {noun} {outcome}.", messages.SUCCESS)


def can_manage_feeds(request: HttpRequest) -> bool:
    """Editors only: a feed is a standing order to add articles, so it takes the permission
    to add them (the Editor group's factcheck.add_article), as the API's article endpoint does."""
    user = request.user
    return roles.is_desk_member(user) and user.has_perm("factcheck.add_article")


class FeedPermissions:
    """The feed admins' permissions: all of them are can_manage_feeds."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_manage_feeds(request)

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return can_manage_feeds(request)


@admin.register(Feed)
class FeedAdmin(FeedPermissions, admin.ModelAdmin):
    """RSS and Atom feeds the poller watches (services.feed_poll, every minute for due feeds)."""

    list_display = (
        "__str__",
        "url",
        "active",
        "last_polled_at",
        "next_poll_at",
        "consecutive_failures",
        "error_line",
        "entry_count",
    )
    list_filter = ("active",)
    search_fields = ("title", "url")
    fields = (
        "url",
        "title",
        "active",
        "last_polled_at",
        "next_poll_at",
        "consecutive_failures",
        "last_error",
        "etag",
        "last_modified",
        "created_at",
    )
    readonly_fields = fields[3:]
    actions = ["poll_now"]
    # A feed address typed without a scheme is taken as https (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(entry_total=Count("entries"))

    @admin.display(description="Entries", ordering="entry_total")
    def entry_count(self, obj: Feed) -> int:
        return obj.entry_total

    @admin.display(description="Last error")
    def error_line(self, obj: Feed) -> str:
        return obj.last_error if len(obj.last_error) <= 120 else obj.last_error[:117] + "..."

    def has_add_permission(self, request: HttpRequest) -> bool:
        return can_manage_feeds(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return can_manage_feeds(request)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return can_manage_feeds(request)

    def has_poll_permission(self, request: HttpRequest) -> bool:
        return can_manage_feeds(request)

    def save_model(self, request, obj: Feed, form, change: bool) -> None:
        if change and "url" in form.changed_data:
            # The validators and the backoff belong to the old address: start afresh.
            obj.etag = obj.last_modified = obj.last_error = ""
            obj.consecutive_failures = 0
            obj.next_poll_at = timezone.now()
        super().save_model(request, obj, form, change)

    @admin.action(description="Poll now", permissions=["poll"])
    def poll_now(self, request: HttpRequest, queryset) -> None:
        queued = [
            feed
            for feed in queryset
            if services.feed_poll_soon(feed_id=feed.pk, actor=request.user)
        ]
        skipped = queryset.count() - len(queued)
        if queued:
            noun = "feed" if len(queued) == 1 else "feeds"
            self.message_user(
                request,
                f"Polling {len(queued)} {noun} now; new entries appear as articles shortly.",
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                f"{skipped} inactive feed(s) not polled: mark a feed active to poll it.",
                messages.WARNING,
            )


@admin.register(FeedEntry)
class FeedEntryAdmin(FeedPermissions, admin.ModelAdmin):
    """What came of each feed entry: its article, or why it was not ingested."""

    list_display = ("__str__", "feed", "status", "article", "error", "created_at")
    list_filter = ("status", "feed")
    list_select_related = ("feed", "article")
    search_fields = ("title", "link", "entry_key")
    readonly_fields = [f.name for f in FeedEntry._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # entries come from polls

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        # Entries go with their feed, so whoever may delete a feed may delete them.
        return can_manage_feeds(request)
