"""The public verdict pages' cache: what identifies a page's current version, and forgetting it
when a verdict changes.

A cached page is served without touching the database: its stamp (public_selectors.
published_verdict_page_stamp: the review's last change and its repeats) is itself cached for
STAMP_SECONDS. Every write that changes a published page forgets the stamp once its transaction
commits, so the next request reads the new stamp and renders the new page. With a cache shared
by all processes (CACHE_URL, e.g. Redis) that is at once everywhere; with the default
per-process memory cache, other processes see it within STAMP_SECONDS, the same minute
browsers are told they may keep the page (views.VERDICT_PAGE_MAX_AGE_SECONDS).
"""

from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction

STAMP_SECONDS = 60


def stamp_key(review_id: int) -> str:
    return f"verdict-stamp:{review_id}"


def forget_verdict_pages(review_ids: Iterable[int | None]) -> None:
    """Drop the cached stamps of these reviews' pages, so their next request renders them
    afresh: now, and again once the current transaction commits, since a request served in
    between still reads the old rows and may cache the old stamp again."""
    keys = [stamp_key(review_id) for review_id in set(review_ids) if review_id is not None]
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))
