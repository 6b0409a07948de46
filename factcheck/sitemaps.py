"""/sitemap.xml (django.contrib.sitemaps): the public pages, every published verdict (lastmod:
its latest version) and every article page that shows one. Four queries however many.

Django writes each <loc> as protocol://domain + path, with the request's scheme and host; when
FACTCHECK_PUBLIC_BASE_URL is set, its origin stands in for them (public_urls).
"""

from urllib.parse import urlsplit

from django.contrib.sitemaps import Sitemap
from django.urls import NoReverseMatch, reverse

from factcheck import export_selectors
from factcheck.public_urls import configured_base_url

# The public pages that are not one verdict or one article, by URL name. "methodology" is
# listed once the site has that page.
PUBLIC_PAGES = ["home", "verdict_list", "methodology", "corrections"]


class PublicOriginSitemap(Sitemap):
    def get_protocol(self, protocol: str | None = None) -> str:
        if configured := configured_base_url():
            return urlsplit(configured).scheme
        return super().get_protocol(protocol)

    def get_domain(self, site=None) -> str:
        if configured := configured_base_url():
            parts = urlsplit(configured)
            # A site served under a path ("https://example.org/checks") keeps it.
            return parts.netloc + parts.path
        return super().get_domain(site)


class PublicPagesSitemap(PublicOriginSitemap):
    def items(self) -> list[str]:
        return [name for name in PUBLIC_PAGES if _reversible(name)]

    def location(self, name: str) -> str:
        return reverse(name)


def _reversible(name: str) -> bool:
    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True


class VerdictsSitemap(PublicOriginSitemap):
    def items(self):
        return export_selectors.published_verdict_pages()

    def lastmod(self, review):
        return review.published_at


class ArticlesSitemap(PublicOriginSitemap):
    def items(self):
        return export_selectors.articles_with_published_verdicts()

    def location(self, article) -> str:
        return reverse("article_detail", args=[article.pk])

    def lastmod(self, article):
        return article.last_verdict_at


SITEMAPS = {
    "pages": PublicPagesSitemap,
    "verdicts": VerdictsSitemap,
    "articles": ArticlesSitemap,
}
