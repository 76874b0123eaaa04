"""The import command's behaviour: idempotency, --update, --dry-run, interruption, images."""

import io
import json
import shutil
from datetime import UTC, datetime
from urllib.parse import unquote

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from articles.models import Article, Author, Byline, ImageCredit, Redirect
from importers.base import Category, ImportRecord
from importers.management.commands import import_articles
from importers.run import ImportOptions, import_paths
from importers.writer import ArticleWriter
from reader.cache import content_state, forget_content_state
from reader.models import ContentChange
from search.engine import SearchParams, search_page, unindexed_article_ids
from sections.models import Section

from .import_utils import FIXTURES, by_action, run_import

pytestmark = pytest.mark.django_db
SOURCES = [FIXTURES / "dumps", FIXTURES / "archive.jsonl", FIXTURES / "export.xml"]


def table_counts():
    return {
        model.__name__: model.objects.count()
        for model in (Article, Byline, Redirect, Author, Section, ImageCredit)
    }


def write_jsonl(path, count, overrides=None):
    with open(path, "w", encoding="utf-8") as fh:
        for n in range(count):
            row = {
                "id": f"bulk-{n}",
                "title": f"Harbour note number {n}",
                "section": ["Harbour", "Town Hall", "Letters"][n % 3],
                "body": f"<p>Paragraph {n}.</p>",
                "authors": [f"Writer {n % 7}", "Ines Marlow"],
                "published_at": "2020-01-01T10:00:00Z",
                "image_credit": f"Agency {n % 4}",
                "url": f"https://old.example/notes/{n}/",
                **(overrides or {}).get(n, {}),
            }
            fh.write(json.dumps(row) + "\n")
    return path


def test_a_second_import_changes_nothing(tmp_path):
    first, *_ = run_import(tmp_path, *SOURCES, expect_error=True)
    counts = table_counts()
    second, out, _, _ = run_import(tmp_path, *SOURCES, expect_error=True)
    third, *_ = run_import(tmp_path, *SOURCES, "--update", expect_error=True)

    assert first["summary"]["created"] == 17
    assert table_counts() == counts
    for report in (second, third):
        assert report["summary"]["created"] == report["summary"]["updated"] == 0
        total = first["summary"]["created"] + first["summary"]["skipped"]
        assert report["summary"]["skipped"] == total
    assert "0 created, 0 updated" in out
    reasons = {r["reason"] for r in by_action(third, "skipped") if r.get("article_id")}
    assert reasons == {"unchanged since the last import"}


def test_update_rewrites_changed_records_in_place(tmp_path):
    source = write_jsonl(tmp_path / "a.jsonl", 3)
    run_import(tmp_path, source)
    before = Article.objects.get(legacy_key="jsonl:bulk-1")
    untouched = Article.objects.get(legacy_key="jsonl:bulk-2")
    write_jsonl(
        source,
        3,
        {
            1: {
                "title": "Corrected title",
                "authors": ["Ama Mensah"],
                "url": "https://old.example/n/1b/",
            }
        },
    )

    report, *_ = run_import(tmp_path, source)
    assert by_action(report, "skipped")[1]["reason"].startswith("already imported")
    assert Article.objects.get(pk=before.pk).title == "Harbour note number 1"

    report, *_ = run_import(tmp_path, source, "--update")
    after = Article.objects.get(pk=before.pk)
    assert [r["legacy_key"] for r in by_action(report, "updated")] == ["jsonl:bulk-1"]
    assert after.title == "Corrected title"
    assert after.slug == before.slug == "harbour-note-number-1"
    assert after.revision == before.revision + 1
    assert [b.author.name for b in after.bylines.all()] == ["Ama Mensah"]
    assert set(after.redirects.values_list("old_path", flat=True)) == {"/notes/1/", "/n/1b/"}
    assert Article.objects.get(pk=untouched.pk).revision == untouched.revision
    reasons = list(
        after.history.order_by("history_date").values_list("history_change_reason", flat=True)
    )
    assert reasons == ["Imported", "Re-imported (--update)"]
    # The versions are whole articles, as restore needs them.
    first, second = after.history.order_by("history_date")
    assert (first.history_type, first.title, first.body) == ("+", before.title, before.body)
    assert (first.section_id, first.published_at) == (before.section_id, before.published_at)
    assert (second.history_type, second.title, second.revision) == (
        "~",
        "Corrected title",
        after.revision,
    )
    assert second.body == after.body and second.history_user is None
    assert Article.objects.count() == 3


def test_update_keeps_a_story_an_editor_took_down_unpublished(tmp_path):
    source = write_jsonl(tmp_path / "a.jsonl", 2)
    run_import(tmp_path, source)
    Article.objects.filter(legacy_key="jsonl:bulk-1").update(status=Article.Status.UNPUBLISHED)
    write_jsonl(source, 2, {1: {"title": "Corrected title"}})

    report, *_ = run_import(tmp_path, source, "--update")

    article = Article.objects.get(legacy_key="jsonl:bulk-1")
    assert article.title == "Corrected title"
    assert article.status == Article.Status.UNPUBLISHED
    assert not Article.objects.published().filter(pk=article.pk).exists()
    [updated] = by_action(report, "updated")
    assert "kept unpublished: an editor took it down in Newsroom" in updated["warnings"]


def test_dry_run_writes_nothing(tmp_path, media_root):
    images = tmp_path / "images"
    (images / "2019/06").mkdir(parents=True)
    Image.new("RGB", (40, 30), (200, 10, 10)).save(images / "2019/06/log-book.jpg")
    before = table_counts()

    report, out, _, _ = run_import(
        tmp_path, *SOURCES, "--dry-run", "--images-dir", images, expect_error=True
    )

    assert table_counts() == before
    assert not media_root.exists() or not any(media_root.rglob("*.jpg"))
    assert report["summary"]["dry_run"] is True
    assert report["summary"]["created"] == 17
    assert "Dry run, nothing written: would have 17 created" in out


def test_interrupted_import_leaves_whole_batches_and_a_rerun_completes(tmp_path):
    source = write_jsonl(tmp_path / "a.jsonl", 9)
    seen = []

    def interrupt(progress):
        seen.append(progress.records)
        if progress.records == 7:
            raise KeyboardInterrupt

    options = ImportOptions(batch_size=3, timezone=None)
    with pytest.raises(KeyboardInterrupt):
        import_paths([source], options=options, on_progress=interrupt)

    # Two batches of three were committed; the third, half read, never started.
    assert Article.objects.count() == 6
    for article in Article.objects.all():
        assert article.bylines.count() == 2
        assert article.redirects.count() == 1

    report, *_ = run_import(tmp_path, source)
    assert report["summary"]["created"] == 3
    assert Article.objects.count() == 9
    assert Article.objects.values("legacy_key").distinct().count() == 9


def test_ctrl_c_in_the_command_says_how_to_finish_and_closes_the_report(tmp_path, monkeypatch):
    source = write_jsonl(tmp_path / "a.jsonl", 4)

    def interrupt(self, progress):
        raise KeyboardInterrupt

    monkeypatch.setattr(import_articles.ProgressBar, "update", interrupt)
    report = tmp_path / "r.json"
    with pytest.raises(CommandError, match="Run the same command again") as error:
        call_command("import_articles", str(source), "--report", str(report), stdout=io.StringIO())

    assert error.value.returncode == 130
    assert json.loads(report.read_text())["summary"]["interrupted"] is True
    assert Article.objects.count() == 0


def test_the_report_of_an_unfinished_import_says_what_it_wrote(tmp_path, monkeypatch):
    source = write_jsonl(tmp_path / "a.jsonl", 5)

    def interrupt(self, progress):
        if progress.records == 3:  # the first batch of two is in
            raise KeyboardInterrupt

    monkeypatch.setattr(import_articles.ProgressBar, "update", interrupt)
    report = tmp_path / "r.json"
    with pytest.raises(CommandError):
        call_command(
            "import_articles", str(source), "--batch-size", "2", "--report", str(report),
            stdout=io.StringIO(),
        )  # fmt: skip

    summary = json.loads(report.read_text())["summary"]
    assert summary["interrupted"] is True and summary["created"] == 2
    assert Article.objects.count() == 2

    def crash(self, progress):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(import_articles.ProgressBar, "update", crash)
    with pytest.raises(RuntimeError):
        call_command("import_articles", str(source), "--report", str(report), stdout=io.StringIO())

    summary = json.loads(report.read_text())["summary"]
    assert summary["interrupted"] is False
    assert summary["error"] == "RuntimeError: disk on fire"


def test_queries_grow_with_batches_not_with_records(tmp_path):
    run_import(tmp_path, write_jsonl(tmp_path / "warm.jsonl", 30))  # authors, sections, credits

    def queries(count, batch_size, prefix):
        source = write_jsonl(
            tmp_path / f"{prefix}.jsonl", count, {n: {"id": f"{prefix}-{n}"} for n in range(count)}
        )
        with CaptureQueriesContext(connection) as captured:
            call_command(
                "import_articles",
                str(source),
                "--batch-size",
                str(batch_size),
                stdout=io.StringIO(),
            )
        return len(captured.captured_queries)

    two_batches = queries(120, 60, "a")
    same_batches_twice_the_records = queries(240, 120, "b")

    assert Article.objects.count() == 390
    assert two_batches <= 2 * 35 + 5
    # SQLite splits big INSERTs into a few statements; nothing is per record.
    assert same_batches_twice_the_records <= two_batches + 6


def test_lead_images_are_found_by_path_or_name_and_stored_once(tmp_path, media_root):
    images = tmp_path / "uploads"
    (images / "wp-content/uploads/2019/06").mkdir(parents=True)
    boats = images / "wp-content/uploads/2019/06/boats-at-dawn.jpg"
    Image.new("RGB", (64, 48), (20, 90, 160)).save(boats)
    (images / "elsewhere").mkdir()
    Image.new("RGB", (32, 32), (1, 2, 3)).save(images / "elsewhere" / "log-book.jpg")
    (images / "2019").mkdir()
    (images / "2019" / "not-an-image.jpg").write_bytes(b"text")

    report, *_ = run_import(
        tmp_path,
        FIXTURES / "export.xml",
        FIXTURES / "archive.jsonl",
        "--images-dir",
        images,
        expect_error=True,
    )

    ferry = Article.objects.get(legacy_key="wp:harbour-gazette.example:10")
    assert (ferry.lead_image_width, ferry.lead_image_height) == (64, 48)
    assert default_storage.exists(ferry.lead_image.name)
    log = Article.objects.get(legacy_key="jsonl:gz-1001")
    assert (log.lead_image_width, log.lead_image_height) == (32, 32)
    # Bulk writes skip the save signals; the importer makes the renditions itself.
    assert len(list(media_root.rglob("*.webp"))) == 2

    copy = tmp_path / "archive.jsonl"
    shutil.copy(FIXTURES / "archive.jsonl", copy)
    copy.write_text(copy.read_text().replace("Goes Online", "Is Online"))
    run_import(tmp_path, copy, "--update", "--images-dir", images, expect_error=True)
    log.refresh_from_db()
    assert log.title == "Lighthouse Keeper’s Log Is Online"
    assert len(list(default_storage.listdir(log.lead_image.name.rsplit("/", 1)[0])[1])) == 1

    # Re-imported without --images-dir: the picture is not at hand, not gone.
    copy.write_text(copy.read_text().replace("Is Online", "Now Online"))
    run_import(tmp_path, copy, "--update", expect_error=True)
    updated = Article.objects.get(pk=log.pk)
    assert updated.title == "Lighthouse Keeper’s Log Now Online"
    assert updated.lead_image.name == log.lead_image.name
    assert (updated.lead_image_width, updated.lead_image_height) == (32, 32)


def test_an_update_adds_the_picture_an_earlier_import_could_not(tmp_path, media_root):
    images = tmp_path / "uploads"
    images.mkdir()
    source = write_jsonl(tmp_path / "a.jsonl", 2, {0: {"image": "pier.jpg"}})
    run_import(tmp_path, source)  # no --images-dir: no picture, a warning
    run_import(tmp_path, source, "--update", "--images-dir", images)  # not there yet
    assert not Article.objects.get(legacy_key="jsonl:bulk-0").lead_image

    Image.new("RGB", (40, 30), (200, 120, 40)).save(images / "pier.jpg")
    report, *_ = run_import(tmp_path, source, "--update", "--images-dir", images)
    again, *_ = run_import(tmp_path, source, "--update", "--images-dir", images)

    article = Article.objects.get(legacy_key="jsonl:bulk-0")
    assert (article.lead_image_width, article.lead_image_height) == (40, 30)
    assert report["summary"]["updated"] == 1  # the other record has no picture
    assert again["summary"]["updated"] == 0 and again["summary"]["skipped"] == 2


def test_a_missing_image_is_a_warning_not_a_failure(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    source = write_jsonl(tmp_path / "a.jsonl", 1, {0: {"image": "../../etc/passwd"}})

    report, *_ = run_import(tmp_path, source, "--images-dir", empty)

    assert by_action(report, "created")[0]["warnings"] == [
        "lead image not found in --images-dir: ../../etc/passwd"
    ]
    assert not Article.objects.get().lead_image


@pytest.mark.parametrize(
    "args, message",
    [
        (["--section", "nope"], "No section with slug 'nope'"),
        (["--map-category", "Harbour"], "expected NAME=SLUG of an existing section"),
        (["--published-at", "soon"], "is not a date"),
        (["--timezone", "Mars/Olympus"], "Unknown time zone"),
    ],
)
def test_option_mistakes_are_command_errors(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("import_articles", str(FIXTURES / "archive.jsonl"), *args)
    assert Article.objects.count() == 0


def test_default_section_status_and_date_apply_only_where_the_source_has_none(tmp_path):
    arts = Section.objects.create(name="Arts", slug="arts")
    source = tmp_path / "a.jsonl"
    source.write_text(
        '{"id": 1, "title": "No section"}\n'
        '{"id": 2, "title": "Has all", "section": "Harbour", "status": "draft"}\n'
    )
    run_import(tmp_path, source, "--section", "arts", "--published-at", "2018-02-03T04:05:00Z")

    plain = Article.objects.get(legacy_key="jsonl:1")
    assert (plain.section, plain.status) == (arts, "published")
    assert plain.published_at.isoformat() == "2018-02-03T04:05:00+00:00"
    full = Article.objects.get(legacy_key="jsonl:2")
    assert (full.section.name, full.status, full.published_at) == ("Harbour", "draft", None)


def test_a_section_can_be_named_by_its_slug(tmp_path):
    arts = Section.objects.create(name="Arts & Letters", slug="arts")
    source = tmp_path / "a.jsonl"
    source.write_text('{"id": 1, "title": "By slug", "section": "Arts"}\n')
    run_import(tmp_path, source)

    assert Article.objects.get().section == arts
    assert Section.objects.count() == 1


def test_progress_bar_on_a_terminal_and_quiet_otherwise(tmp_path):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    bar = import_articles.ProgressBar(screen, enabled=True)
    bar.last_draw = -1.0
    bar.update(import_paths.__globals__["Progress"](records=500, done_bytes=250, total_bytes=1000))
    assert "25%" in screen.getvalue() and "500 records" in screen.getvalue()
    assert "/s · ETA" in screen.getvalue()

    err = io.StringIO()
    call_command(
        "import_articles",
        str(write_jsonl(tmp_path / "a.jsonl", 3)),
        stdout=io.StringIO(),
        stderr=err,
    )
    assert "\r" not in err.getvalue()


def found_by_search(word):
    params = SearchParams(q=word)
    return {article.title for article in search_page(params, 1)}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="indexes on a second connection")
@pytest.mark.django_db(transaction=True)
def test_batches_are_indexed_for_search_on_a_second_connection(tmp_path):
    source = write_jsonl(
        tmp_path / "a.jsonl", 7, {n: {"body": f"<p>Seawall section {n}.</p>"} for n in range(7)}
    )
    with CaptureQueriesContext(connection) as captured:
        run_import(tmp_path, source, "--batch-size", "2")

    assert len(found_by_search("seawall")) == 7
    assert not Article.objects.filter(search_vector__isnull=True).exists()
    # The importer's own connection wrote the articles but did not index them.
    assert not [q for q in captured.captured_queries if "to_tsvector" in q["sql"]]


@pytest.mark.django_db(transaction=True)
def test_articles_an_interrupted_import_left_unindexed_are_indexed_first(tmp_path):
    run_import(tmp_path, write_jsonl(tmp_path / "a.jsonl", 2))
    # As if the last import was killed between a batch's commit and its indexing.
    section = Section.objects.first()
    Article.objects.bulk_create(
        [Article(section=section, title="Breakwater survey", slug="breakwater", body="<p>x</p>")]
    )
    assert unindexed_article_ids() and not found_by_search("breakwater")

    report, out, *_ = run_import(tmp_path, write_jsonl(tmp_path / "b.jsonl", 2))

    assert "1 articles written earlier but not yet searchable indexed for search" in out
    assert not unindexed_article_ids()
    Article.objects.filter(slug="breakwater").update(
        status=Article.Status.PUBLISHED, published_at="2020-01-01T00:00Z"
    )
    assert found_by_search("breakwater") == {"Breakwater survey"}


def test_new_credits_cost_queries_per_batch_not_per_credit(tmp_path):
    run_import(tmp_path, write_jsonl(tmp_path / "warm.jsonl", 30))  # authors, sections

    def queries(count, prefix):
        overrides = {
            n: {"id": f"{prefix}-{n}", "image_credit": f"{prefix} Photo {n}"} for n in range(count)
        }
        overrides[1]["image_credit"] = f"  {prefix.upper()}   photo 0 "  # the same credit
        source = write_jsonl(tmp_path / f"{prefix}.jsonl", count, overrides)
        with CaptureQueriesContext(connection) as captured:
            call_command(
                "import_articles", str(source), "--batch-size", "100", stdout=io.StringIO()
            )
        return len(captured.captured_queries)

    few, many = queries(10, "a"), queries(80, "b")

    # 70 credits more, not 70 queries more: SQLite splits big INSERTs, and
    # "b" has new redirects where "a" repeats the warm import's addresses.
    assert many <= few + 5
    assert ImageCredit.objects.filter(name__startswith="b Photo").count() == 79
    assert Article.objects.filter(lead_image_credit__name="b Photo 0").count() == 2


@pytest.mark.parametrize("section_slug", ["harbour", "tōhoku-notes"])
@pytest.mark.parametrize("slug", ["ferry-timetable", "đặng-văn-ngữ", "名古屋-港", "a_b-2"])
def test_redirect_paths_are_the_reversed_article_addresses(section_slug, slug):
    section = Section.objects.create(name=section_slug.title(), slug=section_slug)
    writer = ArticleWriter(ImportOptions())

    expected = unquote(reverse("reader:article", kwargs={"section": section_slug, "slug": slug}))
    assert writer._path(section.pk, slug) == expected
    assert writer._path(section.pk, "other") == expected.replace(slug, "other")


def test_a_record_that_fails_leaves_no_credit_behind(tmp_path):
    run_import(tmp_path, write_jsonl(tmp_path / "a.jsonl", 1))
    # Re-imported with --update, its body is finished by the writer, which refuses it.
    deep = "<div>" * 200 + "x" + "</div>" * 200
    again = write_jsonl(tmp_path / "b.jsonl", 1, {0: {"body": deep, "image_credit": "Orphan"}})
    report, *_ = run_import(tmp_path, again, "--update", expect_error=True)

    assert "body refused" in by_action(report, "failed")[0]["reason"]
    assert not ImageCredit.objects.filter(name="Orphan").exists()


def test_credits_the_database_folds_alike_are_one_credit(tmp_path):
    # PostgreSQL's lower() folds "İ" to "i", Python's casefold() does not;
    # SQLite's folds only ASCII. The database's unique index decides.
    spellings = ["İstanbul Foto", "Istanbul Foto", "ISTANBUL FOTO"]
    first = write_jsonl(
        tmp_path / "a.jsonl", 2, {n: {"image_credit": spellings[n]} for n in range(2)}
    )
    again = write_jsonl(tmp_path / "b.jsonl", 1, {0: {"id": "again", "image_credit": spellings[2]}})
    run_import(tmp_path, first)
    report, *_ = run_import(tmp_path, again)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(DISTINCT lower(name)) FROM "
            "(SELECT %s AS name UNION ALL SELECT %s UNION ALL SELECT %s) AS spellings",
            spellings,
        )
        (distinct,) = cursor.fetchone()
    assert report["summary"]["created"] == 1
    assert ImageCredit.objects.count() == distinct
    assert Article.objects.filter(lead_image_credit__isnull=True).count() == 0


def test_redirect_paths_follow_a_section_created_after_a_rolled_back_one():
    # SQLite gives the id of a section created in a rolled-back batch to the next one.
    writer = ArticleWriter(ImportOptions(dry_run=True))

    def record(key, section):
        return ImportRecord(
            legacy_key=key,
            title=f"Story {key}",
            source="test",
            location="line 1",
            categories=[Category(section, "")],
            body="<p>Text.</p>",
            published_at=timezone.now(),
            legacy_url=f"https://old.example/{section.lower()}/story-{key}/",
        )

    writer.write([record("a", "Alpha")])
    writer.options.dry_run = False
    writer.write([record("b", "Beta")])
    writer.close()

    article = Article.objects.get(legacy_key="b")
    assert article.get_absolute_url() == "/beta/story-b/"
    assert not Redirect.objects.filter(article=article).exists()  # its own address


HOSTILE = (
    '<p onclick="steal()">Tide tables.</p><script>steal()</script>'
    '<img src="x" onerror="steal()"><a href="javascript:steal()">link</a>'
)


def wxr_item(post_id, title, content="<p>Text.</p>", dates=None):
    dates = dates or "<wp:post_date_gmt>2020-01-01 10:00:00</wp:post_date_gmt>"
    return (
        f"<item><title>{title}</title><wp:post_id>{post_id}</wp:post_id>{dates}"
        "<wp:status>publish</wp:status><wp:post_type>post</wp:post_type>"
        '<category domain="category" nicename="harbour"><![CDATA[Harbour]]></category>'
        f"<content:encoded><![CDATA[{content}]]></content:encoded></item>"
    )


def write_wxr(path, *items):
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"'
        ' xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:wp="http://wordpress.org/export/1.2/"><channel>'
        "<link>https://old.example</link><wp:wxr_version>1.2</wp:wxr_version>"
        + "".join(items)
        + "</channel></rss>",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("fmt", ["jsonl", "wxr"])
def test_imported_bodies_are_sanitized_on_every_run(tmp_path, fmt):
    if fmt == "wxr":
        source = write_wxr(tmp_path / "a.xml", wxr_item(5, "Tide tables", HOSTILE))
    else:
        source = write_jsonl(tmp_path / "a.jsonl", 1, {0: {"body": HOSTILE}})
    run_import(tmp_path, source)
    run_import(tmp_path, source, "--update")

    body = Article.objects.get().body
    assert "Tide tables." in body
    for hostile in ("onclick", "<script", "steal()", "onerror", "javascript:"):
        assert hostile not in body


def test_a_re_run_converts_only_the_posts_it_writes(tmp_path, monkeypatch):
    from importers import wxr

    converted = []
    convert = wxr.convert_wordpress
    monkeypatch.setattr(wxr, "convert_wordpress", lambda c: converted.append(c) or convert(c))
    source = FIXTURES / "export.xml"

    run_import(tmp_path, source, expect_error=True)
    first = len(converted)
    run_import(tmp_path, source, expect_error=True)
    again = len(converted) - first
    run_import(tmp_path, source, "--update", expect_error=True)

    assert first > 5
    assert again == 0  # every post is known: nothing to convert
    assert len(converted) - first - again == first  # --update compares each one


def test_an_unparseable_legacy_url_is_no_redirect_and_no_failure(tmp_path):
    run_import(tmp_path, write_jsonl(tmp_path / "a.jsonl", 1, {0: {"url": "http://[broken"}}))
    assert Article.objects.count() == 1
    assert not Redirect.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_import_batch_is_one_content_change_naming_its_articles(tmp_path):
    # New sections, credits and authors are saved one by one, articles in bulk.
    before = set(ContentChange.objects.values_list("pk", flat=True))
    run_import(tmp_path, write_jsonl(tmp_path / "a.jsonl", 6))
    [change] = ContentChange.objects.exclude(pk__in=before)
    keys = set(change.keys.split())
    assert {f"article:{pk}" for pk in Article.objects.values_list("pk", flat=True)} <= keys
    assert {f"section:{pk}" for pk in Section.objects.values_list("pk", flat=True)} <= keys
    assert "latest" in keys


@pytest.mark.skipif(connection.vendor != "postgresql", reason="indexes on a second connection")
@pytest.mark.django_db(transaction=True)
def test_when_indexing_fails_everything_is_still_imported_and_reported(tmp_path, monkeypatch):
    from importers import indexer

    calls = []

    def failing_refresh(ids):
        calls.append(ids)
        raise DatabaseError("disk full")

    monkeypatch.setattr(indexer, "refresh_search_vectors", failing_refresh)
    version = content_state().version
    report, out, err, error = run_import(
        tmp_path, write_jsonl(tmp_path / "a.jsonl", 4), "--batch-size", "2", expect_error=True
    )

    assert Article.objects.count() == 4
    assert report["summary"]["created"] == 4
    assert "update_search_index" in str(error)
    forget_content_state()
    assert content_state().version > version  # readers see the new articles


@pytest.fixture
def refuse_title():
    """A trigger that makes the database itself refuse an article titled "Refused"."""
    if connection.vendor == "postgresql":
        create = [
            "CREATE FUNCTION refuse_article() RETURNS trigger LANGUAGE plpgsql AS $$"
            " BEGIN IF NEW.title = 'Refused' THEN RAISE EXCEPTION 'refused by a trigger';"
            " END IF; RETURN NEW; END $$",
            "CREATE TRIGGER refuse BEFORE INSERT ON articles_article"
            " FOR EACH ROW EXECUTE FUNCTION refuse_article()",
        ]
        drop = ["DROP TRIGGER refuse ON articles_article", "DROP FUNCTION refuse_article()"]
    else:
        create = [
            "CREATE TRIGGER refuse BEFORE INSERT ON articles_article"
            " WHEN NEW.title = 'Refused' BEGIN SELECT RAISE(ABORT, 'refused by a trigger'); END"
        ]
        drop = ["DROP TRIGGER refuse"]
    with connection.cursor() as cursor:
        for sql in create:
            cursor.execute(sql)
    yield
    with connection.cursor() as cursor:
        for sql in drop:
            cursor.execute(sql)


def test_a_record_the_database_refuses_fails_alone(tmp_path, refuse_title):
    source = write_jsonl(tmp_path / "a.jsonl", 5, {2: {"title": "Refused"}})
    report, *_ = run_import(tmp_path, source, "--batch-size", "5", expect_error=True)

    [failed] = by_action(report, "failed")
    assert failed["legacy_key"] == "jsonl:bulk-2" and failed["location"] == "line 3"
    assert "database refused it" in failed["reason"] and "refused by a trigger" in failed["reason"]
    assert report["summary"]["created"] == 4
    for article in Article.objects.all():  # the rest of the batch, whole
        assert article.bylines.count() == 2 and article.redirects.count() == 1
        assert article.history.count() == 1
    assert Article.objects.count() == 4 and not Article.objects.filter(title="Refused").exists()


def test_a_retried_batch_keeps_what_the_conversion_noted(tmp_path, refuse_title):
    content = 'Boats at dawn.\n\n[gallery ids="1,2"]'
    source = write_wxr(
        tmp_path / "a.xml", wxr_item(1, "Dawn boats", content), wxr_item(2, "Refused", content)
    )
    report, *_ = run_import(tmp_path, source, expect_error=True)

    [created] = by_action(report, "created")
    assert created["title"] == "Dawn boats"
    assert created["warnings"] == ["removed shortcodes: [gallery]×1"]
    assert by_action(report, "failed")[0]["title"] == "Refused"


@pytest.mark.parametrize(
    "published_at", ["9999-12-31T23:00:00-05:00", "0001-01-01T00:30:00+01:00", "9999-12-31"]
)
def test_a_date_pages_could_not_show_fails_its_record_alone(tmp_path, client, published_at):
    source = write_jsonl(tmp_path / "a.jsonl", 3, {1: {"published_at": published_at}})
    report, _, err, error = run_import(tmp_path, source, expect_error=True)

    [failed] = by_action(report, "failed")
    assert failed["location"] == "line 2"
    assert "out of range" in failed["reason"]
    assert error.returncode == 1 and "Traceback" not in err
    assert Article.objects.count() == 2
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    "dates",
    [
        "<wp:post_date>9999-12-31 23:00:00</wp:post_date>"
        "<wp:post_date_gmt>0000-00-00 00:00:00</wp:post_date_gmt>",
        "<pubDate>Fri, 31 Dec 9999 23:00:00 -0500</pubDate>",
    ],
)
def test_a_wordpress_date_pages_could_not_show_fails_its_post_alone(tmp_path, client, dates):
    source = write_wxr(
        tmp_path / "a.xml", wxr_item(1, "Far future", dates=dates), wxr_item(2, "Ordinary")
    )
    report, _, err, error = run_import(
        tmp_path, source, "--timezone", "America/New_York", expect_error=True
    )

    [failed] = by_action(report, "failed")
    assert failed["location"] == "item 1" and "out of range" in failed["reason"]
    assert "Traceback" not in err
    assert list(Article.objects.values_list("title", flat=True)) == ["Ordinary"]
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    "dates",
    [
        "<wp:post_date_gmt>1965-05-01 08:30:00</wp:post_date_gmt>",
        "<wp:post_date>1965-05-01 08:30:00</wp:post_date>",
        "<pubDate>Sat, 01 May 1965 08:30:00 +0000</pubDate>",
    ],
)
def test_a_wordpress_archive_keeps_its_dates_before_1970(tmp_path, dates):
    run_import(tmp_path, write_wxr(tmp_path / "a.xml", wxr_item(1, "Back issue", dates=dates)))

    article = Article.objects.get()
    assert article.status == Article.Status.PUBLISHED
    assert article.published_at == datetime(1965, 5, 1, 8, 30, tzinfo=UTC)


def test_wordpress_zero_pubdate_is_no_date(tmp_path):
    # What WordPress writes for a post that never had a date; the email parser
    # reads it as 2000-11-30.
    dates = "<pubDate>Wed, 30 Nov -0001 00:00:00 +0000</pubDate>"
    report, *_ = run_import(
        tmp_path, write_wxr(tmp_path / "a.xml", wxr_item(1, "Undated", dates=dates))
    )

    article = Article.objects.get()
    assert article.published_at is None and article.status == Article.Status.DRAFT
    assert "no publication date" in " ".join(report["records"][0]["warnings"])


@pytest.mark.parametrize(
    "option, message",
    [
        (["--published-at", "2019-02-30"], "is not a date"),
        (["--published-at", "9999-12-31T23:00-05:00"], "out of range"),
        (["--report", "/nonexistent/folder/report.json"], "No such file or directory"),
    ],
)
def test_bad_options_are_refused_with_a_message(tmp_path, option, message):
    source = write_jsonl(tmp_path / "a.jsonl", 1)
    with pytest.raises(CommandError, match=message):
        call_command("import_articles", str(source), *option, stdout=io.StringIO())
    assert not Article.objects.exists()


def test_an_author_name_longer_than_a_name_may_be_is_cut_not_a_failure(tmp_path):
    long_name = "Ana " + "Longname" * 30
    source = write_jsonl(tmp_path / "a.jsonl", 2, {0: {"authors": [long_name]}})
    run_import(tmp_path, source)
    report, *_ = run_import(tmp_path, source, "--update")

    byline = Byline.objects.get(article__legacy_key="jsonl:bulk-0")
    assert byline.author.name == long_name[:200]
    assert Author.objects.filter(name=long_name[:200]).count() == 1
    assert report["summary"]["failed"] == 0


@pytest.mark.parametrize("title", ["   ", "\u200b\u200e"])
def test_a_blank_title_fails_its_record(tmp_path, title):
    source = write_jsonl(tmp_path / "a.jsonl", 2, {0: {"title": title}})
    report, *_ = run_import(tmp_path, source, expect_error=True)

    assert by_action(report, "failed")[0]["reason"] == '"title" is blank'
    assert Article.objects.count() == 1


def test_new_authors_and_sections_are_counted_once(tmp_path, refuse_title):
    rows = {n: {"section": "New Desk", "authors": ["Ann Lee"]} for n in range(3)}
    rows[2]["title"] = "Refused"  # the batch is retried record by record
    source = write_jsonl(tmp_path / "a.jsonl", 3, rows)
    dry, *_ = run_import(tmp_path, source, "--dry-run", "--batch-size", "1", expect_error=True)
    real, *_ = run_import(tmp_path, source, expect_error=True)

    for report in (dry, real):
        assert report["summary"]["authors_created"] == 1
        assert report["summary"]["sections_created"] == 1
    assert Author.objects.filter(name="Ann Lee").count() == 1


def test_a_wordpress_post_with_an_invisible_title_gets_a_placeholder(tmp_path):
    report, *_ = run_import(tmp_path, write_wxr(tmp_path / "a.xml", wxr_item(7, "\u200b ")))

    assert Article.objects.get().title == "Untitled (WordPress post 7)"
    assert "placeholder" in report["records"][0]["warnings"][0]


def test_a_redirect_too_long_to_keep_is_a_warning(tmp_path):
    long_path = "/2019/" + "very-long-" * 60 + "/"
    source = write_jsonl(tmp_path / "a.jsonl", 1, {0: {"redirects": [long_path, "/old/one/"]}})
    report, *_ = run_import(tmp_path, source)

    [warning] = report["records"][0]["warnings"]
    assert warning.startswith("no redirect from /2019/very-long-") and "500 characters" in warning
    assert set(Redirect.objects.values_list("old_path", flat=True)) == {"/notes/0/", "/old/one/"}
