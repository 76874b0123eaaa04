import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Byline
from search import engine as search
from tests.factories import make_article, make_author, make_section

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL full-text search behaviour"
)
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite FTS5 fallback")

URL = reverse("reader:search")


def results(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    page_obj = response.context["page_obj"]
    return [article.title for article in page_obj] if page_obj else []


def test_empty_query_shows_the_form_and_searches_nothing(
    client, django_assert_max_num_queries, settings
):
    settings.CONTENT_VERSION_CHECK_SECONDS = 60  # read once, not again while this runs
    make_article(title="Harbour")
    # +2 on a cold cache: the navigation and the "Recent features" sidebar of base.html.
    with django_assert_max_num_queries(2 + 2):
        response = client.get(URL)
    assert response.status_code == 200
    assert response.context["page_obj"] is None
    assert b'name="q"' in response.content
    assert b'<meta name="robots" content="noindex">' in response.content


def test_finds_words_in_title_dek_body_and_author_names(client):
    make_article(title="Harbour dredging approved")
    make_article(title="Second", dek="The dredging of the old channel resumes.")
    make_article(title="Third", body="<p>Crews began <em>dredging</em> at dawn.</p>")
    make_article(title="Fourth", authors=[make_author(name="Dredging Correspondent")])
    make_article(title="Unrelated", body="<p>Nothing to see.</p>")
    assert sorted(results(client, q="dredging")) == ["Fourth", "Harbour dredging approved",
                                                     "Second", "Third"]  # fmt: skip


@pytest.mark.parametrize(
    ("status", "when"),
    [
        (Article.Status.DRAFT, None),
        (Article.Status.IN_REVIEW, "past"),
        (Article.Status.PUBLISHED, "future"),
        (Article.Status.UNPUBLISHED, "past"),
    ],
)
def test_only_published_articles_are_found(client, status, when):
    now = timezone.now()
    published_at = {None: None, "past": now - timedelta(days=1), "future": now + timedelta(days=1)}
    make_article(title="Visible lighthouse")
    make_article(title="Hidden lighthouse", status=status, published_at=published_at[when])
    assert results(client, q="lighthouse") == ["Visible lighthouse"]


def test_html_markup_is_not_indexed(client):
    make_article(title="Tagged", body='<p><a href="https://example.org/strong">A link</a></p>')
    assert results(client, q="href") == []
    assert results(client, q="strong") == []
    assert results(client, q="link") == ["Tagged"]


def test_title_hit_ranks_above_body_hits(client):
    make_article(
        title="Budget day",
        body="<p>" + " ".join(["The mangrove plan was discussed again."] * 5) + "</p>",
    )
    make_article(title="Mangrove restoration begins", body="<p>Planting started today.</p>")
    make_article(title="Other", dek="A mangrove survey is under way.", body="<p>Survey.</p>")
    assert results(client, q="mangrove") == ["Mangrove restoration begins", "Other", "Budget day"]


@postgresql_only
def test_the_opening_of_the_body_ranks_above_its_depths(client, now):
    # Ranking reads title, dek, bylines and the body's opening; deeper matches
    # only match, newest first. (FTS5's bm25 on SQLite weighs the whole body.)
    filler = "<p>" + "Officials met again to discuss the budget. " * 40 + "</p>"
    make_article(title="Newest", body=filler + "<p>A mangrove was mentioned.</p>", published_at=now)
    make_article(
        title="Older, but about it",
        body="<p>The mangrove is dying.</p>" + filler,
        published_at=now - timedelta(days=30),
    )
    make_article(
        title="Oldest",
        body=filler + "<p>One more mangrove.</p>",
        published_at=now - timedelta(days=60),
    )
    assert results(client, q="mangrove") == ["Older, but about it", "Newest", "Oldest"]


@postgresql_only
@pytest.mark.parametrize("cut", [-13, -4, -1, 0, 1, 4, 8])  # the opening ends around the phrase
def test_vectors_hold_every_word_no_markup_and_true_positions(client, monkeypatch, cut):
    # An alt text with a raw ">" and a backslash before its closing quote,
    # a link, entities: none of it may reach the index as words.
    body = (
        '<p><img src="https://example.org/pic.jpg" alt="dawn > dusk C:\\"> '
        + "Harbour keepers&rsquo; almanac. " * 12
        + 'The <a href="https://example.org/tide">mayor of Lisbon</a> spoke.</p>'
    )
    article = make_article(title="Tides", body=body)
    text = re.sub(f"{search.TAG_PATTERN}|{search.ENTITY_PATTERN}", " ", article.body)
    monkeypatch.setattr(search, "LEDE_CHARS", text.index("Lisbon") + cut)
    search.refresh_search_vectors([article.pk])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tsvector_to_array(search_vector), tsvector_to_array(search_rank_vector)"
            " FROM articles_article WHERE id = %s",
            [article.pk],
        )
        full, rank = map(set, cursor.fetchone())

    markup = {"img", "src", "alt", "href", "example.org", "dawn", "dusk", "c", "rsquo"}
    assert {"harbour", "keeper", "almanac", "mayor", "lisbon", "spoke"} <= full
    assert not markup & full and not markup & rank
    assert "harbour" in rank and ("lisbon" in rank) == (cut > 6)
    # Positions are the text's own, wherever the opening ends.
    assert results(client, q='"mayor of Lisbon"') == ["Tides"]
    assert results(client, q='"mayor Lisbon"') == []


@pytest.mark.parametrize("query", ["ferry", "ferries", '"night ferries"'])
def test_snippet_finds_a_match_deep_in_a_long_body(client, query):
    filler = "<p>" + "Officials met again to discuss the budget. " * 150 + "</p>"
    make_article(title="Long read", body=filler + "<p>The night ferries stopped.</p>" + filler)
    response = client.get(URL, {"q": query})
    (article,) = response.context["page_obj"]
    assert "ferries</mark>" in article.snippet
    assert "stopped" in article.snippet


def test_snippet_anchor_is_a_prefix_of_the_longest_word():
    assert search.snippet_anchor('"night ferries" -budget or x') == "ferri"
    assert search.snippet_anchor("harbour ferries") == "harbo"
    assert search.snippet_anchor("Ferry") == "ferr"
    assert search.snippet_anchor("-budget") == ""


@postgresql_only
def test_excluded_words_and_partial_matches_keep_the_ranking(client, now):
    # ts_rank scores an AND query by the distances between its terms: without
    # rank_text(), these would all score 0 and come newest first.
    deep = "<p>" + "Officials met again to discuss the budget. " * 40 + "</p>"
    make_article(title="Harbour fees rise", body="<p>The ferry operators object.</p>")
    make_article(title="Night ferries return", published_at=now - timedelta(days=2))
    make_article(
        title="Budget day", body=deep + "<p>A ferry.</p>", published_at=now - timedelta(days=3)
    )
    assert results(client, q="ferry -draft") == [
        "Night ferries return",
        "Harbour fees rise",
        "Budget day",
    ]
    make_article(title="Port news", body=deep + "<p>Ferry dredging.</p>", published_at=now)
    make_article(
        title="Ferry timetable",
        body=deep + "<p>Dredging.</p>",
        published_at=now - timedelta(days=5),
    )
    make_article(
        title="Ferry fares", dek="Dredging the channel", published_at=now - timedelta(days=9)
    )
    assert results(client, q="ferry dredging") == ["Ferry fares", "Ferry timetable", "Port news"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("ferry -draft", "ferry"),
        ('"night ferry" fares -budget', '"night ferry" or fares'),
        ("ferry or flood barrier", "ferry or flood or barrier"),
        ("-budget", ""),
    ],
)
def test_rank_text_looks_for_every_wanted_term(q, expected):
    assert search.rank_text(q) == expected


def test_sort_by_date(client, now):
    make_article(title="Older mangrove story", published_at=now - timedelta(days=3))
    make_article(title="Mangrove", published_at=now - timedelta(days=5))
    make_article(title="Newest mangrove story", body="<p>mangrove</p>", published_at=now)
    assert results(client, q="mangrove", sort="date") == [
        "Newest mangrove story",
        "Older mangrove story",
        "Mangrove",
    ]


def test_filters_by_section_and_author(client):
    politics, economy = make_section(slug="politics"), make_section(slug="economy")
    writer, other = make_author(slug="writer"), make_author(slug="other")
    make_article(title="Tariff politics", section=politics, authors=[writer])
    make_article(title="Tariff economy", section=economy, authors=[writer, other])
    make_article(title="Tariff other", section=economy, authors=[other])
    assert results(client, q="tariff", section="politics") == ["Tariff politics"]
    assert sorted(results(client, q="tariff", author="writer")) == [
        "Tariff economy",
        "Tariff politics",
    ]
    assert results(client, q="tariff", section="economy", author="writer") == ["Tariff economy"]
    assert results(client, q="tariff", section="no-such-section") == []
    response = client.get(URL, {"q": "tariff", "author": "writer"})
    assert response.context["author_filter"] == writer
    assert b'<option value="politics">' in response.content


def test_an_author_with_two_roles_on_one_article_finds_it_once(client):
    writer = make_author(slug="writer")
    article = make_article(title="Ferry timetable", authors=[writer])
    Byline.objects.create(article=article, author=writer, role=Byline.Role.PHOTOS, position=1)
    assert results(client, q="ferry", author="writer") == ["Ferry timetable"]


def test_snippet_highlights_matches_and_escapes_the_rest(client):
    make_article(
        title="Script",
        body="<p>Readers wrote &lt;script&gt;alert(1)&lt;/script&gt; about the ferry "
        "&amp; the \x02harbour\x03 in the comments.</p>",
    )
    response = client.get(URL, {"q": "ferry"})
    (article,) = response.context["page_obj"]
    assert "<mark>ferry</mark>" in article.snippet
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in article.snippet
    assert "<script>" not in article.snippet
    assert article.snippet.count("<mark>") == article.snippet.count("</mark>") == 1
    assert "<mark>ferry</mark>" in response.content.decode()
    assert "<script>alert" not in response.content.decode()


def test_snippet_shows_escaped_markup_as_the_article_does(client):
    # The article shows readers the characters "&lt;b&gt;" (its HTML escapes
    # the ampersands); the snippet must show the same, not "<b>" or a bold tag.
    make_article(title="Markup guide", body="<p>To show bold, write &amp;lt;b&amp;gt; first.</p>")
    (article,) = client.get(URL, {"q": "bold"}).context["page_obj"]
    assert "write &amp;lt;b&amp;gt; first" in article.snippet


def test_query_is_escaped_in_the_page(client):
    make_article(title="Plain")
    response = client.get(URL, {"q": '<img src=x onerror="alert(1)">'})
    assert response.status_code == 200
    assert b"<img src=x" not in response.content
    assert b"&lt;img src=x" in response.content


@pytest.mark.parametrize(
    "q",
    [
        " ",
        '"',
        '""',
        '" "',
        "-",
        "or",
        "-ferry",
        "ferry or",
        "'; DROP TABLE articles_article; --",
        "1' OR '1'='1",
        "%",
        "_",
        "\\",
        "*",
        "ferry*",
        "title:ferry",
        "NEAR(ferry harbour)",
        "ferry AND",
        "(ferry",
        "ferry\x00harbour",
        "\x00",
        "\x02ferry\x03",
        "\r\n\t",
        "ñandú Zürich 東京 Ελλάδα ферри 😀",
        "\ufeff\u200bferry",
        "x" * 5000,
        "ferry " * 300,
        '"ferry harbour',
        "&amp; <b>ferry</b>",
    ],
)
def test_odd_queries_give_a_normal_page(client, q):
    make_article(title="Ferry harbour", body="<p>The ferry leaves the harbour.</p>")
    response = client.get(URL, {"q": q})
    assert response.status_code == 200
    assert len(response.context["params"].q) <= search.MAX_QUERY_LENGTH
    assert "\x00" not in response.context["params"].q


@pytest.mark.parametrize("page", ["abc", "2", "999", "0", "-1", "1.5", "\x00", "9" * 30])
def test_a_page_that_does_not_exist_is_a_404(client, page):
    make_article(title="Ferry harbour")
    assert client.get(URL, {"q": "ferry", "page": page}).status_code == 404
    assert client.get(URL, {"q": "ferry", "page": "1"}).status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"q": "ferry", "section": "\x00"},
        {"q": "ferry", "author": "a\x00b"},
        {"q": "ferry", "section": "x" * 1000, "author": "ü" * 300},
        {"q": "ferry", "sort": "'; DROP TABLE x"},
        {"q": ["ferry", "harbour"]},
    ],
)
def test_odd_parameters_give_a_normal_page(client, params):
    make_article(title="Ferry harbour")
    assert client.get(URL, params).status_code == 200


def test_paginated_by_twenty_keeping_the_query(client, django_assert_max_num_queries, settings):
    settings.CONTENT_VERSION_CHECK_SECONDS = 60  # read once, not again while this runs
    section = make_section()
    authors = [make_author(), make_author()]
    for n in range(25):
        make_article(title=f"Typhoon report {n}", section=section, authors=authors)
    # The ranked page with its total, its rows with their snippets, bylines and the
    # section filter's list; on PostgreSQL, a transaction around the first to set a
    # planner option (3 statements); base.html's navigation and sidebar: 3, cold.
    budget = 4 + (3 if connection.vendor == "postgresql" else 1)
    with django_assert_max_num_queries(budget + 3):
        response = client.get(URL, {"q": "typhoon", "sort": "date", "section": section.slug})
    page_obj = response.context["page_obj"]
    assert page_obj.paginator.count == 25
    assert len(page_obj) == 20
    content = response.content.decode()
    assert f'href="?q=typhoon&amp;sort=date&amp;section={section.slug}&amp;page=2"' in content
    with django_assert_max_num_queries(budget):
        response = client.get(URL, {"q": "typhoon", "page": 2})
    assert len(response.context["page_obj"]) == 5


def test_index_follows_edits_bylines_and_author_renames(client):
    article = make_article(title="Quiet week")
    assert results(client, q="eruption") == []
    article.title = "Eruption week"
    article.save()
    assert results(client, q="eruption") == ["Eruption week"]

    author = make_author(name="Ngaio Whitcombe")
    byline = Byline.objects.create(article=article, author=author)
    assert results(client, q="whitcombe") == ["Eruption week"]
    author.name = "Ngaio Pohatu"
    author.save()
    assert results(client, q="whitcombe") == []
    assert results(client, q="pohatu") == ["Eruption week"]
    byline.delete()
    assert results(client, q="pohatu") == []


def test_save_with_update_fields_outside_the_text_keeps_the_index(client):
    article = make_article(title="Volcano")
    article.is_feature = True
    article.save(update_fields=["is_feature"])
    assert results(client, q="volcano") == ["Volcano"]


def test_refresh_search_vectors_indexes_bulk_writes(client):
    section = make_section()
    author = make_author(name="Bulk Writer")
    articles = Article.objects.bulk_create(
        Article(
            section=section,
            title=f"Imported cyclone {n}",
            slug=f"imported-{n}",
            body="<p>From the archive.</p>",
            status=Article.Status.PUBLISHED,
            published_at=timezone.now() - timedelta(days=n + 1),
        )
        for n in range(3)
    )
    Byline.objects.bulk_create(Byline(article=article, author=author) for article in articles)
    assert results(client, q="cyclone") == []
    assert search.refresh_search_vectors([article.pk for article in articles]) == 3
    assert len(results(client, q="cyclone")) == 3
    assert len(results(client, q="bulk writer")) == 3
    Article.objects.filter(pk=articles[0].pk).update(title="Renamed")
    search.refresh_search_vectors(Article.objects.filter(pk=articles[0].pk))
    assert len(results(client, q="cyclone")) == 2


def test_update_search_index_command_reindexes_everything(client):
    make_article(title="Monsoon")
    make_article(title="Monsoon again")
    Article.objects.update(title="Drought")
    assert results(client, q="drought") == []
    out = StringIO()
    call_command("update_search_index", "--batch-size", "1", verbosity=2, stdout=out)
    assert results(client, q="drought") == ["Drought", "Drought"]
    assert results(client, q="monsoon") == []
    assert "1 articles indexed" in out.getvalue()
    assert "Indexed 2 articles" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("update_search_index", "--batch-size", "0")


# Websearch syntax: PostgreSQL's websearch_to_tsquery, translated for FTS5 on SQLite.


def test_quoted_phrase(client):
    make_article(title="Night ferry cancelled")
    make_article(title="Ferry at night", body="<p>The night was long.</p>")
    assert results(client, q='"night ferry"') == ["Night ferry cancelled"]
    assert sorted(results(client, q="night ferry")) == ["Ferry at night", "Night ferry cancelled"]


def test_minus_excludes_a_word(client):
    make_article(title="Rice prices rise")
    make_article(title="Rice harvest", dek="Prices are expected to fall.")
    make_article(title="Rice exports")
    assert sorted(results(client, q="rice -prices")) == ["Rice exports"]
    assert results(client, q='rice -"harvest" -exports') == ["Rice prices rise"]


def test_or_matches_either_word(client):
    make_article(title="Typhoon shelters")
    make_article(title="Flood barrier")
    make_article(title="Budget")
    assert sorted(results(client, q="typhoon or flood")) == ["Flood barrier", "Typhoon shelters"]
    assert sorted(results(client, q="typhoon OR flood")) == ["Flood barrier", "Typhoon shelters"]


def test_all_words_must_match(client):
    make_article(title="Ferry fares")
    make_article(title="Ferry timetable")
    assert results(client, q="ferry fares") == ["Ferry fares"]


def test_stemming_finds_other_forms_of_a_word(client):
    make_article(title="Ferries return to the northern route")
    assert results(client, q="ferry") == ["Ferries return to the northern route"]


@postgresql_only
def test_postgresql_index_is_weighted_and_uses_the_configured_language(settings):
    article = make_article(
        title="Harbour", dek="Dredging", body="<p>Channel</p>", authors=[make_author(name="Ana")]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT search_vector::text FROM articles_article WHERE id = %s", [article.pk]
        )
        (vector,) = cursor.fetchone()
    assert vector == "'ana':4 'channel':3C 'dredg':2B 'harbour':1A"
    settings.NEWSROOM_SEARCH_CONFIG = "simple"
    article.save()
    assert Article.objects.filter(
        pk=article.pk, search_vector=search.search_query("dredging")
    ).exists()


@postgresql_only
def test_postgresql_search_uses_the_gin_index():
    make_article(title="Harbour")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    matches = Article.objects.filter(search_vector=search.search_query("harbour"))
    assert "article_search_vector_gin" in matches.explain()


@sqlite_only
def test_sqlite_folds_accents(client):
    make_article(title="Café culture in Zürich")
    assert results(client, q="cafe zurich") == ["Café culture in Zürich"]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("ferry", '(("ferry"))'),
        ("night ferry", '(("night" AND "ferry"))'),
        ('"night ferry" fares', '(("night ferry" AND "fares"))'),
        ("rice -prices", '(("rice") NOT ("prices"))'),
        ('rice -"high prices"', '(("rice") NOT ("high prices"))'),
        ("typhoon or flood barrier", '(("typhoon")) OR (("flood" AND "barrier"))'),
        ("or typhoon or", '(("typhoon"))'),
        ("-prices", ""),
        ('"', ""),
        ("NEAR(a b)", '(("NEAR(a" AND "b)"))'),
        ("title:x", '(("title:x"))'),
        ('a"b', '(("a""b"))'),
        ("- * ( )", ""),
    ],
)
def test_fts5_query_quotes_every_term(q, expected):
    assert search.fts5_query(q) == expected


def test_clean_caps_length_and_drops_control_characters():
    assert search.clean("  a\x00b\tc\n\x7f ") == "a b c"
    assert len(search.clean("é" * 1000)) == search.MAX_QUERY_LENGTH


def test_a_search_with_no_results_says_so_and_suggests_what_to_try(client):
    section = make_section(name="Economy", slug="economy")
    make_article(section=section, title="Ferry strike ends")
    response = client.get("/search/", {"q": "volcano"})
    content = response.content.decode()
    assert "Nothing matched “volcano”." in content
    assert "Try fewer or more general words" in content
    narrowed = client.get("/search/", {"q": "volcano", "section": "economy"}).content.decode()
    assert "with these filters" in narrowed and "all sections and authors" in narrowed
