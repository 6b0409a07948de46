"""manage.py demo: the main job on the embedded default, from an empty checkout to a queue.

Migrates, ingests the sample articles, starts a real Celery worker process on the configured
broker (the filesystem transport by default), waits until every article is processed, stops
the worker, creates demo users, records and publishes the worked example's verdict (citing
the source and the Wikipedia sentences its rationale rests on), and prints where to look.
Running it again is safe: nothing is stored twice.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from factcheck import services as pipeline_services
from factcheck.evidence.types import EvidenceSourceError
from factcheck.management.commands.ingest import ingest_path
from factcheck.models import Article, Claim, Evidence

SAMPLES = Path(settings.BASE_DIR) / "factcheck" / "samples" / "articles"
DEMO_PASSWORD = "factcheck-demo"
WORKED_EXAMPLE = "150,000 troops"
WORKED_EXAMPLE_RATIONALE = (
    "Putin announced no such plan. The 150,000 figure matches Russia's routine autumn "
    "conscription call-up (147,100 men, October to December 2015), which Putin's spokesman "
    "said had no relation to Syria. Wikipedia's account of the intervention describes "
    "a far smaller force: about 200 marines at first, with housing for 1,500 personnel, and "
    "48,000 servicemen who had gained combat experience there by the end of 2017."
)
# The rationale's conscription figure, from reporting of the decree (a Wikipedia-free source:
# the evidence pages do not cover the call-up). Quoted as printed, curly quotes included.
CONSCRIPTION_SOURCE = {
    "url": "https://www.pressreader.com/uk/scottish-daily-mail/20151002/281762743072251",
    "title": "Now Putin calls up 150,000 conscripts",
    "publisher": "Scottish Daily Mail, 2 October 2015, via PressReader",
    "quote": (
        "Under a presidential decree, 147,100 18 to 27-year-olds will be drafted in over the "
        "next few months. [...] But his spokesman claimed the decree was a ‘regular document "
        "that the president signs twice a year’, added that it has ‘no relation to "
        "Syria’."
    ),
}
# The Wikipedia sentences the rationale rests on: a figure each must contain, and the words a
# reviewer would type into the claim page's search box to find it when the machine did not.
WORKED_EXAMPLE_SENTENCES = [
    ("48,000", "48,000 Russian armed forces members gained combat experience Syria"),
    (
        "1,500 personnel",
        "Russian involvement ground forces 200 Marines housing for 1,500 personnel",
    ),
]


class Command(BaseCommand):
    help = "Run the whole pipeline on the sample articles through a real worker; print URLs."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=int, default=1200, help="Seconds to wait.")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args, timeout: int, base_url: str, **options):
        self.stdout.write(f"Database: {settings.DATABASES['default']['NAME']}")
        self.stdout.write(f"Broker:   {settings.CELERY_BROKER_URL}")
        self.stdout.write(f"Evidence: {settings.EVIDENCE_SOURCE}")
        call_command("migrate", verbosity=0)

        self.stdout.write("\n1. Ingesting the sample articles")
        outlets = json.loads((SAMPLES / "sources.json").read_text())
        for path in sorted(SAMPLES.glob("*.txt")):
            outlet = outlets.get(path.name, {}).get("outlet", "")
            self.stdout.write("   " + ingest_path(path, outlet=outlet))

        self.stdout.write("\n2. Processing them with a Celery worker process")
        self.run_worker_until_done(timeout)
        self.report_counts()

        self.stdout.write("\n3. Demo users and the worked example")
        reviewer, editor = self.demo_users()
        review = self.publish_worked_example(reviewer, editor)

        admin_url = base_url.rstrip("/") + "/admin/"
        self.stdout.write("\nDone. Start the web server with:  ./dev serve")
        self.stdout.write(f"  Review queue:  {admin_url}reviews/queueclaim/")
        self.stdout.write(f"  Reviewer login: demo-reviewer / {DEMO_PASSWORD}")
        self.stdout.write(f"  Editor login:   demo-editor / {DEMO_PASSWORD}")
        self.stdout.write(f"  Public verdicts: {base_url.rstrip('/')}/verdicts/")
        if review is not None:
            self.stdout.write(
                f"  Worked example:  {base_url.rstrip('/')}{review.get_absolute_url()}"
            )

    def run_worker_until_done(self, timeout: int) -> None:
        # Beat rides along (--beat, its schedule file in DATA_DIR) for the sweep: work that an
        # earlier, interrupted demo's worker left half done resumes once its lease lapses.
        command = [
            sys.executable, "-m", "celery", "-A", "factcheck", "worker",
            "--queues", "default,extraction,ranking,wikipedia",
            "--concurrency", "2",
            "--loglevel", "WARNING",
            "--without-gossip", "--without-mingle", "--without-heartbeat",
            "--beat",
        ]  # fmt: skip
        worker = subprocess.Popen(command, cwd=settings.BASE_DIR, env=os.environ.copy())
        started = time.monotonic()
        try:
            while True:
                pending = Article.objects.exclude(
                    status__in=(Article.Status.READY, Article.Status.FAILED)
                ).count()
                waiting = Claim.objects.filter(
                    Q(evidence_status=Claim.EvidenceStatus.PENDING)
                    | Q(evidence_status=Claim.EvidenceStatus.GATHERING)
                ).count()
                if pending == 0 and waiting == 0:
                    break
                if worker.poll() is not None:
                    raise CommandError(f"the worker exited with code {worker.returncode}")
                if time.monotonic() - started > timeout:
                    raise CommandError(
                        f"gave up after {timeout}s: {pending} article(s) and {waiting} claim(s) "
                        "still in progress; run the demo again to resume"
                    )
                self.stdout.write(
                    f"   waiting: {pending} article(s) in progress, {waiting} claim(s) "
                    "awaiting evidence",
                )
                time.sleep(3)
        finally:
            worker.send_signal(signal.SIGTERM)  # warm shutdown: finish the task in hand
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()

    def report_counts(self) -> None:
        for article in Article.objects.order_by("pk"):
            claims = article.claims.count()
            with_evidence = article.claims.filter(evidence__isnull=False).distinct().count()
            line = (
                f"   article #{article.pk} {article.get_status_display().lower()}: "
                f"{claims} claims, {with_evidence} with evidence - {article.title[:60]}"
            )
            if article.error_message:
                line += f" ({article.error_message})"
            self.stdout.write(line)

    def demo_users(self) -> tuple[User, User]:
        reviewer = self.demo_user("demo-reviewer", "Reviewer")
        editor = self.demo_user("demo-editor", "Editor")
        return reviewer, editor

    def demo_user(self, username: str, group: str) -> User:
        user, created = User.objects.get_or_create(username=username, defaults={"is_staff": True})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        user.groups.add(Group.objects.get(name=group))
        return user

    def publish_worked_example(self, reviewer: User, editor: User):
        from reviews.models import Review

        claim = Claim.objects.filter(text__contains=WORKED_EXAMPLE).order_by("pk").first()
        if claim is None:
            self.stderr.write(f"   no claim mentions {WORKED_EXAMPLE!r}; nothing published")
            return None
        if Review.objects.filter(claim=claim, published=True).exists():
            self.stdout.write(f"   claim #{claim.pk}: verdict already published")
            return Review.objects.get(claim=claim)
        review = worked_example_publish(
            claim=claim, reviewer=reviewer, editor=editor, warn=self.stderr.write
        )
        cited = [e.sentence for e in review.cited_evidence.order_by("rank")]
        cited += [f"{s.title} ({s.publisher})" for s in review.cited_sources.all()]
        self.stdout.write(
            f"   claim #{claim.pk} ({claim.claimant or 'no claimant'} {claim.cue}) "
            f"marked {review.get_verdict_display().lower()} and published, citing:"
        )
        for citation in cited:
            self.stdout.write(f"     - {citation[:110]}")
        return review


def worked_example_evidence(*, claim: Claim, reviewer: User, warn) -> list[Evidence]:
    """The claim's evidence sentences the rationale rests on (WORKED_EXAMPLE_SENTENCES): the
    machine's where it found them, otherwise found with the claim page's search (evidence_search)
    and attached as the reviewer would. A figure no sentence has is reported through warn."""
    from reviews import services as review_services

    found = []
    for figure, search_words in WORKED_EXAMPLE_SENTENCES:
        evidence = claim.evidence.filter(sentence__contains=figure).order_by("rank").first()
        if evidence is None:
            try:
                hits = pipeline_services.evidence_search(claim=claim, query=search_words)
            except EvidenceSourceError as exc:
                warn(f"   searching for the {figure} sentence failed: {exc}")
                hits = []
            hit = next((hit for hit in hits if figure in hit.sentence), None)
            if hit is None:
                warn(f"   no evidence sentence mentions {figure}; the verdict will not cite one")
                continue
            evidence = review_services.evidence_attach(
                claim=claim,
                user=reviewer,
                page_id=hit.page_id,
                sentence_index=hit.sentence_index,
                query=search_words,
            )
        if evidence not in found:
            found.append(evidence)
    return found


def worked_example_publish(*, claim: Claim, reviewer: User, editor: User, warn=print):
    """The worked example through the desk as two people would do it: the editor assigns the
    claim to the reviewer; the reviewer adds the conscription source, attaches the Wikipedia
    sentences the rationale rests on, and submits the verdict citing exactly those; the editor,
    a second person as the two-person rule requires, publishes it.

    Every step is a reviews.services call that returns quietly when already done, so running
    it again after an interrupted run stores nothing twice; once published, it returns the
    published review and does nothing.
    """
    from reviews import services as review_services
    from reviews.models import Review, Verdict

    published = Review.objects.filter(claim=claim, published=True).first()
    if published is not None:
        return published

    review_services.review_assign(claim=claim, assignee=reviewer, assigned_by=editor)
    source = review_services.source_add(claim=claim, user=reviewer, **CONSCRIPTION_SOURCE)
    evidence = worked_example_evidence(claim=claim, reviewer=reviewer, warn=warn)
    review = review_services.review_submit(
        claim=claim,
        reviewer=reviewer,
        verdict=Verdict.MISATTRIBUTED,
        rationale=WORKED_EXAMPLE_RATIONALE,
        evidence_ids=[e.pk for e in evidence],
        source_ids=[source.pk],
    )
    return review_services.review_publish(review=review, editor=editor)
