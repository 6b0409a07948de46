"""Staff admin for articles and the Wikipedia page store. The review queue lives in reviews."""

import dataclasses
import logging

from django.conf import settings
from django.contrib import admin, messages
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from factcheck import services
from factcheck.forms import ArticleUploadForm
from factcheck.ingestion import IngestError, read_document
from factcheck.models import Article, DuplicateSuggestion, ReferencePage
from reviews import roles

log = logging.getLogger(__name__)


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "outlet", "status", "claim_count", "claims_left_out", "created_at")
    list_filter = ("status", "outlet")
    search_fields = ("title", "text", "source_name")
    readonly_fields = [f.name for f in Article._meta.fields]
    actions = ["requeue_failed"]

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(claim_total=Count("claims"))

    @admin.display(description="Claims", ordering="claim_total")
    def claim_count(self, obj: Article) -> int:
        return obj.claim_total

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
        draft = dataclasses.replace(
            draft,
            outlet=form.cleaned_data.get("outlet") or draft.outlet,
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
