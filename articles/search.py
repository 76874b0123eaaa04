"""Full-text search of published articles, on PostgreSQL or SQLite.

PostgreSQL: `Article.search_vector` holds title (weight A), dek (B), body text (C)
and author names (D) as a tsvector with a GIN index; queries use websearch
syntax, `ts_rank` and `ts_headline`, in the configuration `NEWSROOM_SEARCH_CONFIG`.

SQLite: an FTS5 table, `articles_search`, holds the same four columns (Porter
stemming, accents folded); the same syntax is translated to an FTS5 query,
ranked with bm25 and highlighted with snippet().

Either index is brought up to date by `refresh_search_vectors(article_ids)`.
Article, Byline and Author saves call it; code that writes with bulk_create()
or update() (importers) must call it after its writes.
"""

import html
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Exists, F, Func, OuterRef, QuerySet, Subquery, TextField, Value
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .models import Article, Byline

MAX_QUERY_LENGTH = 200
SORTS = ("relevance", "date")
FTS_TABLE = "articles_search"
# ts_rank weights for D, C, B, A: a title hit counts ten times a byline hit.
RANK_WEIGHTS = [0.1, 0.2, 0.4, 1.0]
# The same proportions for FTS5's bm25(), one per column: title, dek, body, authors.
BM25_WEIGHTS = "10.0, 4.0, 2.0, 1.0"
# Highlight markers. Both are control characters, removed from the text before
# highlighting, so every one in a snippet is ours and nothing else becomes markup.
START, STOP = "\x02", "\x03"
TAG_PATTERN = "<[^>]*>"
ENTITY_PATTERN = "&[#a-zA-Z0-9]+;"
SNIPPET_WORDS = 30


def clean(value, max_length=MAX_QUERY_LENGTH):
    """A request parameter made safe to search with: no control characters
    (PostgreSQL refuses NUL), whitespace collapsed, at most `max_length` long."""
    value = "".join(" " if unicodedata.category(char) in ("Cc", "Cs") else char for char in value)
    return " ".join(value.split())[:max_length].strip()


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    section: str = ""
    author: str = ""
    sort: str = "relevance"

    @classmethod
    def from_query_dict(cls, data):
        sort = data.get("sort", "")
        return cls(
            q=clean(data.get("q", "")),
            section=clean(data.get("section", "")),
            author=clean(data.get("author", "")),
            sort=sort if sort in SORTS else "relevance",
        )


def search_articles(params):
    """Published articles matching `params`, ready for a listing, best first."""
    articles = Article.objects.published()
    if not params.q:
        return articles.none()
    if params.section:
        articles = articles.filter(section__slug=params.section)
    if params.author:
        articles = articles.filter(
            Exists(Byline.objects.filter(article=OuterRef("pk"), author__slug=params.author))
        )
    if _postgresql():
        articles = _match_postgresql(articles, params.q, params.sort)
    else:
        articles = _match_sqlite(articles, params.q, params.sort)
    return articles.with_listing_relations().defer("search_vector")


def add_snippets(articles, q):
    """Give each article of a page a `snippet`: a passage of its body, as safe
    HTML with the matched words in <mark>. Run on one page, never on all matches."""
    articles = list(articles)
    ids = [article.pk for article in articles]
    snippets = (_snippets_postgresql if _postgresql() else _snippets_sqlite)(ids, q) if ids else {}
    for article in articles:
        article.snippet = highlight(snippets.get(article.pk) or "")


def highlight(text):
    """Escape a headline and turn our markers, and only them, into <mark>."""
    text = escape(html.unescape(text))
    return mark_safe(text.replace(START, "<mark>").replace(STOP, "</mark>"))


def refresh_search_vectors(article_ids):
    """Re-index these articles (a list of pks or an Article queryset) for search.

    Call it after writes that bypass Article.save(): bulk_create(), update(),
    bylines added in bulk, authors renamed with update().
    """
    if _postgresql():
        return Article.objects.filter(pk__in=article_ids).update(search_vector=_search_vector())
    if isinstance(article_ids, QuerySet):
        article_ids = article_ids.values_list("pk", flat=True)
    ids = list(article_ids)
    for start in range(0, len(ids), 500):
        _refresh_sqlite(ids[start : start + 500])
    return len(ids)


def rebuild_search_index(batch_size=2000):
    """Re-index every article, in batches; yields the number done so far."""
    ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
    if not _postgresql():
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {FTS_TABLE}")
    for start in range(0, len(ids), batch_size):
        refresh_search_vectors(ids[start : start + batch_size])
        yield min(start + batch_size, len(ids))


def _postgresql():
    return connection.vendor == "postgresql"


# PostgreSQL


def _config():
    return settings.NEWSROOM_SEARCH_CONFIG


def _regexp_replace(expression, pattern, replacement=" "):
    return Func(
        expression, Value(pattern), Value(replacement), Value("g"),
        function="regexp_replace", output_field=TextField(),
    )  # fmt: skip


def _headline_text(field):
    """SQL for the text of an HTML field, for ts_headline: tags to spaces, no markers.

    Entities stay (highlight() decodes them): decoded, "&lt;b&gt;" would look like
    a tag to ts_headline, which drops tags.
    """
    text = _regexp_replace(F(field), TAG_PATTERN)
    return Func(
        text, Value(START + STOP), Value(""), function="translate", output_field=TextField()
    )


def _search_vector():
    config = _config()
    names = (
        Byline.objects.filter(article=OuterRef("pk"))
        .order_by()
        .values("article")
        .annotate(names=StringAgg("author__name", " "))
        .values("names")
    )
    return (
        SearchVector("title", weight="A", config=config)
        + SearchVector("dek", weight="B", config=config)
        + SearchVector(
            _regexp_replace(F("body"), f"{TAG_PATTERN}|{ENTITY_PATTERN}"), weight="C", config=config
        )
        + SearchVector(Subquery(names), weight="D", config=config)
    )


def search_query(q):
    return SearchQuery(q, config=_config(), search_type="websearch")


def _match_postgresql(articles, q, sort):
    query = search_query(q)
    articles = articles.filter(search_vector=query)
    if sort == "date":
        return articles.order_by("-published_at", "-pk")
    rank = SearchRank(F("search_vector"), query, weights=RANK_WEIGHTS)
    return articles.annotate(rank=rank).order_by("-rank", "-published_at", "-pk")


def _snippets_postgresql(ids, q):
    headline = SearchHeadline(
        _headline_text("body"),
        search_query(q),
        start_sel=START,
        stop_sel=STOP,
        max_words=SNIPPET_WORDS,
        min_words=SNIPPET_WORDS // 2,
        max_fragments=2,
        fragment_delimiter=" … ",
    )
    rows = Article.objects.filter(pk__in=ids).annotate(snippet=headline)
    return dict(rows.values_list("pk", "snippet"))


# SQLite

_TERM = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def fts5_query(q):
    """Translate websearch syntax ("a phrase", -word, or) into an FTS5 query.

    Every term becomes a quoted FTS5 string, so nothing the reader types is read
    as FTS5 syntax. Returns "" when nothing is left to search for.
    """
    groups = [([], [])]
    for match in _TERM.finditer(q):
        negative, phrase, word = match.groups()
        if word is not None:
            if word.lower() == "or":
                if groups[-1][0]:
                    groups.append(([], []))
                continue
            negative, phrase = ("-", word[1:]) if word.startswith("-") else ("", word)
        if not re.search(r"\w", phrase):
            continue
        term = '"' + phrase.replace('"', '""') + '"'
        groups[-1][1 if negative else 0].append(term)
    expressions = []
    for positives, negatives in groups:
        if not positives:
            continue
        expression = "(" + " AND ".join(positives) + ")"
        if negatives:
            expression += " NOT (" + " OR ".join(negatives) + ")"
        expressions.append("(" + expression + ")")
    return " OR ".join(expressions)


def _match_sqlite(articles, q, sort):
    query = fts5_query(q)
    if not query:
        return articles.none()
    table = connection.ops.quote_name(FTS_TABLE)
    matches = RawSQL(f"SELECT rowid FROM {table} WHERE {table} MATCH %s", [query])
    articles = articles.filter(pk__in=matches)
    if sort == "date":
        return articles.order_by("-published_at", "-pk")
    # bm25() is lower for better matches.
    rank = RawSQL(
        f"SELECT bm25({table}, {BM25_WEIGHTS}) FROM {table} "
        f"WHERE {table} MATCH %s AND rowid = {Article._meta.db_table}.id",
        [query],
    )
    return articles.annotate(rank=rank).order_by("rank", "-published_at", "-pk")


def _snippets_sqlite(ids, q):
    query = fts5_query(q)
    if not query:
        return {}
    table = connection.ops.quote_name(FTS_TABLE)
    placeholders = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT rowid, snippet({table}, 2, %s, %s, ' … ', {SNIPPET_WORDS}) FROM {table} "
            f"WHERE {table} MATCH %s AND rowid IN ({placeholders})",
            [START, STOP, query, *ids],
        )
        return dict(cursor.fetchall())


def plain_text(markup):
    """The text of an HTML fragment, as the PostgreSQL index sees it."""
    text = re.sub(TAG_PATTERN, " ", markup or "")
    return html.unescape(text).replace(START, "").replace(STOP, "")


def _refresh_sqlite(ids):
    names = defaultdict(list)
    bylines = Byline.objects.filter(article__in=ids).order_by("article", "position", "pk")
    for article_id, name in bylines.values_list("article", "author__name"):
        names[article_id].append(name)
    rows = [
        (pk, title, dek, plain_text(body), " ".join(names[pk]))
        for pk, title, dek, body in Article.objects.filter(pk__in=ids).values_list(
            "pk", "title", "dek", "body"
        )
    ]
    table = connection.ops.quote_name(FTS_TABLE)
    placeholders = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE rowid IN ({placeholders})", ids)
        cursor.executemany(
            f"INSERT INTO {table} (rowid, title, dek, body, authors) VALUES (%s, %s, %s, %s, %s)",
            rows,
        )
