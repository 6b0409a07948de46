from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"

    def ready(self) -> None:
        # django-axes reports a lockout only through its user_locked_out signal (it happens
        # inside the login form's authenticate() call), so the signal is the library's
        # interface here; the receiver does nothing but call the audit service.
        from axes.signals import user_locked_out

        user_locked_out.connect(audit_locked_out_login, dispatch_uid="reviews.audit_lockout")


def audit_locked_out_login(sender, *, username: str, ip_address: str | None, **kwargs) -> None:
    from reviews.services import audit_login_lockout

    audit_login_lockout(username=username or "", ip_address=ip_address)
