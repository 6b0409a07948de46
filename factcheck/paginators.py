"""Paginators for lists of tens of thousands of rows: the review queue at 100,000 claims and
the public list of published verdicts.

Django's paginator fetches a page with OFFSET over the full query: every row before the page
is read with every column and join of the list (and every subquery of its SELECT) only to be
thrown away, so the last page of a long list costs the whole list. Here a page's rows come in
one query whose inner part picks the page's ids by reading the sort's columns only (which an
index serves), and only those rows are read in full.

Django's paginator also counts every row the filters let through. BoundedCountPaginator
counts up to COUNT_LIMIT and no further; past it the list says "more than", and its pages end
there: the rows beyond are the first ones of the opposite order (one click on a column) or of
a narrower filter.
"""

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

# Fifty pages of fifty: past that, nobody pages, they sort or filter. A count reads up to this
# many rows of the list, and the last page sorts this many, so this bounds what they cost.
COUNT_LIMIT = 2_500


class PageByIdPaginator(Paginator):
    """object_list is the filtered, ordered list. rows (default: object_list) is the same
    model's queryset with what a row shows (select_related, annotations); the page's ids
    narrow it, and it is put in object_list's order."""

    def __init__(self, object_list: QuerySet, per_page, *, rows: QuerySet | None = None, **kw):
        super().__init__(object_list, per_page, **kw)
        self.rows = object_list if rows is None else rows

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        page_ids = self.object_list.values("pk")[bottom:top]
        ordering = self.object_list.query.order_by
        rows = self.rows.filter(pk__in=page_ids).order_by(*ordering)
        return self._get_page(rows, number, self)


class BoundedCountPaginator(PageByIdPaginator):
    """Counts up to count_limit rows (COUNT_LIMIT); more_than_count says there were more."""

    count_limit = COUNT_LIMIT

    @cached_property
    def counted(self) -> int:
        """The rows, counted up to one past the limit: a COUNT over a LIMIT, which stops as
        soon as it has seen that many."""
        return self.object_list.order_by().values("pk")[: self.count_limit + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self.counted, self.count_limit)

    @property
    def more_than_count(self) -> bool:
        return self.counted > self.count_limit
