"""Re-index every article for search.

Run it after changing SEARCH_LANGUAGE, or after writing articles in bulk
without articles.search.refresh_search_vectors():

    manage.py update_search_index
"""

import time

from django.core.management.base import BaseCommand, CommandError

from search.engine import rebuild_search_index


class Command(BaseCommand):
    help = "Rebuild the search index (PostgreSQL search vectors or the SQLite FTS5 table)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size", type=int, default=2000, help="Articles per UPDATE (default 2000)."
        )

    def handle(self, *args, batch_size, verbosity, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        started = time.monotonic()
        done = 0
        for done in rebuild_search_index(batch_size=batch_size):
            if verbosity > 1:
                self.stdout.write(f"{done} articles indexed…")
        if verbosity:
            elapsed = time.monotonic() - started
            self.stdout.write(self.style.SUCCESS(f"Indexed {done} articles in {elapsed:.1f}s."))
