"""What an attacker can put in an archive: images that are not what their names
say, files outside --images-dir, bodies and JSON nested to exhaust a parser.
Each fails alone, clearly, and nothing of it reaches the site."""

import io
import json

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from articles.models import Article
from articles.sanitize import MAX_DEPTH
from sections.models import Section

from .import_utils import by_action, run_import

pytestmark = pytest.mark.django_db


def record(n, **fields):
    return {
        "id": f"hostile-{n}",
        "title": f"Story {n}",
        "section": "News",
        "authors": ["Ana Lim"],
        "body": f"<p>Body {n}.</p>",
        "published_at": "2024-05-01T08:00:00Z",
        **fields,
    }


def write(path, *records):
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


def gif_html_polyglot():
    """A real GIF, with an HTML page after its trailer: browsers sniff the page."""
    buffer = io.BytesIO()
    Image.new("P", (8, 8), 1).save(buffer, "GIF")
    return buffer.getvalue() + b"<html><script>alert(document.cookie)</script></html>"


def test_an_image_named_html_is_stored_as_the_gif_it_is_and_re_encoded(tmp_path):
    images = tmp_path / "images"
    images.mkdir()
    (images / "evil.html").write_bytes(gif_html_polyglot())
    run_import(
        tmp_path,
        write(tmp_path / "b.jsonl", record(2, image="evil.html")),
        "--images-dir",
        images,
    )
    stored = Article.objects.get(legacy_key="jsonl:hostile-2").lead_image.name
    assert stored.endswith(".gif") and ".html" not in stored
    with default_storage.open(stored) as fh:
        data = fh.read()
    assert b"<script" not in data and Image.open(io.BytesIO(data)).format == "GIF"


def test_images_the_admin_would_refuse_are_refused_with_a_warning(tmp_path, settings):
    settings.NEWSROOM_MAX_IMAGE_PIXELS = 1_000_000
    images = tmp_path / "images"
    images.mkdir()
    Image.new("1", (2000, 2000)).save(images / "huge.png")  # 4 megapixels, a small file
    Image.new("RGB", (20, 20)).save(images / "vector.eps", "EPS")
    report, *_ = run_import(
        tmp_path,
        write(tmp_path / "a.jsonl", record(1, image="huge.png"), record(2, image="vector.eps")),
        "--images-dir",
        images,
    )
    created = by_action(report, "created")
    assert len(created) == 2  # the articles import, without the pictures
    warnings = " ".join(w for r in created for w in r["warnings"])
    assert "at most 1 million pixels" in warnings
    assert "images are not accepted" in warnings or "not an image" in warnings
    assert not Article.objects.exclude(lead_image="").exists()


def test_a_symlink_out_of_the_images_dir_is_not_followed(tmp_path):
    secret = tmp_path / "outside" / "secret.png"
    secret.parent.mkdir()
    Image.new("RGB", (10, 10), (250, 0, 0)).save(secret)
    images = tmp_path / "images"
    (images / "sub").mkdir(parents=True)
    (images / "sub" / "innocent.png").symlink_to(secret)
    report, *_ = run_import(
        tmp_path,
        write(
            tmp_path / "a.jsonl",
            record(1, image="sub/innocent.png"),  # by path
            record(2, image="https://old.example/wp-content/innocent.png"),  # by name
        ),
        "--images-dir",
        images,
    )
    assert not Article.objects.exclude(lead_image="").exists()
    warnings = [w for r in by_action(report, "created") for w in r["warnings"]]
    assert len([w for w in warnings if "not found in --images-dir" in w]) == 2


def test_a_body_nested_too_deep_fails_alone(tmp_path):
    deep = "<div>" * 50_000 + "x" + "</div>" * 50_000
    report, *_ = run_import(
        tmp_path,
        write(tmp_path / "a.jsonl", record(1), record(2, body=deep), record(3)),
        expect_error=True,
    )
    [failed] = by_action(report, "failed")
    assert failed["location"] == "line 2"
    assert f"more than {MAX_DEPTH} deep" in failed["reason"]
    assert set(Article.objects.values_list("legacy_key", flat=True)) == {
        "jsonl:hostile-1",
        "jsonl:hostile-3",
    }


def test_a_body_over_the_admins_limit_fails_alone(tmp_path, settings):
    settings.NEWSROOM_MAX_BODY_BYTES = 10_000
    report, *_ = run_import(
        tmp_path,
        write(tmp_path / "a.jsonl", record(1, body="<p>" + "word " * 5000 + "</p>"), record(2)),
        expect_error=True,
    )
    [failed] = by_action(report, "failed")
    assert "a body may be at most" in failed["reason"]
    assert Article.objects.filter(legacy_key="jsonl:hostile-2").exists()


def test_a_line_of_json_nested_100000_deep_fails_alone_and_keeps_the_one_before(tmp_path):
    path = write(tmp_path / "a.jsonl", record(1))
    with path.open("a") as fh:
        fh.write("[" * 100_000 + "]" * 100_000 + "\n")
        fh.write(json.dumps(record(3)) + "\n")
    report, *_ = run_import(tmp_path, path, expect_error=True)
    [failed] = by_action(report, "failed")
    assert failed["location"] == "line 2" and "nested too deeply" in failed["reason"]
    assert Article.objects.count() == 2


def test_records_naming_no_section_go_to_uncategorized_after_the_sites_sections(tmp_path):
    Section.objects.create(name="Politics", slug="politics", position=3)
    uncategorized = {k: v for k, v in record(1).items() if k != "section"}
    report, *_ = run_import(tmp_path, write(tmp_path / "a.jsonl", uncategorized, record(2)))
    article = Article.objects.get(legacy_key="jsonl:hostile-1")
    assert article.section.name == "Uncategorized"
    [created] = [r for r in by_action(report, "created") if r["legacy_key"] == "jsonl:hostile-1"]
    assert any('filed under "Uncategorized"' in w for w in created["warnings"])
    positions = dict(Section.objects.values_list("name", "position"))
    assert positions["Politics"] < positions["Uncategorized"]
    assert positions["Politics"] < positions["News"]
