"""Template context the admin's pages share."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from factcheck.heartbeat import workers_alive


def worker_status(request: HttpRequest) -> dict:
    """no_worker_running: true when the user is active staff (who can reach the admin) and no
    worker has recorded a heartbeat for WORKER_HEARTBEAT_STALE_SECONDS.

    Lazy: nothing is looked up, not even request.user, until a template reads the value, and
    only templates/admin/base_site.html does. So public pages never pay for it, and an admin
    page pays one query (the newest heartbeat), once, and only for staff.
    """

    def no_worker_running() -> bool:
        user = getattr(request, "user", None)
        if user is None or not (user.is_active and user.is_staff):
            return False
        return not workers_alive()

    return {"no_worker_running": SimpleLazyObject(no_worker_running)}
