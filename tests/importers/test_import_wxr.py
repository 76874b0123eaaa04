"""WordPress WXR: mapping of posts, statuses, dates, authors, terms, images and redirects."""

import io
from datetime import UTC, datetime
from xml.etree import ElementTree

import pytest

from articles.models import Article, Author, Redirect
from importers.wxr import RepairingReader, _declares_dtd
from sections.models import Section

from .import_utils import FIXTURES, by_action, run_import

EXPORT = FIXTURES / "export.xml"
SITE = "wp:harbour-gazette.example"

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(tmp_path):
    report, *_ = run_import(tmp_path, EXPORT, "--timezone", "Europe/London", expect_error=True)
    return {r["legacy_key"] or r["title"]: r for r in report["records"]}


def article(post_id):
    return Article.objects.get(legacy_key=f"{SITE}:{post_id}")


def test_only_posts_are_imported_pages_trash_and_broken_items_are_reported(imported):
    assert imported[f"{SITE}:15"]["action"] == "skipped"
    assert "trash" in imported[f"{SITE}:15"]["reason"]
    assert imported["About the Gazette"]["reason"] == "WordPress page: only posts are imported"
    failed = imported["A post that lost its identity"]
    assert failed["action"] == "failed"
    assert failed["location"] == "item 13"
    assert failed["reason"] == "the item has neither wp:post_id nor guid"
    assert Article.objects.count() == 10
    assert not Article.objects.filter(title__in=["Thrown away", "About the Gazette"]).exists()


@pytest.mark.parametrize(
    "post_id, status, published_at",
    [
        (10, "published", datetime(2019, 6, 12, 8, 30, tzinfo=UTC)),
        (11, "draft", None),
        (12, "published", datetime(2031, 5, 1, 9, 0, tzinfo=UTC)),
        (13, "unpublished", datetime(2019, 5, 1, 9, 0, tzinfo=UTC)),
        (14, "in_review", None),
        (16, "unpublished", datetime(2019, 5, 4, 9, 0, tzinfo=UTC)),
        # post_date_gmt is zero: post_date is read in the site's zone (BST, UTC+1).
        (18, "published", datetime(2019, 9, 1, 11, 0, tzinfo=UTC)),
    ],
)
def test_statuses_and_dates_map_explicitly(imported, post_id, status, published_at):
    post = article(post_id)

    assert (post.status, post.published_at) == (status, published_at)


def test_nothing_private_pending_or_password_protected_is_visible_to_readers(imported):
    visible = set(Article.objects.published().values_list("legacy_key", flat=True))

    assert {f"{SITE}:{n}" for n in (11, 12, 13, 14, 16)}.isdisjoint(visible)
    assert article(12).is_scheduled()
    assert "password-protected" in " ".join(imported[f"{SITE}:16"]["warnings"])


def test_classic_content_gets_paragraphs_figures_and_no_raw_shortcodes(imported):
    body = article(10).body

    assert body.startswith("<p>The night ferry sailed again on Tuesday.<br>\nIt left at two")
    assert (
        '<figure><img src="https://harbour-gazette.example/wp-content/uploads/2019/06/cast-off.jpg"'
        in body
    )
    assert "<figcaption>Deckhands cast off at 2 a.m. <cite>Jo Reyes/Harbour Gazette</cite>" in body
    assert "<figcaption>A gull on the rail <cite>Ana Silva</cite></figcaption>" in body
    assert '<a href="https://video.example/watch/ferry-2019"' in body
    assert "Crew lists are posted on the slip." in body
    assert "[" not in body.replace("[s]ummer", "")
    assert "removed shortcodes" in " ".join(imported[f"{SITE}:10"]["warnings"])


def test_block_editor_content_is_kept_as_is(imported):
    assert article(17).body == (
        "<p>The storm came in at dusk.</p>\n\n\n\n<p>By midnight the pier lights were out.</p>"
    )


def test_excerpt_becomes_the_dek_as_plain_text(imported):
    assert article(10).dek == "The 2 a.m. crossing is back & busy."


def test_featured_image_resolves_through_an_attachment_that_comes_later(imported):
    post = article(10)

    assert post.lead_image_alt == "A white ferry leaving a stone slip at sunrise"
    assert post.lead_image_caption == "The Lantern leaves the north slip."
    assert post.lead_image_credit.name == "Ana Silva"
    assert "no --images-dir" in " ".join(imported[f"{SITE}:10"]["warnings"])


def test_authors_from_wp_author_co_authors_plus_and_unknown_creators(imported):
    def names(post_id):
        return [b.author.name for b in article(post_id).bylines.all()]

    assert names(10) == ["Ines Marlow"]
    assert names(17) == ["Teodor Varga", "Ines Marlow", "Ama Mensah"]
    assert names(18) == ["oldpilot"]
    assert "'oldpilot' has no <wp:author> entry" in " ".join(imported[f"{SITE}:18"]["warnings"])
    assert Author.objects.filter(name__iexact="ines marlow").count() == 1


def test_categories_become_sections_tags_are_reported(imported):
    assert article(10).section.name == "Harbour"
    # Yoast's primary category wins over the first one listed.
    assert article(17).section.name == "Harbour"
    assert article(18).section.name == "Letters & Opinion"
    assert imported[f"{SITE}:10"]["tags"] == ["ferries"]
    assert Section.objects.filter(name__in=["ferries", "weather"]).count() == 0
    assert Section.objects.filter(name="Harbour").count() == 1


def test_unicode_backslashes_and_quotes_survive_byte_exact(imported):
    post = article(19)

    assert post.title == "Ο φάρος: C:\\logs\\\"night\" & 'day' — ✓ 🚢"
    assert (
        "Backslash \\ and \\\\ double, \"double\" and 'single' quotes, Ωμέγα, 港, مرحبا, 🚢."
        in (post.body)
    )
    assert post.dek == "Ελληνικά & “quotes”"
    assert post.slug == "ο-φάρος"


def test_slug_collisions_get_a_stable_suffix(imported):
    assert article(10).slug == "night-ferry-returns"
    assert article(21).slug == "night-ferry-returns-2"
    assert article(11).slug == "a-draft-nobody-finished"


def test_sticky_posts_become_features(imported):
    assert article(10).is_feature
    assert not article(21).is_feature


def test_legacy_urls_and_old_slugs_redirect_to_the_article(imported):
    post = article(10)
    paths = set(Redirect.objects.filter(article=post).values_list("old_path", flat=True))

    assert post.legacy_url == "https://harbour-gazette.example/2019/06/night-ferry-returns/"
    assert paths == {"/2019/06/night-ferry-returns/", "/2019/06/night-ferry-back/"}
    assert Redirect.objects.get(old_path="/2019/10/ο-φάρος/").article == article(19)
    # "/?p=11" does not identify a post by its path: no redirect for the home page.
    assert not Redirect.objects.filter(old_path="/").exists()


def test_old_wordpress_addresses_answer_301_on_the_reader_site(imported, client):
    post = article(10)

    for old in ("/2019/06/night-ferry-returns/", "/2019/06/night-ferry-back/"):
        response = client.get(old)
        assert response.status_code == 301
        assert response["Location"] == post.get_absolute_url()
    assert client.get("/2019/10/ο-φάρος/").status_code == 301


def test_wxr_1_0_tags_and_domainless_categories(tmp_path):
    report, *_ = run_import(tmp_path, FIXTURES / "export-1.0.xml")

    post = Article.objects.get()
    assert post.section.name == "Rivers"
    assert report["records"][0]["tags"] == ["eels"]
    assert post.legacy_key == "wp:tidewater.example:4"


def test_category_map_puts_posts_into_existing_sections(tmp_path):
    news = Section.objects.create(name="News", slug="news")
    run_import(tmp_path, EXPORT, "--map-category", "harbour=news", expect_error=True)

    assert article(10).section == news
    assert article(11).section.name == "Town Hall"
    assert not Section.objects.filter(name="Harbour").exists()


def test_a_file_wordpress_got_wrong_is_repaired_and_says_so(tmp_path):
    report, _, err, _ = run_import(tmp_path, FIXTURES / "repairable.xml")

    post = Article.objects.get()
    # As in a browser, "<![CDATA[" in HTML is a bogus comment: the sanitizer drops it.
    assert post.body == "<p>Write <code></code> to escape.</p>"
    assert "2 × raw &, 1 × ]]> inside CDATA" in err
    assert by_action(report, "warning")[0]["location"] == "file"
    warning = by_action(report, "created")[0]["warnings"][-1]
    assert "lead image not copied" in warning
    assert "w=1200&h=800" in warning


@pytest.mark.parametrize("chunk", [1, 7, 65536])
def test_repairing_reader_streams_the_fixes_whatever_the_chunk_size(chunk):
    source = (
        b'<r><a href="x?a=1&b=2&amp;c=&#38;">t &lt; u &unknown</a>'
        b"<c><![CDATA[keep <![CDATA[ nested ]]> and ]]> too]]></c>"
        b"<d><![CDATA[one]]><![CDATA[two]]></d><!-- a & b --><e>\x01bell</e></r>"
    )

    class Trickle(io.BytesIO):
        def read(self, size=-1):
            return super().read(min(chunk, size) if size and size > 0 else chunk)

    reader = RepairingReader(Trickle(source))
    root = ElementTree.fromstring(b"".join(iter(lambda: reader.read(5), b"")))

    assert root.find("a").get("href") == "x?a=1&b=2&c=&"
    assert root.find("a").text == "t < u &unknown"
    assert root.find("c").text == "keep <![CDATA[ nested ]]> and ]]> too"
    assert root.find("d").text == "onetwo"
    assert root.find("e").text == "bell"
    assert reader.fixes == {"raw &": 2, "]]> inside CDATA": 2, "control characters": 1}


@pytest.mark.parametrize(
    "name, message",
    [
        ("bomb.xml", "refused: the file declares a DTD or entities"),
        ("xxe.xml", "refused: the file declares a DTD or entities"),
        ("broken.xml", "not well-formed XML at line 22, column 28"),
        ("not-wxr.xml", "not a WordPress export"),
    ],
)
def test_dangerous_or_broken_files_are_refused_once_without_traceback(tmp_path, name, message):
    report, _, err, error = run_import(tmp_path, FIXTURES / "bad" / name, expect_error=True)

    assert Article.objects.count() == 0
    assert err.count(message) == 1
    assert "Traceback" not in err
    assert report["summary"]["failed_files"] == 1
    assert error.returncode == 1


@pytest.mark.parametrize(
    "head, declares",
    [
        (b"<!DOCTYPE rss [<!ENTITY a 'b'>]><rss/>", True),
        (b'\xef\xbb\xbf<?xml version="1.0"?>\n<!-- exported -->\n<!DOCTYPE rss><rss/>', True),
        (b"<?xml version='1.0'?><?xml-stylesheet href='a'?>\r\n  <!DOCTYPE rss><rss/>", True),
        (b'<?xml version="1.0"?>\n<rss version="2.0"><!DOCTYPE in text?></rss>', False),
        (b"<!-- <!DOCTYPE rss> only mentioned -->\n<rss/>", False),
        (b"<?xml version='1.0'?><!-- a comment never closed", False),
        (b"", False),
    ],
)
def test_a_dtd_is_found_in_the_prolog_and_only_there(head, declares):
    assert _declares_dtd(head) is declares


def _bomb(prolog, encoding="utf-8"):
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>\n'
    rest = (FIXTURES / "bad" / "bomb.xml").read_text().split("?>", 1)[1]
    return (declaration + prolog + rest).encode(encoding)


@pytest.mark.parametrize(
    "content",
    [
        _bomb("<!-- WordPress export -->\n"),
        _bomb("<!-- " + "exported " * 8000 + "-->\n"),  # beyond what is read before parsing
        _bomb("", encoding="utf-16"),
    ],
    ids=["behind-a-comment", "behind-70-kb-of-comment", "utf-16"],
)
def test_an_entity_bomb_is_refused_with_our_message_wherever_its_dtd_sits(tmp_path, content):
    bomb = tmp_path / "bomb.xml"
    bomb.write_bytes(content)
    _, _, err, error = run_import(tmp_path, bomb, expect_error=True)

    assert err.count("refused: the file declares a DTD or entities") == 1
    assert "amplification" not in err
    assert error.returncode == 1


def test_an_empty_file_is_refused(tmp_path):
    empty = tmp_path / "empty.xml"
    empty.write_bytes(b"")
    _, _, err, _ = run_import(tmp_path, empty, expect_error=True)

    assert "the file is empty" in err


def test_an_export_with_https_namespaces_imports_as_one_with_http(tmp_path):
    """Recent WordPress writes xmlns:wp="https://wordpress.org/export/1.2/"."""
    http_report, *_ = run_import(tmp_path, EXPORT, "--dry-run", expect_error=True)
    https = tmp_path / "https-export.xml"
    text = EXPORT.read_text(encoding="utf-8")
    https.write_text(
        text.replace('"http://wordpress.org/', '"https://wordpress.org/').replace(
            '"http://purl.org/', '"https://purl.org/'
        ),
        encoding="utf-8",
    )
    assert 'xmlns:wp="https://wordpress.org/export/1.2/"' in https.read_text(encoding="utf-8")
    https_report, *_ = run_import(tmp_path, https, "--dry-run", expect_error=True)
    titles = [
        sorted(r["title"] for r in by_action(report, "created"))
        for report in (http_report, https_report)
    ]
    assert titles[0] and titles[0] == titles[1]
