"""Newsroom against the Wagtail peer and the static ceiling, from summary.tsv.

    python3 bench/http/ratios.py bench/results/http-2000-<UTC>/summary.tsv

Prints a Markdown table: each Newsroom target's median req/s per page, as a
multiple of Wagtail's on the same database and as a share of the static ceiling.
"""

import csv
import sys


def main(path):
    with open(path) as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    rps = {(r["target"], r["page"]): float(r["req/s (median)"]) for r in rows}
    ceiling = rps.get(("static-gunicorn", "article"))
    out = sys.stdout
    out.write("| target | page | req/s | vs Wagtail (same DB) | % of ceiling | SQL (cold) |\n")
    out.write("|---|---|---:|---:|---:|---|\n")
    for r in rows:
        target, page = r["target"], r["page"]
        if not target.startswith("newsroom"):
            continue
        database = "pg" if "-pg" in target else "sqlite"
        peer = rps.get((f"wagtail-{database}", page))
        value = rps[(target, page)]
        versus = f"{value / peer:.1f}×" if peer else "–"
        share = f"{value / ceiling * 100:.0f} %" if ceiling else "–"
        sql = f"{r['SQL warm']} ({r['SQL cold']})"
        out.write(f"| {target} | {page} | {value:.0f} | {versus} | {share} | {sql} |\n")


if __name__ == "__main__":
    main(sys.argv[1])
