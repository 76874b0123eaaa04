"""Helpers for the import tests: run the command, read its JSON report."""

import json
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "import"


def run_import(tmp_path, *args, expect_error=False):
    """Run import_articles; returns (report dict, stdout, stderr, CommandError or None)."""
    report = tmp_path / f"report-{len(list(tmp_path.glob('report-*.json')))}.json"
    out, err, error = StringIO(), StringIO(), None
    try:
        call_command(
            "import_articles", *map(str, args), "--report", str(report), stdout=out, stderr=err
        )
    except CommandError as exc:
        error = exc
    assert (error is not None) == expect_error, (error, err.getvalue())
    return json.loads(report.read_text()), out.getvalue(), err.getvalue(), error


def by_action(report, action):
    return [r for r in report["records"] if r["action"] == action]
