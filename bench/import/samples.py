"""Import the shared legacy samples and the seed page dump, each file on its own, three times.

    .venv/bin/python bench/import/samples.py [--shared ../shared]

Each file is imported into an empty database (always a scratch SQLite file,
never the site's own), then imported again (must create nothing), then
again with --update (must change nothing). Prints one line per file. The files
stay where they are: they are other people's text and never enter the project.
"""

import argparse
import io
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def say(line):
    sys.stdout.write(line + "\n")


class Rollback(Exception):
    pass


def run(call_command, path, report, *extra):
    err = io.StringIO()
    try:
        call_command(
            "import_articles",
            str(path),
            "--section",
            "imported",
            "--report",
            str(report),
            *extra,
            stdout=io.StringIO(),
            stderr=err,
            verbosity=1,
        )
    except Exception as exc:  # CommandError: something failed; the report has the details
        err.write(str(exc))
    data = json.loads(report.read_text())
    return data, err.getvalue().strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    args = parser.parse_args()
    shared = Path(args.shared)
    files = sorted((shared / "legacy-samples").rglob("*.xml")) + sorted(
        (shared / "legacy-samples").rglob("*.json")
    )
    files += sorted((shared / "seeds").glob("*.txt"))
    if not files:
        say(f"No samples under {shared}; nothing to do.")
        return 0

    scratch = tempfile.mkdtemp(prefix="newsroom-samples-")
    # Always a scratch database: never the site's own.
    os.environ["DATABASE_URL"] = f"sqlite:///{scratch}/samples.sqlite3"
    os.environ["MEDIA_ROOT"] = f"{scratch}/media"
    os.environ["DJANGO_SETTINGS_MODULE"] = "newsroom.settings"
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from articles.models import Article, Author, Byline
    from sections.models import Section

    call_command("migrate", verbosity=0)
    report = Path(scratch) / "report.json"
    problems = 0
    for path in files:
        try:
            with transaction.atomic():
                Section.objects.create(name="Imported", slug="imported")
                first, err = run(call_command, path, report)
                s = first["summary"]
                articles = Article.objects.count()
                authors = Author.objects.count()
                sections = Section.objects.count() - 1
                bylines = Byline.objects.count()
                images = Article.objects.exclude(lead_image_caption="", lead_image_alt="").count()
                second, _ = run(call_command, path, report)
                third, _ = run(call_command, path, report, "--update")
                again = second["summary"]["created"] + second["summary"]["updated"]
                again += third["summary"]["created"] + third["summary"]["updated"]
                refused = s["failed_files"] > 0
                ok = (refused and articles == 0) or (not refused and again == 0 and not s["failed"])
                problems += not ok
                say(
                    f"{'ok ' if ok else 'BAD'} {path.name}: "
                    + (
                        f"refused: {err.splitlines()[0]}"
                        if refused
                        else f"{s['created']} created, {s['skipped']} skipped, "
                        f"{s['failed']} failed; "
                        f"{articles} articles, {authors} authors, {bylines} bylines, "
                        f"{sections} new sections, {images} with lead-image text; "
                        f"re-run created/updated {again}"
                    )
                )
                if path.suffix == ".txt":
                    article = Article.objects.get()
                    lines = [
                        ln.strip() for ln in path.read_text("utf-8-sig").splitlines() if ln.strip()
                    ]
                    ending = " ".join(lines[-1].split())[-30:] + "</p>"
                    expected = (lines[0], lines[1], True)
                    found = (article.section.name, article.title, article.body.endswith(ending))
                    furniture = any(ln in article.body for ln in ("Recent Features", "Credit:"))
                    if found != expected or furniture or not article.dek:
                        problems += 1
                        say(f"BAD {path.name}: {found} != {expected} or furniture in the body")
                    say(
                        f"    section={article.section.name!r} credit={article.lead_image_credit}"
                        f" paragraphs={article.body.count('<p>')} dek={article.dek[:50]!r}…"
                    )
                raise Rollback
        except Rollback:
            pass
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
