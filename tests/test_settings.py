"""Configuration from the environment fails early and clearly."""

import os
import subprocess
import sys

from tests.conftest import REPO_ROOT


def run_check(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=REPO_ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_live_evidence_without_an_operator_contact_refuses_to_start(tmp_path):
    result = run_check(
        EVIDENCE_SOURCE="live", WIKIPEDIA_CONTACT="", FACTCHECK_DATA_DIR=str(tmp_path)
    )
    assert result.returncode != 0
    assert "EVIDENCE_SOURCE=live needs WIKIPEDIA_CONTACT" in result.stderr


def test_live_evidence_with_a_contact_starts(tmp_path):
    result = run_check(
        EVIDENCE_SOURCE="live",
        WIKIPEDIA_CONTACT="desk@example.org",
        FACTCHECK_DATA_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
