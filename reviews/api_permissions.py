"""Who may call the REST API's endpoints, from reviews.roles.

Its own module because REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"] names IsDeskMember, and
DRF imports that setting while rest_framework.views is still loading: a module that imports
DRF's views or viewsets there would be a circular import.
"""

from rest_framework.permissions import BasePermission

from reviews import roles


class IsDeskMember(BasePermission):
    """Active staff in the Reviewer or Editor group, or a superuser. The API's default: an
    endpoint open to anyone says so itself."""

    message = "Only members of the review desk (the Reviewer or Editor group) may do this."

    def has_permission(self, request, view) -> bool:
        return roles.is_desk_member(request.user)


class CanAddArticles(BasePermission):
    message = "Only editors may add articles (it needs the factcheck.add_article permission)."

    def has_permission(self, request, view) -> bool:
        return roles.is_desk_member(request.user) and request.user.has_perm("factcheck.add_article")
