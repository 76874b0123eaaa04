"""Time the reader pages in-process and count their queries, cold and warm.

    manage.py generate_articles --articles 100000 --paths-file var/bench_paths.txt
    export SECRET_KEY=$(python3 -c "import secrets; print(secrets.token_urlsafe(50))")
    DEBUG=0 SECURE_SSL_REDIRECT=0 manage.py collectstatic --noinput
    DEBUG=0 SECURE_SSL_REDIRECT=0 python bench/reader/pages.py var/bench_paths.txt

Renders through Django's test client, without a web server or a page cache:
the cost of one uncached page. "Cold" empties the caches first, as the first
request after a content change finds them (navigation, sidebar and every
fragment are queried and rendered); "warm" is a request after that. Times are
medians: warm of 20 requests, cold of 5.
"""

import os
import statistics
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ["PAGE_CACHE_SECONDS"] = "0"  # the cost of rendering, not of the page cache
django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from reader.cache import forget_content_state  # noqa: E402
from reader.fragments import rendered  # noqa: E402

REPEAT = 20
COLD_REPEAT = 5


def forget_everything():
    cache.clear()
    rendered.clear()
    forget_content_state()


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def count_queries(client, path):
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        response = client.get(path, HTTP_HOST="localhost")
    return response, counter.count


def timed(client, path, repeat, before=lambda: None):
    times = []
    for _ in range(repeat):
        before()
        started = time.perf_counter()
        client.get(path, HTTP_HOST="localhost")
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def measure(client, path):
    forget_everything()
    response, cold = count_queries(client, path)
    _, warm = count_queries(client, path)
    warm_ms = timed(client, path, REPEAT)
    cold_ms = timed(client, path, COLD_REPEAT, before=forget_everything)
    return response.status_code, cold, warm, cold_ms, warm_ms


def main(paths_file):
    client = Client()
    header = ("page", "status", "queries cold", "warm", "cold ms", "warm ms")
    sys.stdout.write("{:14} {:>6} {:>12} {:>5} {:>8} {:>8}\n".format(*header))
    for line in Path(paths_file).read_text().splitlines():
        name, path = line.split("\t")
        status, cold, warm, cold_ms, warm_ms = measure(client, path)
        sys.stdout.write(
            f"{name:14} {status:>6} {cold:>12} {warm:>5} {cold_ms:>8.1f} {warm_ms:>8.1f}\n"
        )


if __name__ == "__main__":
    main(sys.argv[1])
