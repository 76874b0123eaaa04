"""Time the reader pages in-process and count their queries, cold and warm.

    manage.py generate_articles --articles 100000 --paths-file var/bench_paths.txt
    DEBUG=0 SECRET_KEY=x SECURE_SSL_REDIRECT=0 manage.py collectstatic --noinput
    DEBUG=0 SECRET_KEY=x SECURE_SSL_REDIRECT=0 python bench/reader/pages.py var/bench_paths.txt

Renders through Django's test client, without a web server or a page cache:
the cost of one uncached page. "Cold" empties the cache first (navigation and
sidebar are queried too); timings are medians of warm requests.
"""

import os
import statistics
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

REPEAT = 20


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


def measure(client, path):
    cache.clear()
    response, cold = count_queries(client, path)
    _, warm = count_queries(client, path)
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        client.get(path, HTTP_HOST="localhost")
        times.append(time.perf_counter() - started)
    return response.status_code, cold, warm, statistics.median(times) * 1000


def main(paths_file):
    client = Client()
    sys.stdout.write(f"{'page':14} {'status':>6} {'cold':>5} {'warm':>5} {'median ms':>10}\n")
    for line in Path(paths_file).read_text().splitlines():
        name, path = line.split("\t")
        status, cold, warm, median = measure(client, path)
        sys.stdout.write(f"{name:14} {status:>6} {cold:>5} {warm:>5} {median:>10.1f}\n")


if __name__ == "__main__":
    main(sys.argv[1])
