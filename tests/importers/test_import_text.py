"""Page dumps: the parser on its own, then through the command."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from articles.models import Article
from importers.text import TextParseError, parse_text

from .import_utils import FIXTURES, by_action, run_import

FERRY = (FIXTURES / "dumps" / "ferry-night-crossing.txt").read_bytes()


def test_page_dump_parts_are_recovered_and_furniture_dropped():
    record = parse_text(FERRY)

    assert record.categories[0].name == "Coastal Affairs"
    assert record.title == "Ferry Cooperative Wins the Night Crossing"
    assert record.dek.startswith("After a year of hearings, the harbour board hands")
    assert record.image_caption == "Ferry Cooperative Wins the Night Crossing"
    assert record.image_credit == "Harbour Gazette Archive"
    assert record.body.count("<p>") == 5
    assert "Recent Features" not in record.body
    assert "Credit:" not in record.body
    assert "Coastal Affairs" not in record.body
    assert record.title not in record.body
    # Typographic quotes and dashes are kept as they are; "[f]" is not a shortcode.
    assert "“We kept the lights on for this town when nobody else would,”" in record.body
    assert "twice last winter — once for fog" in record.body
    assert "cooperative’s [f]inances" in record.body


@pytest.mark.parametrize(
    "transform",
    [
        pytest.param(lambda b: b, id="lf"),
        pytest.param(lambda b: b.replace(b"\n", b"\r\n"), id="crlf"),
        pytest.param(lambda b: b"\xef\xbb\xbf" + b, id="bom"),
        pytest.param(lambda b: b.replace(b"\n", b"  \t\n"), id="trailing-whitespace"),
        pytest.param(
            lambda b: b"\xef\xbb\xbf" + b.replace(b"\n", b" \r\n") + b"\r\n\r\n", id="all"
        ),
    ],
)
def test_line_endings_bom_and_whitespace_do_not_change_the_result(transform):
    assert parse_text(transform(FERRY)) == parse_text(FERRY)


def test_byline_entities_and_no_credit():
    record = parse_text((FIXTURES / "dumps" / "choir-windows.txt").read_bytes())

    assert record.title == "The Choir That Sings in Six Languages"
    assert record.authors == ["Mara Lindqvist", "Tomás Ibarra"]
    assert record.dek == "Rehearsals run late & loud in the old sail loft."
    assert record.image_credit == "" and record.image_caption == ""
    assert "<p>Every Thursday forty singers climb the loft’s ladder" in record.body
    assert record.body.count("<p>") == 2


def test_missing_dek_with_a_credit():
    data = "Arts\n\nA Title\n\nRecent Features\n\nA Title\nCredit: Staff\n\nFirst.\n\nSecond.\n"
    record = parse_text(data.encode())

    assert record.dek == ""
    assert record.image_caption == "A Title"
    assert record.image_credit == "Staff"
    assert record.body == "<p>First.</p>\n<p>Second.</p>"


def test_credit_without_caption_and_a_body_line_that_looks_like_a_byline():
    data = "Arts\n\nA Title\n\nThe dek.\n\nCredit: Staff\n\nBy the time we arrived, it was over.\n"
    record = parse_text(data.encode())

    assert record.dek == "The dek."
    assert record.image_caption == ""
    assert record.authors == []
    assert record.body == "<p>By the time we arrived, it was over.</p>"


def test_long_first_paragraph_without_credit_is_body_not_dek():
    long = "A sentence that goes on. " * 20
    record = parse_text(f"Arts\n\nA Title\n\n{long}\n\nMore.\n".encode())

    assert record.dek == ""
    assert record.body.count("<p>") == 2


def test_html_in_a_dump_is_text_not_markup():
    record = parse_text(b"Arts\n\nTitle\n\nDek.\n\n<script>alert(1)</script> &lt;b&gt;\n")

    assert "<script>" not in record.body
    assert "&lt;script&gt;" in record.body


def test_legacy_key_depends_on_section_and_title_not_on_the_file():
    a = parse_text(FERRY, source="a.txt")
    b = parse_text(FERRY.replace(b"The harbour board voted", b"The board voted"), source="b.txt")
    other = parse_text(FERRY.replace(b"Coastal Affairs", b"Inland"), source="a.txt")

    assert a.legacy_key == b.legacy_key
    assert a.legacy_key != other.legacy_key


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"  \n\r\n ", "empty"),
        (b"Only a section\n", "at least a section name and a title"),
        (b"Arts\n\nCaf\xe9 society\n", r"not valid UTF-8 \(byte 0xe9 on line 3\)"),
        (b"Arts\n\n" + b"x" * 301 + b"\n", "longer than 300"),
        (b"\x00\x01\x02binary\n\nmore\n", "binary"),
    ],
)
def test_unreadable_dumps_raise_a_parse_error_a_person_understands(data, message):
    with pytest.raises(TextParseError, match=message):
        parse_text(data)


LINES = st.sampled_from(
    [
        "",
        "Arts",
        "Title",
        "Recent Features",
        "Credit: X",
        "Credit:",
        "By Jane Doe",
        "By",
        "&amp;",
        "&#xD800;",
        "\ufeff",
        "\r",
        "\t",
        "“quoted” — dash",
        "x" * 350,
        "\x00",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_parser_never_raises_anything_but_its_own_error_on_arbitrary_bytes(data):
    try:
        record = parse_text(data)
    except TextParseError:
        return
    assert record.title and record.legacy_key.startswith("text:")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(LINES, st.text(max_size=40)), max_size=30), st.sampled_from(["\n", "\r\n"])
)
def test_parser_never_raises_anything_but_its_own_error_on_dump_shaped_text(lines, newline):
    try:
        record = parse_text(newline.join(lines).encode("utf-8", "surrogatepass"))
    except TextParseError:
        return
    assert "<script" not in record.body


@pytest.mark.django_db
def test_command_imports_a_page_dump_directory(tmp_path):
    report, out, _, _ = run_import(tmp_path, FIXTURES / "dumps", "--published-at", "2019-06-05")

    assert len(by_action(report, "created")) == 3
    article = Article.objects.get(title="Ferry Cooperative Wins the Night Crossing")
    assert article.section.name == "Coastal Affairs"
    assert article.lead_image_credit.name == "Harbour Gazette Archive"
    assert article.body.count("<p>") == 5
    assert article.is_published()
    choir = Article.objects.get(title="The Choir That Sings in Six Languages")
    assert [b.author.name for b in choir.bylines.all()] == ["Mara Lindqvist", "Tomás Ibarra"]
    assert "3 created" in out


@pytest.mark.django_db
def test_a_dump_without_date_becomes_a_draft_with_a_warning(tmp_path):
    report, _, _, _ = run_import(tmp_path, FIXTURES / "dumps" / "minimal.txt")

    article = Article.objects.get()
    assert article.status == Article.Status.DRAFT
    assert article.published_at is None
    assert "no publication date" in report["records"][0]["warnings"][0]


@pytest.mark.django_db
def test_two_dumps_with_one_section_and_title_are_not_silently_merged(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "first.txt").write_bytes(FERRY)
    (tmp_path / "a" / "second.txt").write_bytes(FERRY.replace(b"cooperative", b"co-op"))
    report, _, _, error = run_import(tmp_path, tmp_path / "a", expect_error=True)

    assert Article.objects.count() == 1
    [failed] = by_action(report, "failed")
    assert "another page dump has the same section and title" in failed["reason"]
    assert "first.txt" in failed["reason"] or "second.txt" in failed["reason"]
    assert error is not None  # a non-zero exit: somebody must look


@pytest.mark.django_db
def test_a_dump_named_twice_is_read_once(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "first.txt").write_bytes(FERRY)
    report, *_ = run_import(tmp_path, tmp_path / "a", tmp_path / "a" / "first.txt")

    assert len(by_action(report, "created")) == 1
    assert not by_action(report, "failed")


def test_a_dek_wrapped_over_lines_with_a_byline_still_finds_caption_and_credit():
    record = parse_text(
        b"Coastal Affairs\n\nBoard votes\n\nBy Ines Marlow\n\n"
        b"After a year of hearings, the board\nvoted at last.\n\n"
        b"The ferry leaves at dawn.\nCredit: Harbour Gazette Archive\n\nBody.\n"
    )

    assert record.authors == ["Ines Marlow"]
    assert record.dek == "After a year of hearings, the board voted at last."
    assert (record.image_caption, record.image_credit) == (
        "The ferry leaves at dawn.",
        "Harbour Gazette Archive",
    )
    assert record.body == "<p>Body.</p>"


def test_a_dek_wrapped_over_lines_without_a_credit_stays_whole():
    record = parse_text(
        b"Coastal Affairs\n\nBoard votes\n\nAfter a year of hearings, the board\n"
        b"voted at last.\n\nFirst paragraph.\n\nSecond.\n"
    )

    assert record.dek == "After a year of hearings, the board voted at last."
    assert record.body == "<p>First paragraph.</p>\n<p>Second.</p>"


@pytest.mark.parametrize(
    "line, authors",
    [
        ("By Ines Marlow, Staff Writer", ["Ines Marlow"]),
        ("By Ines Marlow and Teo Varga, Special Correspondents", ["Ines Marlow", "Teo Varga"]),
        ("By Marie-Claire d'Arcy", ["Marie-Claire d'Arcy"]),
        ("By Ana Lim, Teo Varga and Jo Reyes", ["Ana Lim", "Teo Varga", "Jo Reyes"]),
        ("By the time we arrived, it was over.", None),
    ],
)
def test_byline_names_leave_out_job_titles(line, authors):
    record = parse_text(f"Arts\n\nA Title\n\nA dek.\n\n{line}\n\nBody.\n".encode())

    assert record.authors == (authors or [])


def test_no_break_spaces_are_kept_as_written():
    dump = (
        "Science\n\nTide\u00a0Gauge Turns 100\n\n"
        "The gauge has logged the sea every hour since 1924\u00a0AD.\n\n"
        "Readings are taken at 06:00\u00a0h and at noon, tides\u2009permitting.\n"
    ).encode()
    record = parse_text(dump, source="nbsp.txt")
    assert record.title == "Tide\u00a0Gauge Turns 100"
    assert record.dek.endswith("1924\u00a0AD.")
    record.finish()
    # The sanitizer writes it as &nbsp;, the same character.
    assert "06:00&nbsp;h" in record.body and "tides\u2009permitting" in record.body
