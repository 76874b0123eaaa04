"""JSON Lines: the documented schema, per-line errors, and WordPress REST API objects."""

import json
from datetime import UTC, datetime

import pytest

from articles.models import Article, Author, ImageCredit, Redirect
from importers import jsonl
from sections.models import Section

from .import_utils import FIXTURES, by_action, run_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(tmp_path):
    report, *_ = run_import(tmp_path, FIXTURES / "archive.jsonl", expect_error=True)
    return report


def test_every_field_of_the_schema_lands_in_the_article(report):
    article = Article.objects.get(legacy_key="jsonl:gz-1001")

    assert article.title == "Lighthouse Keeper’s Log Goes Online"
    assert article.slug == "lighthouse-log-online"
    assert article.section.name == "Coastal Affairs"
    assert article.kicker == "Archives"
    assert article.dek == "Forty years of handwritten weather notes, scanned page by page."
    assert article.body == (
        "<p>The log starts in 1961 with a storm.</p><p>It ends with a single word: “calm”.</p>"
    )
    assert [b.author.name for b in article.bylines.all()] == ["Ines Marlow", "Teodor Varga"]
    assert article.published_at == datetime(2019, 6, 12, 8, 30, tzinfo=UTC)
    assert article.is_published() and article.is_feature
    assert article.lead_image_caption == "A page from 1974."
    assert article.lead_image_alt == "An open log book with pencil notes"
    assert article.lead_image_credit.name == "Harbour Gazette Archive"
    assert (
        article.legacy_url == "https://old.harbour-gazette.example/2019/06/lighthouse-log-online/"
    )
    assert Redirect.objects.get(old_path="/2019/06/lighthouse-log-online/").article == article
    created = {r["legacy_key"]: r for r in by_action(report, "created")}
    assert created["jsonl:gz-1001"]["tags"] == ["archives", "weather"]


def test_names_sections_and_credits_match_case_insensitively_and_are_created_once(report):
    assert Section.objects.filter(name__iexact="coastal affairs").count() == 1
    assert Author.objects.filter(name__iexact="ines marlow").count() == 1
    assert ImageCredit.objects.filter(name__iexact="harbour gazette archive").count() == 1
    draft = Article.objects.get(legacy_key="jsonl:gz-1003")
    assert draft.section.name == "Coastal Affairs"
    assert [b.author.name for b in draft.bylines.all()] == ["Ines Marlow"]


def test_plain_text_body_non_latin_text_and_a_date_without_time(report):
    article = Article.objects.get(legacy_key="jsonl:1002")

    assert article.title == "Ο φάρος της Σαντορίνης"
    assert article.section.slug == "κόσμος"
    assert article.body == "<p>Πρώτη παράγραφος.</p>\n<p>Δεύτερη παράγραφος.</p>"
    assert article.published_at == datetime(2020, 1, 5, tzinfo=UTC)
    assert Article.objects.get(legacy_key="jsonl:gz-1004").published_at == datetime(
        2021, 2, 28, 21, 0, tzinfo=UTC
    )


def test_backslashes_and_quotes_survive(report):
    article = Article.objects.get(legacy_key="jsonl:gz-1003")

    assert article.title == 'Backslashes \\ and "quotes" survive'
    assert article.dek == "C:\\temp\\notes \"as typed\" 'exactly'"
    assert article.body == '<p>Path: C:\\harbour\\log "ok"</p>'
    assert article.status == Article.Status.DRAFT


def test_bad_lines_fail_alone_with_their_line_number_and_a_reason(report):
    failed = {r["location"]: r["reason"] for r in by_action(report, "failed")}

    assert failed == {
        "line 6": "not valid JSON: Expecting ',' delimiter at column 47",
        "line 7": '"title" is missing',
        "line 8": "\"published_at\" is not a date: 'next Tuesday' (use e.g. 2019-06-12T08:30:00Z)",
        "line 9": "\"status\" must be one of draft, in_review, published, unpublished, not 'live'",
    }
    assert len(by_action(report, "created")) == 4
    assert report["summary"]["failed"] == 4


def rest_post(**changes):
    """A post as the WordPress REST API returns it with _embed."""
    post = {
        "id": 77,
        "date": "2022-03-04T10:00:00",
        "date_gmt": "2022-03-04T09:00:00",
        "slug": "quay-wall-repaired",
        "status": "publish",
        "type": "post",
        "link": "https://harbour-gazette.example/2022/03/quay-wall-repaired/",
        "title": {"rendered": "Quay Wall Repaired &#8211; at Last"},
        "content": {"rendered": "<p>Masons finished on Friday.</p>\n", "protected": False},
        "excerpt": {"rendered": "<p>Six months &amp; two storms later.</p>\n"},
        "_links": {"self": [{"href": "https://harbour-gazette.example/wp-json/wp/v2/posts/77"}]},
        "_embedded": {
            "author": [{"id": 2, "name": "Ines Marlow"}],
            "wp:featuredmedia": [
                {
                    "source_url": "https://harbour-gazette.example/wp-content/uploads/quay.jpg",
                    "alt_text": "Masons on a stone quay",
                    "caption": {"rendered": "<p>The new coping stones. Photo: Jo Reyes</p>"},
                }
            ],
            "wp:term": [
                [{"taxonomy": "category", "name": "Harbour", "slug": "harbour"}],
                [{"taxonomy": "post_tag", "name": "masonry"}],
            ],
        },
    }
    return {**post, **changes}


def test_a_wordpress_rest_api_post_imports_with_embedded_terms_and_media(tmp_path):
    post = rest_post()
    path = tmp_path / "posts.json"
    path.write_text(json.dumps([post, {**post, "id": 78, "status": "trash"}]))
    report, *_ = run_import(tmp_path, path)

    article = Article.objects.get()
    assert article.legacy_key == "wp:harbour-gazette.example:77"
    assert article.title == "Quay Wall Repaired – at Last"
    assert article.dek == "Six months & two storms later."
    assert article.published_at == datetime(2022, 3, 4, 9, 0, tzinfo=UTC)
    assert article.section.name == "Harbour"
    assert article.lead_image_credit.name == "Jo Reyes"
    assert article.lead_image_caption == "The new coping stones."
    assert [b.author.name for b in article.bylines.all()] == ["Ines Marlow"]
    assert by_action(report, "skipped")[0]["reason"] == "in the WordPress trash"


def test_a_rest_post_with_a_field_of_the_wrong_type_fails_alone(tmp_path):
    path = tmp_path / "posts.json"
    path.write_text(json.dumps([rest_post(id=1, slug=2020), rest_post(id=2)]))
    report, *_ = run_import(tmp_path, path, expect_error=True)

    assert Article.objects.get().legacy_key == "wp:harbour-gazette.example:2"
    [failure] = by_action(report, "failed")
    assert failure["location"] == "item 1"
    assert failure["reason"] == '"slug" must be text, not int'


@pytest.mark.parametrize(
    "links",
    [
        {"self": [{"href": "https://harbour-gazette.example/?rest_route=/wp/v2/posts/77"}]},
        None,  # fetched with _fields: the site comes from the post's address
    ],
)
def test_rest_posts_are_keyed_on_their_site_like_wxr_items(tmp_path, links):
    path = tmp_path / "posts.json"
    path.write_text(json.dumps([rest_post(_links=links)]))
    run_import(tmp_path, path)

    assert Article.objects.get().legacy_key == "wp:harbour-gazette.example:77"


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "the file is empty"),
        (b"\xff\xfe{\x00}\x00", "UTF-16"),
    ],
)
def test_unusable_jsonl_files_are_reported_once(tmp_path, content, message):
    path = tmp_path / "x.jsonl"
    path.write_bytes(content)
    _, _, err, _ = run_import(tmp_path, path, expect_error=True)

    assert err.count(message) == 1


def test_invalid_utf8_in_one_line_fails_that_line_only(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_bytes(
        b'{"id": 1, "title": "Caf\xe9", "section": "A"}\n'
        b'{"id": 2, "title": "Fine", "section": "A"}\n'
    )
    report, *_ = run_import(tmp_path, path, expect_error=True)

    assert by_action(report, "failed")[0]["location"] == "line 1"
    assert "not valid UTF-8" in by_action(report, "failed")[0]["reason"]
    assert Article.objects.get().title == "Fine"


@pytest.mark.parametrize(
    ("escaped", "field", "reason"),
    [
        ('"title": "Half \\ud800 a pair"', "title", "half of a surrogate pair (\\ud800)"),
        ('"authors": ["Ama", "Ba\\udfffd"]', "authors", "half of a surrogate pair (\\udfff)"),
        ('"body": "<p>Nul\\u0000</p>"', "body", "a NUL character"),
        ('"tags": ["ok", "b\\u0000d"]', "tags", "a NUL character"),
        ('"section": "Ha\\udc00rbour"', "section", "half of a surrogate pair (\\udc00)"),
    ],
)
def test_json_escapes_no_database_can_store_fail_that_line_only(tmp_path, escaped, field, reason):
    # Valid JSON, but no text column holds a NUL or half a surrogate pair.
    path = tmp_path / "x.jsonl"
    odd = '{"id": 1, "section": "A", "title": "Odd", "published_at": "2020-01-01", ' + escaped
    fine = '{"id": 2, "title": "Fine \\ud83c\\udf0f", "section": "A", "published_at": "2020-01-01"'
    path.write_text(f"{odd}}}\n{fine}}}\n")
    report, out, err, _ = run_import(tmp_path, path, expect_error=True)

    [failure] = by_action(report, "failed")
    assert failure["location"] == "line 1"
    assert failure["reason"].startswith(f'"{field}" contains {reason}')
    assert "x.jsonl:line 1" in err
    assert Article.objects.get().title == "Fine 🌏"  # a whole pair is a character


def test_odd_characters_in_fields_the_import_ignores_are_no_failure(tmp_path):
    # Plugin metadata of a REST post (PHP-serialized objects hold NULs) is not stored.
    path = tmp_path / "posts.json"
    path.write_text(
        json.dumps([rest_post(meta={"_plugin": 'O:3:"Foo":1:{s:6:"\u0000*\u0000x";}'})])
    )
    run_import(tmp_path, path)

    assert Article.objects.get().title == "Quay Wall Repaired – at Last"


def test_a_failed_records_title_is_shown_escaped():
    failure = jsonl._safe(
        {"id": 3, "title": "Bell\x07 \x1b[31mred\ud800"}, source="x", location="line 1", tz=None
    )
    assert failure.title == "Bell\\x07 \\x1b[31mred\\ud800"
    assert (
        failure.reason
        == '"title" contains half of a surrogate pair (\\ud800), which is not a character'
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"status": 5},
        {"content": "plain text"},
        {"_embedded": [1]},
        {"_embedded": {"wp:term": 3}},
        {"_embedded": {"wp:featuredmedia": {"id": 5}}},
        {"link": "http://[broken", "_links": None},
    ],
)
def test_rest_records_of_unexpected_shapes_fail_alone(tmp_path, changes):
    path = tmp_path / "posts.json"
    path.write_text(json.dumps([rest_post(id=1, **changes), rest_post(id=2)]))
    report, *_ = run_import(tmp_path, path, expect_error=True)

    assert Article.objects.get().legacy_key == "wp:harbour-gazette.example:2"
    [failure] = by_action(report, "failed")
    assert failure["location"] == "item 1"
    assert "not of the expected shape" in failure["reason"]
