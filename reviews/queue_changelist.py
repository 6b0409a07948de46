"""The review queue's list (QueueClaimAdmin's ChangeList), doing once per page what Django's
changelist does once per row or per filter: adding the list's filters to each row's link, and
counting the filters' choices (?_facets=True).

Its paginator (counted up to a bound, a page's rows picked by id) is factcheck/paginators.py.
"""

from django.contrib.admin.views.main import ChangeList
from django.db.models import Count

from reviews.queue_filters import CountedWithTheQueue


class QueueChangeList(ChangeList):
    """The queue's list. Rows need the article's title, not its text, which can be long."""

    def get_queryset(self, request, exclude_parameters=None):
        return super().get_queryset(request, exclude_parameters).defer("article__text")

    def get_results(self, request):
        # Each row links to its claim page, carrying the list's filters. The admin adds them
        # to each link by resolving the link's URL again, fifty times a page; they are the
        # same for every row, so url_for_result adds them once here.
        self.claim_link_query = f"?{self.preserved_filters}" if self.preserved_filters else ""
        self.preserved_filters = ""
        super().get_results(request)
        # Read by the template: a list too long to count has no facet counts.
        self.facets_left_out = False
        self.facet_counts_by_filter = self.count_facets(request) if self.add_facets else {}

    def url_for_result(self, result) -> str:
        return super().url_for_result(result) + self.claim_link_query

    def facet_counts(self, spec) -> dict[str, int]:
        """The facet counts get_results took for one filter (queue_filters.CountedWithTheQueue);
        none, shown as "(-)", for a list too long to count."""
        return self.facet_counts_by_filter.get(_filter_key(spec), {})

    def count_facets(self, request) -> dict[tuple, dict[str, int]]:
        """Facet counts of the queue's filters (?_facets=True), counted as the list is: over
        at most the paginator's count_limit rows, or not at all.

        Django counts each filter in a query of its own, over the list without that filter.
        A filter not in use changes nothing in the list, so all of those count here in one
        query over the list as shown; a filter in use counts over a list of its own. Each
        query reads at most count_limit + 1 rows: past that, the counts would cost a pass over
        the whole desk, and are left out (facets_left_out)."""
        counted = [spec for spec in self.filter_specs if isinstance(spec, CountedWithTheQueue)]

        def in_use(spec) -> bool:
            return any(name in self.params for name in spec.expected_parameters())

        groups = [([spec for spec in counted if not in_use(spec)], self.queryset)]
        for spec in counted:
            if in_use(spec):
                without = self.get_queryset(request, exclude_parameters=spec.expected_parameters())
                groups.append(([spec], without))
        found = {}
        for specs, rows in groups:
            if not specs:
                continue
            counts = {"rows": Count("pk")}
            for n, spec in enumerate(specs):
                for key, count in spec.get_facet_counts(self.lookup_opts.pk.attname, rows).items():
                    counts[f"f{n}_{key}"] = count
            limit = self.paginator.count_limit
            totals = rows.order_by()[: limit + 1].aggregate(**counts)
            if totals["rows"] > limit:
                self.facets_left_out = True
                continue
            for n, spec in enumerate(specs):
                prefix = f"f{n}_"
                found[_filter_key(spec)] = {
                    key.removeprefix(prefix): value
                    for key, value in totals.items()
                    if key.startswith(prefix)
                }
        return found


def _filter_key(spec) -> tuple:
    # A filter by its parameters: ChangeList.get_queryset makes new filter objects each time
    # it runs, so the ones the sidebar renders are not the ones the counts were taken for.
    return tuple(spec.expected_parameters())
