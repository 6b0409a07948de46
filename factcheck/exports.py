"""Published verdicts as open data: a schema.org DataFeed of ClaimReview at /claimreview.json
(the format Google's fact-check tools ingest) and a CSV at /verdicts.csv for researchers.
Both list every published verdict, newest first, in a fixed number of queries; nothing
unpublished or dismissed is in either.
"""

import csv

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse

from factcheck import export_selectors
from factcheck.claimreview import claim_review
from factcheck.public_urls import absolute_url, site_base_url
from factcheck.views import article_public_url, claim_attribution, claim_review_input

CSV_COLUMNS = [
    "id",
    "url",
    "claim",
    "claimant",
    "verdict",
    "rationale",
    "first_published",
    "last_modified",
    "article_title",
    "article_url",
    "outlet",
]

# A spreadsheet opening the CSV runs a cell that starts with one of these as a formula, and
# the cells hold text from articles anyone can write: "=HYPERLINK(...)" could send a
# researcher's data elsewhere, and older Excel ran commands from "=cmd|...". A leading
# apostrophe makes the cell text (OWASP, "CSV Injection"). Tab and carriage return are on
# OWASP's list too, because some spreadsheets strip them before looking. The price: a claim
# that starts with "-5%" reads "'-5%" in the file.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """The cell's text, with an apostrophe in front if a spreadsheet would run it."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def claimreview_feed(request: HttpRequest) -> JsonResponse:
    """Every published verdict's ClaimReview (as on its page), newest first, in a DataFeed."""
    base_url = site_base_url(request)
    reviews = list(export_selectors.published_verdicts_for_claimreview())
    elements = [
        claim_review(
            claim_review_input(
                review,
                list(review.claim.duplicates.all()),
                base_url=base_url,
                claimant_same_as=review.claimant_wikipedia_url,
            )
        )
        for review in reviews
    ]
    feed = {
        "@context": "https://schema.org",
        "@type": "DataFeed",
        "name": f"{settings.FACTCHECK_ORGANIZATION_NAME}: fact checks",
        "url": absolute_url(reverse("claimreview_feed"), base_url),
    }
    if reviews:
        # When the feed last changed: its newest verdict or correction.
        feed["dateModified"] = max(review.published_at for review in reviews).isoformat()
    feed["dataFeedElement"] = elements
    return JsonResponse(feed, json_dumps_params={"ensure_ascii": False, "indent": 1})


def verdicts_csv(request: HttpRequest) -> HttpResponse:
    """One row per published verdict, newest first, RFC 4180 quoting, UTF-8."""
    base_url = site_base_url(request)
    response = HttpResponse(
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="verdicts.csv"'},
    )
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for review in export_selectors.published_verdict_rows():
        claim, article = review.claim, review.claim.article
        first_published = review.first_published_at or review.published_at
        row = [
            str(review.pk),
            absolute_url(review.get_absolute_url(), base_url),
            claim.text,
            claim_attribution(claim).claimant,
            review.verdict,
            review.rationale,
            first_published.isoformat(),
            review.published_at.isoformat(),
            article.title,
            article_public_url(article, base_url),
            article.outlet,
        ]
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return response
