#!/usr/bin/env python3
"""Import benchmark: articles per second and peak memory, SQLite and PostgreSQL.

    .venv/bin/python bench/import/run.py           # 10k and 100k, both formats, both DBs
    .venv/bin/python bench/import/run.py --sizes 10000 --dbs sqlite

Archives are generated once under --data (JSON Lines by gen_jsonl.py here, WXR
by ../shared/bench/import/gen_wxr.py). Every run starts from an empty database
(a fresh SQLite file, or the PostgreSQL database `newsroom_importbench`, created
and dropped here), imports the archive with `/usr/bin/time -v`, then imports it
again (everything skipped). Prints a Markdown table for docs/benchmarks.md.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
PG_BENCH = "postgres://postgres@127.0.0.1:5432/newsroom_importbench"


def say(line=""):
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def archive(fmt, size, data, shared):
    if fmt == "jsonl":
        path = data / "jsonl" / f"articles-{size}.jsonl"
        if not path.exists():
            subprocess.run(
                [PYTHON, str(ROOT / "bench/import/gen_jsonl.py"), "-n", str(size), "-o", str(path)],
                check=True,
            )
    else:
        path = data / "wxr" / f"posts-{size}.xml"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            generator = shared / "bench" / "import" / "gen_wxr.py"
            subprocess.run(
                [sys.executable, str(generator), "-n", str(size), "-o", str(path)], check=True
            )
    return path


def psql(sql):
    subprocess.run(["psql", PG_ADMIN, "-qc", sql], check=True, capture_output=True)


def fresh_database(db, scratch):
    if db == "sqlite":
        for old in scratch.glob("bench.sqlite3*"):
            old.unlink()
        return f"sqlite:///{scratch}/bench.sqlite3"
    psql("DROP DATABASE IF EXISTS newsroom_importbench")
    psql("CREATE DATABASE newsroom_importbench")
    return PG_BENCH


def timed_import(env, path):
    result = subprocess.run(
        ["/usr/bin/time", "-v", PYTHON, "manage.py", "import_articles", str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    done = re.search(
        r"Done: ([\d,]+) created, ([\d,]+) updated, ([\d,]+) skipped, ([\d,]+) failed"
        r".* in ([\d.]+) s",
        result.stdout,
    )
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
    if not done or not rss:
        say(result.stdout[-2000:] + result.stderr[-2000:])
        raise SystemExit("import failed")
    created, updated, skipped, failed = (int(g.replace(",", "")) for g in done.groups()[:4])
    return {
        "created": created,
        "skipped": skipped,
        "failed": failed,
        "seconds": float(done.group(5)),
        "rss_mb": int(rss.group(1)) / 1024,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[10_000, 100_000])
    parser.add_argument("--formats", nargs="+", default=["jsonl", "wxr"])
    parser.add_argument("--dbs", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--data", default="/tmp/bench-data")
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    args = parser.parse_args()
    data, shared = Path(args.data), Path(args.shared)
    scratch = Path(tempfile.mkdtemp(prefix="newsroom-importbench-"))

    say(
        "| DB | format | articles | file | first import | articles/s | peak RSS "
        "| re-run (all skipped) |"
    )
    say("|---|---|---:|---:|---:|---:|---:|---:|")
    for db in args.dbs:
        for fmt in args.formats:
            for size in args.sizes:
                path = archive(fmt, size, data, shared)
                env = {
                    **os.environ,
                    "DATABASE_URL": fresh_database(db, scratch),
                    "DEBUG": "0",
                    "SECRET_KEY": "import-benchmark-only-not-a-secret-0123456789abcdefghij",
                    "MEDIA_ROOT": str(scratch / "media"),
                }
                subprocess.run(
                    [PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
                )
                first = timed_import(env, path)
                again = timed_import(env, path)
                posts = first["created"] + first["skipped"] + first["failed"]
                say(
                    f"| {db} | {fmt} | {first['created']:,} "
                    f"| {path.stat().st_size / 2**20:,.0f} MiB "
                    f"| {first['seconds']:,.0f} s | {posts / first['seconds']:,.0f} "
                    f"| {max(first['rss_mb'], again['rss_mb']):,.0f} MB "
                    f"| {again['seconds']:,.0f} s ({again['skipped']:,} skipped) |"
                )
                if db == "postgres":
                    psql("DROP DATABASE IF EXISTS newsroom_importbench")


if __name__ == "__main__":
    main()
