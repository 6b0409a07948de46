"""RSS at /verdicts/rss/ and Atom at /verdicts/atom/: the latest published verdicts, newest
first (django.contrib.syndication). One query per feed, however many verdicts.

An entry is one verdict: its title is the claim (shortened), its text the verdict and the
rationale, its link the verdict page. It is dated by the verdict's first publication, and
updated at its latest version, so a correction shows as an update of the same entry (the link
is its id) rather than as a new one.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.text import Truncator

from factcheck import export_selectors
from factcheck.public_urls import absolute_url, site_base_url

FEED_LENGTH = 50
TITLE_CHARACTERS = 120

# XML 1.0 cannot carry these control characters at all, and Django's feed writer fails on
# them rather than write a broken feed. Article text keeps form feeds and a rationale sent
# through the API may hold anything, so they are dropped from what the feeds say.
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xml_text(text: str) -> str:
    return _NOT_IN_XML.sub("", text)


@dataclass(frozen=True)
class FeedEntry:
    title: str
    description: str
    link: str
    verdict_label: str
    first_published_at: datetime
    last_changed_at: datetime


def feed_entries(base_url: str) -> list[FeedEntry]:
    """The latest FEED_LENGTH published verdicts as feed entries, links under base_url."""
    entries = []
    for review in export_selectors.published_verdict_rows()[:FEED_LENGTH]:
        label = review.get_verdict_display()
        claim = " ".join(review.claim.text.split())
        entries.append(
            FeedEntry(
                title=xml_text(Truncator(claim).chars(TITLE_CHARACTERS)),
                description=xml_text(f"{label}. {review.rationale}"),
                link=absolute_url(review.get_absolute_url(), base_url),
                verdict_label=label,
                first_published_at=review.first_published_at or review.published_at,
                last_changed_at=review.published_at,
            )
        )
    return entries


class PublishedVerdictsFeed(Feed):
    """RSS 2.0. The feed object is the origin its links start with (public_urls): a Feed
    instance serves every request, so nothing of one request may be kept on it."""

    url_name = "verdicts_rss"

    def get_object(self, request: HttpRequest) -> str:
        return site_base_url(request)

    def title(self) -> str:
        return f"{settings.FACTCHECK_ORGANIZATION_NAME}: verdicts"

    def description(self) -> str:
        return "Published fact-check verdicts, newest first, with the reasons for each."

    def link(self, base_url: str) -> str:
        return absolute_url(reverse("verdict_list"), base_url)

    def feed_url(self, base_url: str) -> str:
        return absolute_url(reverse(self.url_name), base_url)

    def items(self, base_url: str) -> list[FeedEntry]:
        return feed_entries(base_url)

    def item_title(self, entry: FeedEntry) -> str:
        # Readers take an RSS title that looks like markup for HTML (Django escapes its
        # default titles for that reason): a claim quoting "<b>" must show those characters.
        return escape(entry.title)

    def item_description(self, entry: FeedEntry) -> str:
        # The description is HTML in RSS and Atom (type="html") alike.
        return escape(entry.description)

    def item_link(self, entry: FeedEntry) -> str:
        return entry.link

    def item_pubdate(self, entry: FeedEntry) -> datetime:
        return entry.first_published_at

    def item_updateddate(self, entry: FeedEntry) -> datetime:
        return entry.last_changed_at

    def item_categories(self, entry: FeedEntry) -> tuple[str, ...]:
        return (entry.verdict_label,)


class PublishedVerdictsAtomFeed(PublishedVerdictsFeed):
    feed_type = Atom1Feed
    url_name = "verdicts_atom"

    def subtitle(self) -> str:
        return self.description()

    def item_title(self, entry: FeedEntry) -> str:
        # An Atom title without a type is plain text, shown as it is.
        return entry.title
