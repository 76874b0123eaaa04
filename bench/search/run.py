"""Search latency on a 100,000-article archive in PostgreSQL.

    .venv/bin/python bench/search/run.py [--articles 100000] [--repeat 15] [--write-docs]

Uses its own database (DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/newsroom_searchbench), creating it if
needed. When it holds fewer articles than asked, `generate_articles` tops it
up and the new rows are indexed with search.engine.refresh_search_vectors(),
as an importer would. Then every query below is fetched through Django's test
client (URL routing, the view, the search module, the template: everything
but the network), once to warm up and --repeat times timed. Prints p50/p99
overall and per query; --write-docs puts the table in docs/benchmarks.md.
"""

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/newsroom_searchbench"
DOCS = ROOT / "docs" / "benchmarks.md"
START_MARK, END_MARK = "<!-- search-benchmark:start -->", "<!-- search-benchmark:end -->"

# What readers type into a news site's search box, over the vocabulary of
# articles/generate.py (its titles name subjects, actions and objects; its body
# text is drawn from ~130 common words, so each of those is in every article).
QUERIES = [
    ("topic word (title vocabulary)", {"q": "mangrove"}),
    ("two topic words", {"q": "seawall contract"}),
    ("institution", {"q": "election commission"}),
    ("quoted phrase", {"q": '"night ferry routes"'}),
    ("phrase + exclusion", {"q": '"fishing quota" -rejects'}),
    ("or", {"q": "solar or subsidy"}),
    ("three words", {"q": "coast guard typhoon shelter"}),
    ("author name", {"q": "priya kaur"}),
    ("topic, section filter", {"q": "ferry routes", "section": "politics"}),
    ("topic, sorted by date", {"q": "rent ceiling", "sort": "date"}),
    ("topic, page 2", {"q": "mangrove", "page": "2"}),
    ("topic, page 10", {"q": "visa scheme", "page": "10"}),
    ("no match", {"q": "volcano eruption"}),
    ("misspelt", {"q": "mangorve"}),
    ("common word (every article)", {"q": "government"}),
    ("common word, sorted by date", {"q": "harbour", "sort": "date"}),
    ("common word, section filter", {"q": "budget", "section": "sport"}),
]


def say(line=""):
    sys.stdout.write(line + "\n")


def ensure_database(url):
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            say(f"Created database {name}.")


def setup(url):
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("MEDIA_ROOT", str(ROOT / "var" / "searchbench" / "media"))
    import django

    django.setup()


def fill(count):
    from django.core.management import call_command

    from articles.models import Article
    from search.engine import refresh_search_vectors

    call_command("migrate", verbosity=0)
    missing = count - Article.objects.count()
    if missing > 0:
        say(f"Generating {missing} articles…")
        call_command("generate_articles", articles=missing, verbosity=1)
    pending = list(
        Article.objects.filter(search_vector__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    indexing = None
    if pending:
        say(f"Indexing {len(pending)} articles…")
        started = time.monotonic()
        for start in range(0, len(pending), 2000):
            refresh_search_vectors(pending[start : start + 2000])
        indexing = (len(pending), time.monotonic() - started)
        say(f"Indexed in {indexing[1]:.1f}s ({len(pending) / indexing[1]:.0f} articles/s).")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE articles_article")
        cursor.execute("VACUUM ANALYZE articles_byline")
    return Article.objects.count(), indexing


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure(repeat):
    from django.http import QueryDict
    from django.test import Client

    from search.engine import SearchParams, search_articles

    client = Client()
    rows, everything = [], []
    for label, params in QUERIES:
        response = client.get("/search/", params)  # warm-up; also checks the page works
        assert response.status_code == 200, (label, response.status_code)
        query = QueryDict(mutable=True)
        query.update(params)
        matches = search_articles(SearchParams.from_query_dict(query)).count()
        timings = []
        for _ in range(repeat):
            started = time.perf_counter()
            client.get("/search/", params)
            timings.append((time.perf_counter() - started) * 1000)
        everything += timings
        rows.append((label, params, matches, statistics.median(timings), max(timings)))
    return rows, everything


XML_URLS = [
    "/sitemap.xml",
    "/sitemap-articles.xml",
    "/sitemap-articles.xml?p=20",
    "/sitemap-authors.xml",
    "/news-sitemap.xml",
    "/feeds/rss/",
    "/feeds/atom/",
    "/feeds/sections/news/rss/",
]


def measure_xml():
    """Feeds and sitemaps: built (empty cache) and served from the cache."""
    from django.core.cache import cache
    from django.test import Client

    client = Client()
    rows = []
    for url in XML_URLS:
        assert client.get(url).status_code == 200, url
        built, served = [], []
        for _ in range(3):
            cache.clear()
            started = time.perf_counter()
            response = client.get(url)
            built.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            client.get(url)
            served.append((time.perf_counter() - started) * 1000)
        rows.append((url, len(response.content), min(built), min(served)))
    return rows


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0].split()[0]
    return f"{os.cpu_count()} CPUs ({cpu}), PostgreSQL {pg}, Python {platform.python_version()}"


def report(articles, indexing, rows, everything, repeat, command, load, xml_rows):
    def query_text(params):
        extra = ", ".join(f"{k}={v}" for k, v in params.items() if k != "q")
        return f"`{params['q']}`" + (f" ({extra})" if extra else "")

    lines = [
        START_MARK,
        f"Measured {time.strftime('%Y-%m-%d')} on {machine()}: {articles:,} published "
        f"articles from `generate_articles`, each query fetched {repeat} times through "
        "Django's test client (routing, view, search, snippets, template) after one warm-up. "
        f"Load average before and after: {load[0]:.1f} / {load[1]:.1f}.",
        "",
        "```sh",
        command,
        "```",
        "",
        f"**All {len(everything)} requests: p50 {percentile(everything, 0.5):.1f} ms, "
        f"p99 {percentile(everything, 0.99):.1f} ms.**",
        "",
        "| Query | Matches | p50 ms | max ms |",
        "|---|---:|---:|---:|",
    ]
    for label, params, matches, p50, worst in rows:
        lines.append(f"| {label}: {query_text(params)} | {matches:,} | {p50:.1f} | {worst:.1f} |")
    lines += [
        "",
        "Feeds and sitemaps (best of 3), built on an empty cache and then served from it:",
        "",
        "| URL | Size | Built ms | Cached ms |",
        "|---|---:|---:|---:|",
    ]
    for url, size, built, served in xml_rows:
        lines.append(f"| `{url}` | {size / 1024:,.0f} KB | {built:.0f} | {served:.1f} |")
    if indexing:
        count, seconds = indexing
        lines += [
            "",
            f"Indexing (`refresh_search_vectors`, batches of 2,000): {count:,} articles in "
            f"{seconds:.0f} s ({count / seconds:,.0f} articles/s).",
        ]
    lines.append(END_MARK)
    return "\n".join(lines)


def write_docs(block):
    text = DOCS.read_text() if DOCS.exists() else "# Benchmarks\n"
    if START_MARK in text:
        before, rest = text.split(START_MARK, 1)
        after = rest.split(END_MARK, 1)[1]
        text = before + block + after
    else:
        text = text.rstrip("\n") + "\n\n## Search\n\n" + block + "\n"
    DOCS.write_text(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("SEARCH_BENCH_DATABASE_URL",
                                                                 DEFAULT_DATABASE_URL))  # fmt: skip
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--write-docs", action="store_true", help="Update docs/benchmarks.md.")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        parser.error("the search benchmark needs PostgreSQL")
    ensure_database(args.database_url)
    setup(args.database_url)
    articles, indexing = fill(args.articles)
    before = os.getloadavg()[0]
    rows, everything = measure(args.repeat)
    load = (before, os.getloadavg()[0])
    xml_rows = measure_xml()
    command = " ".join(["python", "bench/search/run.py", *sys.argv[1:]]).replace(
        "python bench", ".venv/bin/python bench"
    )
    block = report(articles, indexing, rows, everything, args.repeat, command, load, xml_rows)
    say(block)
    if args.write_docs:
        write_docs(block)
        say(f"Written to {DOCS.relative_to(ROOT)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
