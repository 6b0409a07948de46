"""{% load safe_links %} ... href="{{ url|safe_href }}": the one way templates link to data.

Every href built from stored data (an article's source URL, a wiki page's revision link)
goes through this filter, so a javascript:, data: or vbscript: value already in the
database renders as no link at all. See factcheck.safe_urls.
"""

from django import template

from factcheck import safe_urls

register = template.Library()


@register.filter
def safe_href(value: object) -> str:
    """The URL if it is http(s) or a path on this site, else "" (still autoescaped)."""
    return safe_urls.safe_href(value)
