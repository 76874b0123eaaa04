"""Fill the database with synthetic published articles for benchmarks.

manage.py generate_articles --articles 100000 --reset --paths-file var/bench_paths.txt
"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from demo import generate


class Command(BaseCommand):
    help = (
        "Create N synthetic published articles (800–1,500-word bodies, 1–3 bylines, "
        "a lead image) in five sections weighted 50/20/15/10/5 %."
    )

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=2000, help="How many (default 2000).")
        parser.add_argument("--seed", type=int, default=42, help="Random seed (default 42).")
        parser.add_argument(
            "--images", type=int, default=40, help="Size of the lead-image pool (default 40)."
        )
        parser.add_argument(
            "--reset", action="store_true", help="Delete previously generated articles first."
        )
        parser.add_argument(
            "--paths-file", help="Write the benchmark paths (TSV: name<TAB>path) to this file."
        )

    def handle(self, *args, articles, seed, images, reset, paths_file, verbosity, **options):
        if articles < 1 or images < 1:
            raise CommandError("--articles and --images must be at least 1.")
        started = time.monotonic()
        if reset:
            deleted = generate.reset()
            if verbosity:
                self.stdout.write(f"Deleted {deleted} generated rows.")
        result = generate.generate(count=articles, seed=seed, images=images)
        elapsed = time.monotonic() - started
        if verbosity:
            self.stdout.write(
                f"Created {result.created} articles in {elapsed:.1f}s "
                f"({result.created / elapsed:.0f}/s)."
            )
        if paths_file:
            path = Path(paths_file)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("".join(f"{name}\t{url}\n" for name, url in result.paths))
            if verbosity:
                self.stdout.write(f"Benchmark paths written to {path}.")
