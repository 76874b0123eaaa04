"""Full-text search of published articles, on PostgreSQL or SQLite.

PostgreSQL: `Article.search_vector` holds title (weight A), dek (B), body text (C)
and author names (D) as a tsvector with a GIN index; queries use websearch
syntax, `ts_rank` and `ts_headline`, in the configuration `NEWSROOM_SEARCH_CONFIG`.

SQLite: an FTS5 table, `articles_search`, holds the same four columns (Porter
stemming, accents folded); the same syntax is translated to an FTS5 query,
ranked with bm25 and highlighted with snippet().

Either index is brought up to date by `refresh_search_vectors(article_ids)`.
Article, Byline and Author saves call it through this app's receivers
(search/receivers.py); code that writes with bulk_create() or update()
(importers) calls it after its writes.
"""

import html
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.core.exceptions import EmptyResultSet
from django.core.paginator import EmptyPage, Page, Paginator
from django.db import connection, transaction
from django.db.models import (
    Case,
    Exists,
    F,
    Func,
    OuterRef,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Greatest, Lower, StrIndex, Substr
from django.db.models.lookups import GreaterThan
from django.utils.html import escape
from django.utils.safestring import mark_safe

from articles.models import Article, Author, Byline

MAX_QUERY_LENGTH = 200
# Words and phrases a query may look for (or exclude).
MAX_TERMS = 32
PER_PAGE = 20
SORTS = ("relevance", "date")
FTS_TABLE = "articles_search"
# ts_rank weights for D, C, B, A: a title hit counts ten times a byline hit.
RANK_WEIGHTS = [0.1, 0.2, 0.4, 1.0]
# The same proportions for FTS5's bm25(), one per column: title, dek, body, authors.
BM25_WEIGHTS = "10.0, 4.0, 2.0, 1.0"
# Highlight markers. Both are control characters, removed from the text before
# highlighting, so every one in a snippet is ours and nothing else becomes markup.
START, STOP = "\x02", "\x03"
# Stored bodies are sanitized: "<" and ">" inside attribute values are escaped.
TAG_PATTERN = "<[^>]*>"
ENTITY_PATTERN = "&[#a-zA-Z0-9]+;"
SNIPPET_WORDS = 30
# How much of the body's opening counts for ranking (with title, dek and
# bylines), in characters of its text. The ranking vector stays small
# (about 900 bytes, stored inline), which is what keeps ranking fast.
LEDE_CHARS = 600
SNIPPET_SOURCE_CHARS = 1000
SNIPPET_LEAD_CHARS = 250


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
    """Published articles matching `params`, in result order (best first, or
    newest first), annotated with `rank` when ordered by relevance."""
    articles = Article.objects.published()
    if not parse_websearch(params.q):  # nothing to look for: "", "- - -", "-tax"
        return articles.annotate(rank=Value(0.0)).none()
    if params.section:
        articles = articles.filter(section__slug=params.section)
    if params.author:
        articles = articles.filter(
            Exists(Byline.objects.filter(article=OuterRef("pk"), author__slug=params.author))
        )
    if _postgresql():
        return _match_postgresql(articles, params.q, params.sort)
    return _match_sqlite(articles, params.q, params.sort)


def search_page(params, number: int):
    """Page `number` of the results: articles ready for a listing, each with its
    snippet. Raises InvalidPage for pages that do not exist.
    """
    ids, total = _page_ids(search_articles(params), params.sort, number)
    if not ids and number > 1:
        raise EmptyPage("That page contains no results.")
    articles = _load_with_snippets(ids, params.q) if ids else []
    paginator = Paginator(articles, PER_PAGE)
    paginator.count = total  # a cached property: the total is already known
    return Page(articles, number, paginator)


def _load_with_snippets(ids, q):
    """The articles `ids`, in that order, ready for a listing, with their `snippet`."""
    # Only what a card shows: the snippet is made in SQL, the body need not travel.
    rows = Article.objects.published().filter(pk__in=ids).for_cards(bylines=False)
    if _postgresql():
        articles = rows.annotate(headline=_headline(q)).in_bulk()
        headlines = {pk: article.headline for pk, article in articles.items()}
    else:
        articles = rows.in_bulk()
        headlines = _snippets_sqlite(list(articles), q) if articles else {}
    articles = [articles[pk] for pk in ids if pk in articles]
    for article in articles:
        article.snippet = highlight(headlines.get(article.pk) or "")
    return articles


def _page_ids(matches, sort, number):
    """The pks of page `number` of `matches`, and how many there are, in one query.

    Ranking and counting touch every match, so they work on narrow rows (pk,
    date, rank) in a subquery, which PostgreSQL is told not to flatten (OFFSET
    0): flattened, the window function would hold each match's whole row.
    Only the page's rows are loaded afterwards.

    PostgreSQL is also kept from scanning the whole table when a word is in
    most articles: it prices `@@` as cheap, but on a table scan every row's
    vector must be decompressed to test it (0.7 s on 100,000 articles), while
    the GIN index answers without reading them.
    """
    columns = ["pk", "published_at"] + (["rank"] if sort == "relevance" else [])
    try:
        sql, params = matches.order_by().values_list(*columns).query.sql_with_params()
    except EmptyResultSet:
        return [], 0
    order = '"published_at" DESC, "pk" DESC'
    if sort == "relevance":
        order = '"rank" DESC NULLS LAST, ' + order
    fence = " OFFSET 0" if _postgresql() else ""
    sql = (
        f'SELECT "pk", COUNT(*) OVER () FROM ({sql}{fence}) AS "matches" '
        f"ORDER BY {order} LIMIT %s OFFSET %s"
    )
    params = [*params, PER_PAGE, (number - 1) * PER_PAGE]
    if _postgresql():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(sql, params)
            rows = cursor.fetchall()
    else:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
    return [pk for pk, _ in rows], (rows[0][1] if rows else 0)


def highlight(text):
    """Escape a headline, cut it to length and turn our markers, and only them,
    into <mark>."""
    words = html.unescape(text).split()
    text = " ".join(words[: SNIPPET_WORDS * 2]) + (" …" if len(words) > SNIPPET_WORDS * 2 else "")
    if text.count(START) > text.count(STOP):  # the cut fell inside a highlight
        text += STOP
    return mark_safe(escape(text).replace(START, "<mark>").replace(STOP, "</mark>"))


def refresh_search_vectors(article_ids):
    """Re-index these articles (a list of pks or an Article queryset) for search.

    Call it after writes that bypass Article.save(): bulk_create(), update(),
    bylines added in bulk, authors renamed with update().
    """
    if isinstance(article_ids, QuerySet):
        article_ids = article_ids.values_list("pk", flat=True)
    ids = list(article_ids)
    if _postgresql():
        return _refresh_postgresql(ids)
    for start in range(0, len(ids), 500):
        _refresh_sqlite(ids[start : start + 500])
    return len(ids)


def unindexed_article_ids():
    """Articles written but never indexed (an import killed between its write
    and the index refresh)."""
    if _postgresql():
        return list(Article.objects.filter(search_vector__isnull=True).values_list("pk", flat=True))
    table = connection.ops.quote_name(FTS_TABLE)
    indexed = RawSQL(f"SELECT rowid FROM {table}", [])
    return list(Article.objects.exclude(pk__in=indexed).values_list("pk", flat=True))


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


def _text_of(markup, start, length):
    """SQL for the text of a passage of HTML: tags, whole or cut by the
    passage's ends, become spaces, and our markers go. Entities stay:
    highlight() decodes them (decoded, "&lt;b&gt;" would look like a tag to
    ts_headline, which drops tags)."""
    text = _regexp_replace(Substr(markup, start, length), f"{TAG_PATTERN}|^[^<]*>|<[^>]*$")
    return Func(
        text, Value(START + STOP), Value(""), function="translate", output_field=TextField()
    )


_TERM = re.compile(r'(-?)"([^"]*)"?|(\S+)')


def parse_websearch(q):
    """Websearch syntax ("a phrase", -word, or) as a list of alternatives, each
    a pair (terms that must appear, terms that must not), like PostgreSQL's
    websearch_to_tsquery reads it. Terms without a letter or digit are dropped,
    and so are alternatives with nothing to look for."""
    groups = [([], [])]
    for match in _TERM.finditer(q):
        negative, phrase, word = match.groups()
        if word is not None:
            if word.lower() == "or":
                if groups[-1][0]:
                    groups.append(([], []))
                continue
            negative, phrase = ("-", word[1:]) if word.startswith("-") else ("", word)
        if re.search(r"\w", phrase):
            groups[-1][1 if negative else 0].append(phrase)
    return [(positives, negatives) for positives, negatives in groups if positives]


def rank_text(q):
    """The words and phrases a query looks for, joined with "or", for ranking.

    ts_rank scores an AND query by the distances between its terms, so an
    article whose opening has one of two words, or that lacks a word the query
    excludes, would score 0; OR scores each term found.
    """
    terms = [
        f'"{phrase}"' if len(phrase.split()) > 1 else phrase
        for positives, _ in parse_websearch(q)
        for phrase in positives
    ]
    return " or ".join(terms)


def snippet_anchor(q):
    """A lowercase prefix of the longest word the query looks for, or ""."""
    words = [
        word
        for positives, _ in parse_websearch(q)
        for phrase in positives
        for word in re.findall(r"\w+", phrase)
    ]
    if not words:
        return ""
    longest = max(words, key=len).lower()
    return longest[: max(4, len(longest) - 2)]


# Both vectors in one UPDATE. The markup is stripped once and title, dek and
# names parsed once (OFFSET 0 keeps PostgreSQL from inlining a subquery and
# so computing its columns once per use); the body is parsed whole, so word
# positions, which phrase queries need, are exact. Parsing is most of the
# cost (about 1 ms for 8 KB). Tags are stripped with a regular expression
# rather than left to PostgreSQL's parser, which a backslash before a closing
# quote in an attribute throws off (it then indexes the tag's words).
_REFRESH_SQL = """
UPDATE {article} AS a
SET search_vector = v.head || v.text || v.names,
    search_rank_vector = v.head || v.lede || v.names
FROM (
    SELECT id,
        setweight(to_tsvector(%(config)s::regconfig, title), 'A')
            || setweight(to_tsvector(%(config)s::regconfig, dek), 'B') AS head,
        setweight(to_tsvector(%(config)s::regconfig, text), 'C') AS text,
        setweight(to_tsvector(%(config)s::regconfig,
            regexp_replace(left(text, %(lede_chars)s), '\\S*$', '')), 'C') AS lede,
        setweight(to_tsvector(%(config)s::regconfig, coalesce(names, '')), 'D') AS names
    FROM (
        SELECT art.id, art.title, art.dek,
            regexp_replace(art.body, %(markup)s, ' ', 'g') AS text,
            (
                SELECT string_agg(au.name, ' ' ORDER BY b.position, b.id)
                FROM {byline} b JOIN {author} au ON au.id = b.author_id
                WHERE b.article_id = art.id
            ) AS names
        FROM {article} art
        WHERE art.id = ANY(%(ids)s)
        OFFSET 0
    ) stripped
    OFFSET 0
) v
WHERE a.id = v.id
"""


def _refresh_postgresql(ids):
    sql = _REFRESH_SQL.format(
        **{
            name: connection.ops.quote_name(model._meta.db_table)
            for name, model in (("article", Article), ("byline", Byline), ("author", Author))
        }
    )
    params = {
        "config": _config(),
        "lede_chars": LEDE_CHARS,
        "markup": f"{TAG_PATTERN}|{ENTITY_PATTERN}",
        "ids": ids,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def search_query(q):
    """The tsquery for `q`, from its terms as parse_websearch() reads them: what
    PostgreSQL's own parser is given is plain and short, so no query nests its
    operators deep enough to overflow the tsquery stack (33 hyphens did)."""
    return SearchQuery(websearch_text(q), config=_config(), search_type="websearch")


def websearch_text(q):
    """`q` rewritten in plain websearch syntax, at most MAX_TERMS terms."""
    groups, count = [], 0
    for positives, negatives in parse_websearch(q):
        terms = []
        for phrase, sign in [(p, "") for p in positives] + [(n, "-") for n in negatives]:
            if count >= MAX_TERMS:
                break
            terms.append(f'{sign}"{phrase}"' if len(phrase.split()) > 1 else sign + phrase)
            count += 1
        if terms:
            groups.append(" ".join(terms))
    return " or ".join(groups)


def _match_postgresql(articles, q, sort):
    query = search_query(q)
    articles = articles.filter(search_vector=query)
    if sort == "date":
        return articles.order_by("-published_at", "-pk")
    # The small vector: ranking every match by its full vector would mean
    # decompressing a few kilobytes per match (40 ms for 6,000 matches).
    rank = SearchRank(
        F("search_rank_vector"), search_query(rank_text(q) or q), weights=RANK_WEIGHTS
    )
    return articles.annotate(rank=rank).order_by(
        F("rank").desc(nulls_last=True), "-published_at", "-pk"
    )


def _headline(q):
    """SQL for an article's snippet.

    ts_headline parses and stems every word it is given (about 2 ms for a
    1,000-word article), so it gets a window of the body starting a little
    before the first occurrence of the query's longest word, found with a cheap
    strpos (the stem's prefix also finds "ferries" for "ferry"). When the body
    does not contain it (the match was in the title, dek or bylines), the
    snippet is the body's opening, and ts_headline does not run at all.
    """
    body = F("body")
    opening = _text_of(body, Value(1), SNIPPET_SOURCE_CHARS)
    anchor = snippet_anchor(q)
    if not anchor:
        return opening
    found = StrIndex(Lower(body), Value(anchor))
    window = _text_of(
        body, Greatest(found - Value(SNIPPET_LEAD_CHARS), Value(1)), SNIPPET_SOURCE_CHARS
    )
    headline = SearchHeadline(
        window,
        search_query(q),
        start_sel=START,
        stop_sel=STOP,
        max_words=SNIPPET_WORDS,
        min_words=SNIPPET_WORDS // 2,
        max_fragments=2,
        fragment_delimiter=" … ",
    )
    return Case(
        When(GreaterThan(found, 0), then=headline), default=opening, output_field=TextField()
    )


# SQLite


def fts5_query(q):
    """Translate websearch syntax into an FTS5 query.

    Every term becomes a quoted FTS5 string, so nothing the reader types is read
    as FTS5 syntax. Returns "" when nothing is left to search for.
    """
    expressions = []
    for positives, negatives in parse_websearch(q):
        expression = "(" + " AND ".join(map(_fts5_string, positives)) + ")"
        if negatives:
            expression += " NOT (" + " OR ".join(map(_fts5_string, negatives)) + ")"
        expressions.append("(" + expression + ")")
    return " OR ".join(expressions)


def _fts5_string(phrase):
    return '"' + phrase.replace('"', '""') + '"'


def _match_sqlite(articles, q, sort):
    query = fts5_query(q)
    if not query:
        return articles.annotate(rank=Value(0.0)).none()
    table = connection.ops.quote_name(FTS_TABLE)
    matches = RawSQL(f"SELECT rowid FROM {table} WHERE {table} MATCH %s", [query])
    articles = articles.filter(pk__in=matches)
    if sort == "date":
        return articles.order_by("-published_at", "-pk")
    # bm25() is lower for better matches; negated, higher is better as on PostgreSQL.
    rank = RawSQL(
        f"SELECT -bm25({table}, {BM25_WEIGHTS}) FROM {table} "
        f"WHERE {table} MATCH %s AND rowid = {Article._meta.db_table}.id",
        [query],
    )
    return articles.annotate(rank=rank).order_by(
        F("rank").desc(nulls_last=True), "-published_at", "-pk"
    )


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
        # The FTS5 text is decoded already (plain_text()); highlight() decodes
        # the entities PostgreSQL's headlines keep, so "&" must reach it as "&amp;".
        return {pk: text.replace("&", "&amp;") for pk, text in cursor.fetchall()}


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
