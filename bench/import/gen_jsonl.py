#!/usr/bin/env python3
"""Deterministic JSON Lines archive of N articles for the import benchmark (stdlib only).

    python3 bench/import/gen_jsonl.py -n 10000 -o /tmp/bench-data/jsonl/articles-10000.jsonl

Sizes follow a magazine archive: HTML bodies of 800-1,500 words in paragraphs
with some links, emphasis and subheads, a one-sentence dek, 1-3 bylines out of
60 writers, 6 sections, a lead image credit out of 40, a legacy URL, 0-4 tags.
90 % published (dated over ten years), 6 % drafts, 4 % in review.
"""

import argparse
import json
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

SECTIONS = ["Dispatches", "Harbour", "Town Hall", "Culture", "Science", "Letters"]
GIVEN = "Ines Teodor Ama Jo Tomás Mara Yusra Kalle Priya Oren Zofia Bao Lupe Idris Maren".split()
FAMILY = ["Marlow", "Varga", "Mensah", "Reyes", "Ibarra", "Lindqvist", "Haddad"]
AGENCIES = ["Staff", "Harbour Archive", "Wire", "Handout", "Reader photo"]
WORDS = (
    "tide harbour ferry council pier storm crew lantern quay gull net boat deck slip "
    "budget vote timetable winter night dawn river bridge market school choir museum "
    "archive record letter editor reader shore north east weather wind light keeper "
    "said would could after before during while because although the a of to in and "
    "for on with as by at from that this their its over under about between"
).split()


def sentence(r, lo=8, hi=24):
    words = [r.choice(WORDS) for _ in range(r.randint(lo, hi))]
    return " ".join(words).capitalize() + r.choice([".", ".", ".", "?", "!"])


def body(r):
    paragraphs, words, target = [], 0, r.randint(800, 1500)
    while words < target:
        sentences = [sentence(r) for _ in range(r.randint(3, 6))]
        words += sum(len(s.split()) for s in sentences)
        roll = r.random()
        if roll < 0.05 and paragraphs:
            paragraphs.append(f"<h2>{sentence(r, 3, 7)[:-1]}</h2>")
        k = r.randrange(len(sentences))
        if roll < 0.25:
            sentences[k] = f'<a href="https://example.org/{r.randint(1, 9999)}">{sentences[k]}</a>'
        elif roll < 0.45:
            sentences[k] = f"<em>{sentences[k]}</em>"
        paragraphs.append("<p>" + " ".join(sentences) + "</p>")
    return "\n".join(paragraphs)


def generate(fh, n, seed=42):
    r = random.Random(seed)
    writers = [f"{g} {f}" for g in GIVEN for f in FAMILY][:60]
    start = datetime(2014, 1, 1, tzinfo=UTC)
    for i in range(n):
        title = sentence(r, 4, 10)[:-1]
        published = start + timedelta(minutes=int(i * 5256000 / max(n, 1)) + r.randint(0, 300))
        status = r.choices(["published", "draft", "in_review"], [90, 6, 4])[0]
        slug = "-".join(title.lower().split()[:8])
        row = {
            "id": f"bench-{i}",
            "title": title,
            "slug": slug,
            "section": r.choices(SECTIONS, [35, 20, 15, 15, 10, 5])[0],
            "dek": sentence(r, 14, 28),
            "body": body(r),
            "authors": r.sample(writers, r.choice([1, 1, 1, 2, 2, 3])),
            "published_at": published.isoformat(),
            "status": status,
            "image": f"{published:%Y/%m}/photo-{i}.jpg",
            "image_alt": sentence(r, 5, 12),
            "image_caption": sentence(r, 6, 14),
            "image_credit": f"{r.choice(writers)}/{r.choice(AGENCIES)}",
            "url": f"https://old.example.org/{published:%Y/%m}/{slug}-{i}/",
            "tags": r.sample(WORDS[:30], r.randint(0, 4)),
        }
        fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--articles", type=int, default=10_000)
    parser.add_argument("-o", "--output")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    out = Path(args.output or f"/tmp/bench-data/jsonl/articles-{args.articles}.jsonl")
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as fh:
        generate(fh, args.articles, args.seed)
    sys.stdout.write(f"{out}: {args.articles:,} articles, {out.stat().st_size / 2**20:,.1f} MiB\n")


if __name__ == "__main__":
    main()
