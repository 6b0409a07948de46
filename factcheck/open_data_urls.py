"""Routes of the feeds, the sitemap and the exports (included at the site's root by
factcheck/urls.py). Aggregators and researchers use exactly these paths."""

from django.contrib.sitemaps.views import sitemap
from django.urls import path

from factcheck import exports
from factcheck.sitemaps import SITEMAPS
from factcheck.syndication import PublishedVerdictsAtomFeed, PublishedVerdictsFeed

urlpatterns = [
    path("verdicts/rss/", PublishedVerdictsFeed(), name="verdicts_rss"),
    path("verdicts/atom/", PublishedVerdictsAtomFeed(), name="verdicts_atom"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("claimreview.json", exports.claimreview_feed, name="claimreview_feed"),
    path("verdicts.csv", exports.verdicts_csv, name="verdicts_csv"),
]
