"""`./dev serve` as a newsroom runs it: one command, on the embedded default (SQLite and the
filesystem broker in its own data folder), and an article uploaded in the browser reaches
Ready with no other command, because a Celery worker runs beside the web server. Stopping the
server stops that worker too.

These tests start the real script as a subprocess, without the PostgreSQL and Redis that
`./dev test` points the rest of the suite at, so they prove the default a person gets.
"""

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.wait import WebDriverWait

from tests.browser import chromium
from tests.conftest import REPO_ROOT
from tests.worker import free_port

pytestmark = [pytest.mark.browser, pytest.mark.slow]

EDITOR = "serve-editor"
PASSWORD = "serve-editor-password-1"
ARTICLE = """Housing figures questioned

The minister said 40,000 homes were built last year. Builders' groups put the number closer
to 25,000, and the national statistics office has not yet published its count for the year.
"""
NO_WORKER_BANNER = "No worker is running"
# From the start of ./dev serve (uv sync, migrate, a worker loading its tasks) to a page, and
# from the upload to Ready (spaCy loads on the first article), on a busy 2-core machine.
START_TIMEOUT = 240
READY_TIMEOUT = 180


class Serve:
    """A running `./dev serve` in its own process group, with its own data folder."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = data_dir / "serve.log"
        self.worker_log = data_dir / "worker.log"  # where ./dev serve puts the worker's output
        self.process: subprocess.Popen | None = None

    def env(self) -> dict[str, str]:
        """The test's environment without what makes it a test run: no DATABASE_URL and no
        CELERY_BROKER_URL (./dev test's PostgreSQL and Redis), no PYTEST_VERSION (which the
        settings read as "running tests"). What is left picks the embedded default."""
        left_out = {"DATABASE_URL", "CELERY_BROKER_URL", "PYTEST_VERSION"}
        env = {key: value for key, value in os.environ.items() if key not in left_out}
        return {**env, "FACTCHECK_DATA_DIR": str(self.data_dir), "EVIDENCE_SOURCE": "corpus"}

    def start(self) -> None:
        # --noreload: other edits to the checkout while this runs must not restart the server
        # under the test. Ctrl-C must reach the processes as in a terminal, so SIGINT is set
        # back to its default (a test runner started in the background inherits it ignored).
        self.process = subprocess.Popen(
            ["./dev", "serve", f"127.0.0.1:{self.port}", "--noreload"],
            cwd=REPO_ROOT,
            env=self.env(),
            stdin=subprocess.DEVNULL,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )

    def logs(self) -> str:
        def tail(path: Path) -> str:
            return path.read_text(errors="replace")[-3000:] if path.exists() else "(none)"

        return f"--- serve log:\n{tail(self.log)}\n--- worker log:\n{tail(self.worker_log)}"

    def wait_until(self, predicate, *, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            exit_code = self.process.poll()
            assert exit_code is None, f"./dev serve exited ({exit_code}) before {what}\n" + (
                self.logs()
            )
            assert time.monotonic() < deadline, f"timed out waiting for {what}\n{self.logs()}"
            time.sleep(1)

    def answers(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/admin/login/", timeout=5) as response:
                return response.status == 200
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    def worker_ready(self) -> bool:
        return self.worker_log.exists() and " ready." in self.worker_log.read_text()

    def manage(self, *args: str, **env: str) -> None:
        """A manage.py command on the same data folder, as a person would run it beside."""
        run = subprocess.run(
            ["./dev", "manage", *args],
            cwd=REPO_ROOT,
            env={**self.env(), **env},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0, run.stdout + run.stderr

    def running_processes(self) -> bool:
        """Whether any process of the group (the script, uv, web server, worker, its pool
        and beat) is still alive; the script itself is reaped by wait()."""
        try:
            os.killpg(self.process.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def wait_for_all_to_stop(self) -> int:
        exit_code = self.process.wait(timeout=90)
        deadline = time.monotonic() + 60
        while self.running_processes():
            assert time.monotonic() < deadline, f"processes left after ./dev serve\n{self.logs()}"
            time.sleep(0.5)
        return exit_code

    def kill_leftovers(self) -> None:
        if self.process is not None and self.running_processes():
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)


@pytest.fixture
def serve(tmp_path):
    server = Serve(tmp_path)
    server.start()
    yield server
    server.kill_leftovers()


@pytest.fixture
def browser():
    yield from chromium()


def click_and_wait_for_next_page(browser, by: str, value: str) -> None:
    old_page = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(by, value).click()

    def old_page_gone(_) -> bool:
        try:
            old_page.is_enabled()
        except WebDriverException:  # stale, or "node does not belong to the document"
            return True
        return False

    WebDriverWait(browser, 30).until(old_page_gone)


def test_an_article_uploaded_under_dev_serve_reaches_ready_with_no_other_command(serve, browser):
    serve.wait_until(serve.answers, timeout=START_TIMEOUT, what="the web server to answer")
    serve.manage(
        "createsuperuser", "--noinput", "--username", EDITOR, "--email", "editor@example.org",
        DJANGO_SUPERUSER_PASSWORD=PASSWORD,
    )  # fmt: skip

    browser.get(serve.url + "/admin/login/")
    browser.find_element(By.NAME, "username").send_keys(EDITOR)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    click_and_wait_for_next_page(browser, By.CSS_SELECTOR, "input[type=submit]")
    browser.get(serve.url + "/admin/factcheck/article/add/")
    browser.find_element(By.NAME, "pasted_text").send_keys(ARTICLE)
    click_and_wait_for_next_page(browser, By.CSS_SELECTOR, "input[type=submit]")
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "queued for processing" in body, body
    article_page = browser.current_url
    assert "/admin/factcheck/article/" in article_page and article_page.endswith("/change/")

    def article_ready() -> bool:
        browser.get(article_page)
        status = browser.find_element(By.CSS_SELECTOR, ".field-status .readonly").text
        assert status != "Failed", browser.find_element(By.TAG_NAME, "body").text
        return status == "Ready for review"

    serve.wait_until(article_ready, timeout=READY_TIMEOUT, what="the article to be Ready")
    # The worker beside the server also keeps the admin's "no worker" warning away.
    assert NO_WORKER_BANNER not in browser.find_element(By.TAG_NAME, "body").text

    os.killpg(serve.process.pid, signal.SIGINT)  # Ctrl-C in the terminal
    serve.wait_for_all_to_stop()
    worker_log = serve.worker_log.read_text()
    assert "Warm shutdown" in worker_log, serve.logs()
    assert "exited with 'signal" not in worker_log, serve.logs()  # no pool process killed


def test_a_sigterm_to_dev_serve_stops_the_web_server_and_the_worker(serve):
    """What an IDE's stop button or a `kill PID` sends: to the script alone, not its group."""
    serve.wait_until(serve.answers, timeout=START_TIMEOUT, what="the web server to answer")
    serve.wait_until(serve.worker_ready, timeout=START_TIMEOUT, what="the worker to be ready")

    serve.process.send_signal(signal.SIGTERM)
    assert serve.wait_for_all_to_stop() == 128 + signal.SIGTERM
    assert not serve.answers()
    assert "Warm shutdown" in serve.worker_log.read_text(), serve.logs()
