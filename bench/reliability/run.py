"""Newsroom during breaking news, and when its services fail.

    .venv/bin/python bench/reliability/run.py [--articles 5000] [--duration 20]
                                              [--only load,ceiling,publish,faults]

Everything is started here, on 127.0.0.1 and on ports of its own, and stopped
at the end: a PostgreSQL 15 cluster (initdb/pg_ctl, run as the postgres user,
so that it can be stopped without touching the machine's), a Redis, gunicorn
as `make serve` runs it (2 sync workers, production settings), Varnish with
deploy/varnish/newsroom.vcl in front, and nginx for the static ceiling.

- load: mixed reader traffic (home, sections and their deep pages, articles,
  authors, search, feeds, sitemaps) at 16 and 64 connections, quiet and
  while an editor saves or publishes once a second through the real admin
  views, through gunicorn alone and through Varnish.
- ceiling: Varnish hits against nginx serving the same bytes.
- publish: time from an editor's publish to the section page changing for
  anonymous readers through Varnish.
- faults: Redis killed, PostgreSQL stopped for 10 s, a gunicorn worker
  SIGKILLed, 200 idle connections for 25 s, each under load; responses per
  second and status.

Results go to stdout as Markdown tables (docs/reliability.md has them).
"""

import argparse
import contextlib
import http.cookiejar
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY = ROOT / ".venv" / "bin" / "python"
WORK = Path(tempfile.gettempdir()) / "newsroom-reliability"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
PG_PORT, REDIS_PORT, APP_PORT, VARNISH_PORT, NGINX_PORT = 25432, 26379, 28000, 26081, 28080
DATABASE_URL = f"postgres://postgres@127.0.0.1:{PG_PORT}/newsroom"
EDITOR, PASSWORD = "bench-editor", "bench-editor-password"

ENV = {
    **os.environ,
    "ENV_FILE": os.devnull,
    "DEBUG": "0",
    "SECRET_KEY": "reliability-bench-only-not-a-secret-0123456789abcdef",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "0",
    "SECURE_COOKIES": "0",
    "DATABASE_URL": DATABASE_URL,
    "CACHE_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
    "VARNISH_URLS": f"http://127.0.0.1:{VARNISH_PORT}",
    "STATIC_ROOT": str(WORK / "static"),
    "DATA_DIR": str(WORK / "data"),
}


def log(*args):
    sys.stderr.write(" ".join(map(str, args)) + "\n")
    sys.stderr.flush()


def say(text=""):
    """A line of the report (Markdown, on stdout)."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def wait_for_port(port, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing answers on port {port}")


def manage(*args, **kwargs):
    return subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=ENV, check=True, **kwargs)


def manage_quietly(*args, **kwargs):
    """Before Varnish runs: nothing to purge yet."""
    env = {**ENV, "VARNISH_URLS": ""}
    return subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True, **kwargs)


# -- services -----------------------------------------------------------------------


class Services:
    def __init__(self):
        self.processes = {}

    def pg_ctl(self, *args):
        subprocess.run(
            ["runuser", "-u", "postgres", "--", PG_BIN / "pg_ctl", "-D", WORK / "pg", *args],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def start_pg(self):
        if not (WORK / "pg" / "PG_VERSION").exists():
            (WORK / "pg").mkdir(parents=True)
            shutil.chown(WORK / "pg", "postgres", "postgres")
            subprocess.run(
                ["runuser", "-u", "postgres", "--", PG_BIN / "initdb", "-D", WORK / "pg"]
                + ["-A", "trust", "-U", "postgres"],
                check=True,
                stdout=subprocess.DEVNULL,
            )
        options = f"-p {PG_PORT} -k {WORK / 'pg'} -c listen_addresses=127.0.0.1"
        self.pg_ctl("-o", options, "-l", WORK / "pg" / "log", "-w", "start")

    def stop_pg(self):
        self.pg_ctl("-m", "fast", "-w", "stop")

    def start_redis(self):
        self.processes["redis"] = subprocess.Popen(
            ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        wait_for_port(REDIS_PORT)

    def kill_redis(self):
        self.processes.pop("redis").kill()

    def start_app(self):
        self.processes["app"] = subprocess.Popen(
            [ROOT / ".venv/bin/gunicorn", "newsroom.wsgi", "--bind", f"127.0.0.1:{APP_PORT}"]
            + ["--workers", "2", "--log-level", "warning"],
            cwd=ROOT,
            env=ENV,
        )
        wait_for_port(APP_PORT)

    def app_workers(self):
        master = self.processes["app"].pid
        out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True)
        return [int(pid) for pid in out.stdout.split()]

    def start_varnish(self):
        (WORK / "varnish").mkdir(exist_ok=True)
        os.chmod(WORK, 0o755)
        os.chmod(WORK / "varnish", 0o755)
        vcl = WORK / "varnish" / "newsroom.vcl"
        vcl.write_text(
            (ROOT / "deploy/varnish/newsroom.vcl")
            .read_text()
            .replace('.port = "8000";', f'.port = "{APP_PORT}";')
        )
        vcl.chmod(0o644)
        self.processes["varnish"] = subprocess.Popen(
            ["varnishd", "-F", "-a", f"127.0.0.1:{VARNISH_PORT}", "-f", vcl]
            + ["-n", WORK / "varnish" / "work", "-s", "malloc,256m", "-t", "0"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(VARNISH_PORT)
        time.sleep(5)  # the probe marks the backend healthy

    def start_nginx(self, html):
        conf = WORK / "nginx.conf"
        (WORK / "ceiling.html").write_bytes(html)
        conf.write_text(
            f"""daemon off; worker_processes 2; pid {WORK}/nginx.pid;
error_log {WORK}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{ access_log off; default_type text/html;
  server {{ listen 127.0.0.1:{NGINX_PORT};
    location / {{ alias {WORK}/ceiling.html; }} }} }}
"""
        )
        self.processes["nginx"] = subprocess.Popen(["nginx", "-c", conf])
        wait_for_port(NGINX_PORT)

    def stop(self, name):
        process = self.processes.pop(name, None)
        if process:
            process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(10)
            if process.poll() is None:
                process.kill()

    def stop_all(self):
        for name in list(self.processes):
            self.stop(name)
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop_pg()


# -- data -------------------------------------------------------------------------------


def build_data(articles):
    log(f"== {articles} articles on the benchmark's PostgreSQL")
    subprocess.run(
        [PG_BIN / "psql", "-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres", "-q"]
        + ["-c", "DROP DATABASE IF EXISTS newsroom WITH (FORCE)", "-c", "CREATE DATABASE newsroom"],
        check=True,
    )
    manage_quietly("migrate", "--noinput", "-v", "0")
    manage_quietly("collectstatic", "--noinput", "-v", "0")
    manage_quietly("generate_articles", "--articles", str(articles), stdout=subprocess.DEVNULL)
    setup = f"""
from django.contrib.auth import get_user_model
from articles.models import Article, Author, Byline
get_user_model().objects.create_superuser({EDITOR!r}, password={PASSWORD!r})
author = Author.objects.first()
section = Article.objects.published().first().section
drafts = Article.objects.bulk_create(
    Article(section=section, title=f"Breaking update {{n}}", slug=f"breaking-update-{{n}}",
            dek="As it happens.", body="<p>What we know so far.</p>", status=Article.Status.DRAFT)
    for n in range(400)
)
Byline.objects.bulk_create(Byline(article=draft, author=author) for draft in drafts)
from django.db import connection
connection.cursor().execute("VACUUM ANALYZE")
"""
    manage_quietly("shell", "-v", "0", "-c", setup)


PATHS_SQL = """
from articles.models import Article, Author
from sections.models import Section
import random
rng = random.Random(7)
paths = ["/"] * 20
for section in Section.objects.all():
    n = section.articles.published().count()
    url = section.get_absolute_url()
    paths += [url] * 3 + [f"{url}?page={max(1, n // 40)}"]
    paths.append(f"/feeds/sections/{section.slug}/rss/")
ids = list(Article.objects.published().values_list("pk", flat=True))
picked = Article.objects.published().filter(pk__in=rng.sample(ids, 60))
for article in picked.select_related("section"):
    paths += [article.get_absolute_url()] * 2
for author in Author.objects.all()[:15]:
    paths.append(author.get_absolute_url())
paths += ["/search/?q=election", "/search/?q=trade+talks", "/search/?q=typhoon&sort=date"]
paths += ["/feeds/rss/", "/feeds/atom/", "/sitemap.xml", "/sitemap-articles.xml"]
paths += ["/news-sitemap.xml"]
print("\\n".join(paths))
"""


def reader_paths():
    out = manage("shell", "-v", "0", "-c", PATHS_SQL, capture_output=True, text=True).stdout
    path = WORK / "paths.txt"
    path.write_text(out)
    return path, [line for line in out.splitlines() if line]


# -- the editor -------------------------------------------------------------------------


class Editor:
    """A signed-in editor, over HTTP through the real admin views."""

    FORM = """
import json, os
from django.utils import timezone
from articles.models import Article
out = []
for pk in json.loads(os.environ["ARTICLE_IDS"]):
    a = Article.objects.get(pk=pk)
    bylines = list(a.bylines.all())
    data = {"section": a.section_id, "kicker": a.kicker, "title": a.title, "slug": a.slug,
        "dek": a.dek, "body": a.body, "lead_image_alt": a.lead_image_alt,
        "lead_image_caption": a.lead_image_caption,
        "lead_image_credit": a.lead_image_credit_id or "", "workflow_note": "",
        "loaded_revision": a.revision, "bylines-TOTAL_FORMS": len(bylines),
        "bylines-INITIAL_FORMS": len(bylines), "bylines-MIN_NUM_FORMS": 0,
        "bylines-MAX_NUM_FORMS": 1000}
    if a.published_at:
        local = timezone.localtime(a.published_at)
        data["published_at_0"] = local.strftime("%Y-%m-%d")
        data["published_at_1"] = local.strftime("%H:%M:%S")
    for i, b in enumerate(bylines):
        data.update({f"bylines-{i}-id": b.pk, f"bylines-{i}-article": a.pk,
            f"bylines-{i}-author": b.author_id, f"bylines-{i}-role": b.role,
            f"bylines-{i}-position": b.position})
    out.append({"pk": a.pk, "section": a.section.slug, "status": a.status, "data": data})
print(json.dumps(out))
"""

    def __init__(self, base):
        self.base = base
        self.timings, self.statuses = [], []
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect()
        )
        self.opener.open(f"{base}/admin/login/", timeout=30).read()
        self.post("/admin/login/", {"username": EDITOR, "password": PASSWORD, "next": "/admin/"})
        ids = manage(
            "shell",
            "-v",
            "0",
            "-c",
            "from articles.models import Article; import json;"
            "print(json.dumps([list(Article.objects.published().values_list('pk', flat=True)[:50]),"
            "list(Article.objects.filter(status='draft').values_list('pk', flat=True))]))",
            capture_output=True,
            text=True,
        ).stdout
        published, drafts = json.loads(ids)
        self.published = self.forms(published)
        self.drafts = self.forms(drafts)

    def forms(self, ids):
        """The change form's POST data of each article, as the admin renders it."""
        script = WORK / "form.py"
        script.write_text(self.FORM)
        out = subprocess.run(
            [PY, "manage.py", "shell", "-v", "0", "-c", f"exec(open({str(script)!r}).read())"],
            cwd=ROOT,
            env={**ENV, "ARTICLE_IDS": json.dumps(ids)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return json.loads(out)

    def csrf(self):
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def post(self, path, data):
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self.csrf()}).encode()
        request = urllib.request.Request(
            self.base + path, data=body, headers={"Referer": self.base + path}
        )
        started = time.monotonic()
        try:
            with self.opener.open(request, timeout=30) as response:
                status = response.status
        except urllib.error.HTTPError as error:
            status = error.code
        self.timings.append(time.monotonic() - started)
        self.statuses.append(status)
        return status

    def edit(self, n):
        form = self.published[n % len(self.published)]
        data = {**form["data"], "dek": f"Updated at {time.strftime('%H:%M:%S')} ({n})"}
        status = self.post(f"/admin/articles/article/{form['pk']}/change/", data)
        form["data"]["loaded_revision"] += 1
        return status

    def publish(self):
        form = self.drafts.pop()
        data = {**form["data"], "_workflow": "publish"}
        self.post(f"/admin/articles/article/{form['pk']}/change/", data)
        return form

    @contextlib.contextmanager
    def working(self):
        """Save or publish once a second, alternately, until the block ends."""
        stop = threading.Event()

        def loop():
            n = 0
            while not stop.wait(1.0):
                self.edit(n) if n % 2 == 0 else self.publish()
                n += 1

        thread = threading.Thread(target=loop, daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


# -- load ----------------------------------------------------------------------------


def wrk(url, connections, duration, paths_file, timeout="5s"):
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", f"--timeout={timeout}"]
        + ["-s", ROOT / "bench/reliability/mixed.lua", url],
        env={**os.environ, "PATHS": str(paths_file)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    summary, seconds = None, {}
    for line in out.splitlines():
        parts = line.split("\t")
        if parts[0] == "SUMMARY":
            duration_s, requests = float(parts[1]), int(parts[2])
            summary = {
                "rps": requests / duration_s,
                "p50": float(parts[3]),
                "p99": float(parts[4]),
                "max": float(parts[5]),
                "socket_errors": int(parts[6]) + int(parts[7]) + int(parts[8]),
                "hits": int(parts[9]) / max(1, requests),
            }
        elif parts[0] == "SECOND":
            seconds.setdefault(int(parts[1]), {})[int(parts[2])] = int(parts[3])
    summary["statuses"] = {}
    for counts in seconds.values():
        for status, n in counts.items():
            summary["statuses"][status] = summary["statuses"].get(status, 0) + n
    summary["seconds"] = dict(sorted(seconds.items()))
    summary["errors"] = sum(n for s, n in summary["statuses"].items() if s >= 500)
    return summary


def warm(url, paths):
    for path in set(paths):
        with contextlib.suppress(OSError):
            urllib.request.urlopen(url + path, timeout=30).read()


def run_load(targets, paths_file, paths, editor, duration):
    rows = []
    for name, url in targets:
        for connections in (16, 64):
            warm(url, paths)
            quiet = wrk(url, connections, duration, paths_file)
            with editor.working():
                busy = wrk(url, connections, duration, paths_file)
            rows.append((name, connections, quiet, busy))
            log(
                f"{name} c={connections}: quiet {quiet['rps']:.0f}/s p99 {quiet['p99']:.0f} ms;"
                f" edits {busy['rps']:.0f}/s p99 {busy['p99']:.0f} ms, {busy['errors']} 5xx"
            )
    say("\n### Mixed load, quiet and with an editor saving or publishing once a second\n")
    say(
        "| through | connections | quiet req/s | quiet p99 | with edits req/s | with edits p99 "
        "| throughput kept | p99 ratio | 5xx (quiet / edits) | Varnish hits (edits) |"
    )
    say("|---|---|---|---|---|---|---|---|---|---|")
    for name, connections, quiet, busy in rows:
        say(
            f"| {name} | {connections} | {quiet['rps']:,.0f} | {quiet['p99']:.0f} ms "
            f"| {busy['rps']:,.0f} | {busy['p99']:.0f} ms | {busy['rps'] / quiet['rps']:.0%} "
            f"| {busy['p99'] / quiet['p99']:.1f}× | {quiet['errors']} / {busy['errors']} "
            f"| {busy['hits']:.0%} |"
        )
    saves = editor.timings
    say(
        f"\nEditor: {len(saves)} admin saves and publishes, statuses "
        f"{sorted(set(editor.statuses))}, median {statistics.median(saves) * 1000:.0f} ms, "
        f"max {max(saves) * 1000:.0f} ms."
    )


def run_ceiling(services, article_path, duration):
    varnish = f"http://127.0.0.1:{VARNISH_PORT}"
    html = urllib.request.urlopen(varnish + article_path, timeout=30).read()
    services.start_nginx(html)
    one = WORK / "one-path.txt"
    one.write_text(article_path + "\n")
    results = {}
    for name, url in (
        ("Varnish (hits)", varnish),
        ("nginx, same bytes", f"http://127.0.0.1:{NGINX_PORT}"),
    ):
        wrk(url, 16, 3, one)
        results[name] = wrk(url, 16, duration, one)
    services.stop("nginx")
    say("\n### Varnish hits against the static ceiling (one article page, 16 connections)\n")
    say("| server | req/s | p99 | share of nginx |")
    say("|---|---|---|---|")
    ceiling = results["nginx, same bytes"]["rps"]
    for name, r in results.items():
        say(f"| {name} | {r['rps']:,.0f} | {r['p99']:.1f} ms | {r['rps'] / ceiling:.0%} |")


def run_publish_latency(editor, rounds=20):
    varnish = f"http://127.0.0.1:{VARNISH_PORT}"
    delays = []
    for _ in range(rounds):
        form = editor.drafts[-1]
        page = f"{varnish}/{form['section']}/"
        urllib.request.urlopen(page, timeout=30).read()  # cached in Varnish
        started = time.monotonic()
        editor.publish()
        title = form["data"]["title"].encode()
        while title not in urllib.request.urlopen(page, timeout=30).read():
            if time.monotonic() - started > 30:
                break
            time.sleep(0.01)
        delays.append(time.monotonic() - started)
        time.sleep(0.5)
    say("\n### From an editor's publish to the section page changing, through Varnish\n")
    say(
        f"{rounds} publishes: median {statistics.median(delays) * 1000:.0f} ms, "
        f"max {max(delays) * 1000:.0f} ms (from sending the admin POST; the POST itself "
        f"is {statistics.median(editor.timings[-rounds:]) * 1000:.0f} ms at the median)."
    )


@contextlib.contextmanager
def idle_connections(port, n=200):
    sockets = []
    for _ in range(n):
        s = socket.create_connection(("127.0.0.1", port))
        sockets.append(s)
    try:
        yield
    finally:
        for s in sockets:
            s.close()


def load_in_background(url, duration, paths_file):
    result = {}

    def run():
        result.update(wrk(url, 16, duration, paths_file))

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


def run_faults(services, targets, paths_file, duration=45):
    faults = {
        "Redis killed at 10 s, back at 25 s": (
            lambda: services.kill_redis(),
            15,
            lambda: services.start_redis(),
        ),
        "PostgreSQL stopped at 10 s for 10 s": (services.stop_pg, 10, services.start_pg),
        "a gunicorn worker SIGKILLed at 10 s": (
            lambda: os.kill(services.app_workers()[0], signal.SIGKILL),
            0,
            lambda: None,
        ),
    }
    say("\n### Faults under load (16 connections, 45 s; the fault at 10 s)\n")
    say(
        "| fault | through | requests | 5xx | of which 503 | socket errors and timeouts "
        "| answers/s before | slowest second during | most 5xx in a second during "
        "| back to normal after it ended |"
    )
    say("|---|---|---|---|---|---|---|---|---|---|")
    for (fault, (start, length, end)), (name, url) in (
        (f, t) for f in faults.items() for t in targets
    ):
        thread, result = load_in_background(url, duration, paths_file)
        time.sleep(10)
        began = int(time.time())
        start()
        time.sleep(length)
        end()
        ended = int(time.time())
        thread.join()
        report_fault(fault, name, result, began, ended)
        time.sleep(3)
    for name, url in targets:
        port = urllib.parse.urlsplit(url).port
        thread, result = load_in_background(url, duration, paths_file)
        time.sleep(10)
        began = int(time.time())
        with idle_connections(port):
            time.sleep(25)
        ended = int(time.time())
        thread.join()
        report_fault("200 idle connections at 10 s for 25 s", name, result, began, ended)


def report_fault(fault, name, result, began, ended):
    """One row: what readers got while the fault lasted, and after."""
    # The first and the last second of a run are partial: left out.
    seconds = dict(list(result["seconds"].items())[1:-1])
    ok = {s: sum(n for st, n in c.items() if st < 500) for s, c in seconds.items()}
    bad = {s: sum(n for st, n in c.items() if st >= 500) for s, c in seconds.items()}
    normal = statistics.median([n for s, n in ok.items() if s < began] or [0])
    during = [s for s in seconds if began <= s <= ended]
    lowest = min((ok[s] for s in during), default=0)
    recovered = next(
        (s - ended for s in seconds if s >= ended and not bad[s] and ok[s] >= 0.5 * normal), None
    )
    say(
        f"| {fault} | {name} | {sum(result['statuses'].values()):,} | {result['errors']} "
        f"| {result['statuses'].get(503, 0)} | {result['socket_errors']} "
        f"| {normal:,.0f} | {lowest:,.0f} ({lowest / normal:.0%}) "
        f"| {max((bad[s] for s in during), default=0)} | "
        + (f"{recovered} s |" if recovered is not None else "not within the run |")
    )
    log(f"{fault} / {name} {began}-{ended}: {json.dumps(seconds)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--duration", type=int, default=20, help="seconds per load run")
    parser.add_argument("--only", default="load,ceiling,publish,faults")
    args = parser.parse_args()
    parts = set(args.only.split(","))
    for tool in ("wrk", "varnishd", "redis-server", "nginx"):
        if not shutil.which(tool):
            sys.exit(
                f"{tool} is missing: apt-get install wrk varnish varnish-modules redis nginx-light"
            )
    services = Services()
    try:
        WORK.mkdir(exist_ok=True)
        services.start_pg()
        services.start_redis()
        build_data(args.articles)
        services.start_app()
        services.start_varnish()
        paths_file, paths = reader_paths()
        targets = [
            ("gunicorn", f"http://127.0.0.1:{APP_PORT}"),
            ("Varnish", f"http://127.0.0.1:{VARNISH_PORT}"),
        ]
        editor = Editor(f"http://127.0.0.1:{APP_PORT}")
        version = subprocess.run(["varnishd", "-V"], capture_output=True, text=True).stderr
        say(
            f"Newsroom, {args.articles:,} articles, PostgreSQL 15, Redis, gunicorn 2 sync "
            f"workers, {version.split()[1].strip('()')}; {os.cpu_count()} cores; "
            f"{len(paths)} paths ({len(set(paths))} distinct)."
        )
        if "load" in parts:
            run_load(targets, paths_file, paths, editor, args.duration)
        if "ceiling" in parts:
            article = next(
                p for p in paths if p.count("/") == 3 and "?" not in p and "feeds" not in p
            )
            run_ceiling(services, article, args.duration)
        if "publish" in parts:
            run_publish_latency(editor)
        if "faults" in parts:
            run_faults(services, targets, paths_file)
    finally:
        services.stop_all()


if __name__ == "__main__":
    main()
