"""A clone is enough: every test reads its data from the repository, never from ../shared
(which a clone from GitHub does not have), and none is skipped for missing data."""

import os
import re
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT

# Modules whose tests read shipped data: the seed gold, the sample articles, the Wikipedia
# sample corpus, the ClaimReview shape and the check-worthiness training data.
DATA_READING_TESTS = [
    "tests/test_extraction_gold.py",
    "tests/test_extraction_cleaning.py",
    "tests/test_load_corpus.py",
    "tests/test_evidence_ranking.py",
    "tests/test_public_pages.py::test_the_markup_has_the_shape_of_real_claimreviews",
    "tests/test_checkworthiness.py",
]


def test_no_test_reads_the_shared_folder_beside_the_checkout():
    sibling = re.compile(r"""parent\s*/\s*["']shared["']|\.\./shared""")
    offenders = [
        path.name
        for path in (REPO_ROOT / "tests").glob("*.py")
        if path.name != "test_clone_is_enough.py" and sibling.search(path.read_text())
    ]
    assert offenders == []


@pytest.mark.slow
def test_a_fresh_clone_runs_the_data_reading_tests_with_no_skip(tmp_path):
    committed = subprocess.run(
        ["git", "-C", str(REPO_ROOT), "rev-parse", "HEAD"], capture_output=True, text=True
    )
    if committed.returncode != 0:
        pytest.fail("the test suite must run from a git checkout")
    clone = tmp_path / "nothing-beside" / "factcheck"
    subprocess.run(["git", "clone", "--quiet", str(REPO_ROOT), str(clone)], check=True)
    assert not (clone.parent / "shared").exists()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'clone.sqlite3'}",
        "FACTCHECK_DATA_DIR": str(tmp_path / "data"),
        "CI": "",  # a missing service may skip here; only missing data must not
    }
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", "-m", "",
         *DATA_READING_TESTS],
        cwd=clone, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    report = run.stdout[-3000:] + run.stderr[-2000:]
    assert run.returncode == 0, report
    assert "skipped" not in run.stdout.splitlines()[-1], report
    assert "passed" in run.stdout.splitlines()[-1], report
