"""manage.py load_corpus imports the offline corpus into the page store, once."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from factcheck.models import ReferencePage, TitleLookup
from tests.conftest import SAMPLES

pytestmark = pytest.mark.django_db
LEADS = SAMPLES / "wikipedia" / "lead_summaries.jsonl"


def test_it_imports_every_page_pinned_to_the_snapshot_date_and_twice_adds_nothing(capsys):
    call_command("load_corpus", str(LEADS))
    first = capsys.readouterr().out
    call_command("load_corpus", str(LEADS))
    second = capsys.readouterr().out
    assert first.startswith("32 pages in the corpus; 32 new in the page store")
    assert second.startswith("32 pages in the corpus; 0 new in the page store")
    assert ReferencePage.objects.count() == 32
    page = ReferencePage.objects.get(title="Vladimir Putin")
    assert page.revision_id is None and page.snapshot_date.isoformat() == "2023-06-16"
    assert TitleLookup.objects.get(requested_title="Vladimir Putin").page == page


def test_it_refuses_a_file_that_is_not_a_corpus(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text("not json\n")
    with pytest.raises(CommandError, match="is not a corpus line"):
        call_command("load_corpus", str(bad))
    assert not ReferencePage.objects.exists()
