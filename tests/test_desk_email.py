"""E-mail from the desk: on assignment and on send-back, only after the change commits.

In tests Django's locmem backend collects messages in mail.outbox (pytest-django's mailoutbox
fixture). The settings' choice of backend (console by default, SMTP when EMAIL_HOST is set) is
tested in a fresh process, the way a deployment reads its environment.
"""

import base64
import os
import socket
import socketserver
import subprocess
import sys
import threading
from datetime import date

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction

from reviews import services
from reviews.models import AuditEntry, Review, Verdict
from reviews.queue_filters import my_work_url
from tests.conftest import REPO_ROOT
from tests.factories import make_claim, make_claim_with_evidence

pytestmark = pytest.mark.django_db


def with_email(user: User) -> User:
    user.email = f"{user.username}@news.example.org"
    user.save(update_fields=["email"])
    return user


def submit(claim, reviewer):
    return services.review_submit(
        claim=claim,
        reviewer=reviewer,
        verdict=Verdict.UNSUPPORTED,
        rationale="The agency says 800.",
        evidence_ids=[claim.evidence.first().pk],
    )


# --- Assignment ------------------------------------------------------------------------------


def test_assigning_a_claim_to_someone_else_emails_them_the_claim(
    reviewer, editor, mailoutbox, django_capture_on_commit_callbacks
):
    with_email(reviewer)
    claim = make_claim()
    with django_capture_on_commit_callbacks(execute=True):
        services.review_assign(
            claim=claim, assignee=reviewer, assigned_by=editor, due_on=date(2026, 12, 10)
        )
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["rita_reviewer@news.example.org"]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.subject == f"Claim {claim.pk} is assigned to you, due 10 December 2026"
    assert claim.text in message.body
    assert "eddie_editor assigned you a claim to check" in message.body
    # An absolute link to the reviewer's My work, from the configured origin (none here).
    assert f"Your work: http://127.0.0.1:8000{my_work_url()}" in message.body


def test_taking_a_claim_yourself_sends_nothing(
    reviewer, mailoutbox, django_capture_on_commit_callbacks
):
    with_email(reviewer)
    claim = make_claim_with_evidence()
    with django_capture_on_commit_callbacks(execute=True):
        services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
        submit(make_claim_with_evidence(), reviewer)  # taking an unassigned claim by submitting
    assert mailoutbox == []


def test_assigning_again_or_moving_the_due_date_sends_no_second_email(
    reviewer, editor, mailoutbox, django_capture_on_commit_callbacks
):
    with_email(reviewer)
    claim = make_claim()
    with django_capture_on_commit_callbacks(execute=True):
        services.review_assign(claim=claim, assignee=reviewer, assigned_by=editor)
        services.review_assign(claim=claim, assignee=reviewer, assigned_by=editor)
        services.review_assign(
            claim=claim, assignee=reviewer, assigned_by=editor, due_on=date(2026, 12, 24)
        )
    assert len(mailoutbox) == 1


def test_reassigning_emails_the_new_assignee(
    reviewer, second_reviewer, editor, mailoutbox, django_capture_on_commit_callbacks
):
    with_email(reviewer)
    with_email(second_reviewer)
    claim = make_claim()
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        services.review_assign(claim=claim, assignee=second_reviewer, assigned_by=editor)
    assert [m.to for m in mailoutbox] == [["sam_reviewer@news.example.org"]]


def test_a_user_without_an_address_gets_no_email(
    reviewer, editor, mailoutbox, django_capture_on_commit_callbacks
):
    claim = make_claim_with_evidence()
    assert reviewer.email == ""
    with django_capture_on_commit_callbacks(execute=True):
        services.review_assign(claim=claim, assignee=reviewer, assigned_by=editor)
        review = submit(claim, reviewer)
        services.review_return(review=review, editor=editor, note="Cite the law.")
    assert mailoutbox == []
    assert Review.objects.get(claim=claim).state == Review.State.RETURNED


# --- Send-back and take-down -----------------------------------------------------------------


def test_returning_a_verdict_emails_the_note_to_its_reviewer(
    reviewer, editor, mailoutbox, django_capture_on_commit_callbacks
):
    with_email(reviewer)
    claim = make_claim_with_evidence()
    review = submit(claim, reviewer)
    with django_capture_on_commit_callbacks(execute=True):
        services.review_return(review=review, editor=editor, note="Cite the 48,000 figure too.")
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["rita_reviewer@news.example.org"]
    assert message.subject == f"Claim {claim.pk} was returned to you"
    assert "Cite the 48,000 figure too." in message.body
    assert claim.text in message.body


def test_unpublishing_emails_the_reason_to_the_reviewer(
    reviewer, editor, mailoutbox, django_capture_on_commit_callbacks
):
    with_email(reviewer)
    claim = make_claim_with_evidence()
    review = services.review_publish(review=submit(claim, reviewer), editor=editor)
    with django_capture_on_commit_callbacks(execute=True):
        services.review_unpublish(review=review, editor=editor, reason="The figure was misread.")
    assert [m.to for m in mailoutbox] == [["rita_reviewer@news.example.org"]]
    assert "The figure was misread." in mailoutbox[0].body


# --- Only what commits is announced ----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_assignment_sends_nothing(reviewer, editor, mailoutbox):
    with_email(reviewer)
    claim = make_claim()
    with pytest.raises(RuntimeError), transaction.atomic():
        services.review_assign(claim=claim, assignee=reviewer, assigned_by=editor)
        raise RuntimeError("something later in the same request failed")
    assert mailoutbox == []
    assert not Review.objects.filter(claim=claim).exists()
    assert not AuditEntry.objects.filter(claim=claim).exists()

    # The same assignment, committed, is announced once.
    services.review_assign(claim=claim, assignee=reviewer, assigned_by=editor)
    assert [m.to for m in mailoutbox] == [["rita_reviewer@news.example.org"]]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_return_sends_nothing(reviewer, editor, mailoutbox):
    with_email(reviewer)
    claim = make_claim_with_evidence()
    review = submit(claim, reviewer)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.review_return(review=review, editor=editor, note="Cite the law.")
        raise RuntimeError("rolled back")
    assert mailoutbox == []
    assert Review.objects.get(pk=review.pk).state == Review.State.SUBMITTED


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.django_db(transaction=True)
def test_a_mail_server_that_is_down_does_not_undo_the_assignment(reviewer, editor, settings):
    with_email(reviewer)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens
    settings.EMAIL_USE_TLS = False
    claim = make_claim()
    review = services.review_assign(claim=claim, assignee=reviewer, assigned_by=editor)
    assert Review.objects.get(pk=review.pk).assignee == reviewer
    assert AuditEntry.objects.filter(claim=claim, action="review_assigned").count() == 1


# --- Settings: the console by default, SMTP from the environment -----------------------------

SEND = (
    "from django.conf import settings; from django.core.mail import send_mail; "
    "print('backend:', settings.EMAIL_BACKEND); "
    "send_mail('Claim 7 is assigned to you', 'Please check it.', None, ['rita@example.org'])"
)


def send_from_a_fresh_process(tmp_path, **env) -> subprocess.CompletedProcess:
    """manage.py shell in a new process whose e-mail settings come only from `env`."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("EMAIL_")}
    base.pop("DEFAULT_FROM_EMAIL", None)
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SEND],
        cwd=REPO_ROOT,
        env={**base, "FACTCHECK_DATA_DIR": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_an_smtp_host_mail_is_printed_on_the_console(tmp_path):
    result = send_from_a_fresh_process(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "backend: django.core.mail.backends.console.EmailBackend" in result.stdout
    assert "Subject: Claim 7 is assigned to you" in result.stdout
    assert "To: rita@example.org" in result.stdout
    assert "From: factcheck-desk@localhost" in result.stdout


class SMTPDouble(socketserver.StreamRequestHandler):
    """Just enough of SMTP (RFC 5321, AUTH PLAIN) to receive one message and remember it."""

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        received = self.server.received
        self.reply("220 smtp-double ESMTP")
        while line := self.rfile.readline():
            verb, _, argument = line.decode().strip().partition(" ")
            verb = verb.upper()
            if verb == "EHLO":
                self.reply("250-smtp-double")
                self.reply("250 AUTH PLAIN")
            elif verb == "AUTH":
                _, user, password = base64.b64decode(argument.split()[1]).decode().split("\0")
                received["login"] = (user, password)
                self.reply("235 2.7.0 Authentication successful")
            elif verb == "MAIL":
                received["from"] = argument
                self.reply("250 OK")
            elif verb == "RCPT":
                received.setdefault("to", []).append(argument)
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(data.decode())
                received["message"] = "".join(lines)
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("250 OK")


@pytest.fixture
def smtp_double():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SMTPDouble)
    server.daemon_threads = True
    server.received = {}
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_with_an_smtp_host_mail_goes_to_that_server(tmp_path, smtp_double):
    result = send_from_a_fresh_process(
        tmp_path,
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_double.server_address[1]),
        EMAIL_HOST_USER="desk",
        EMAIL_HOST_PASSWORD="s3cret",
        EMAIL_USE_TLS="false",
        DEFAULT_FROM_EMAIL="desk@news.example.org",
    )
    assert result.returncode == 0, result.stderr
    assert "backend: django.core.mail.backends.smtp.EmailBackend" in result.stdout
    received = smtp_double.received
    assert received["login"] == ("desk", "s3cret")
    assert received["from"].startswith("FROM:<desk@news.example.org>")
    assert received["to"] == ["TO:<rita@example.org>"]
    assert "Subject: Claim 7 is assigned to you" in received["message"]
    assert "Please check it." in received["message"]
