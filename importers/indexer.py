"""Search indexing of imported batches on database connections of their own.

On PostgreSQL, `to_tsvector` over 8 KB bodies is most of an import's work
(1.2 ms an article, against 0.4 ms for writing it), and it runs in the
database: done inline, the importer's connection waits for it. Here threads
with connections of their own index each batch once it has committed, while
the importer writes the next one. Two of them: with one, an import can go no
faster than one core indexes (at most about 800 articles a second here),
while the rest of the import leaves much of the other core idle.

An article committed but not yet indexed (the import was killed in between)
is unsearchable until the next import, which indexes it first
(`index_unindexed`), or `manage.py update_search_index`.
"""

import queue
import threading

from django.db import connection, transaction

from search.engine import refresh_search_vectors, unindexed_article_ids


class IndexingError(RuntimeError):
    pass


class BackgroundIndexer:
    def __init__(self, workers=2, backlog=2):
        # A bounded queue: the writer never gets more than `backlog` batches
        # ahead of those being indexed. The workers take batches in any order,
        # which is safe because no article is in two batches of one import.
        self.queue = queue.Queue(maxsize=backlog)
        self.error = None
        self.threads = [
            threading.Thread(target=self._run, name=f"search-indexer-{n}", daemon=True)
            for n in range(workers)
        ]
        for thread in self.threads:
            thread.start()

    def submit(self, article_ids):
        # After a failure, the rest is left for update_search_index: the import
        # itself goes on, and close() reports the failure once it is over.
        if self.error is None:
            self.queue.put(list(article_ids))

    def close(self):
        """Wait until everything submitted is indexed."""
        for _ in self.threads:
            self.queue.put(None)  # one stop sign each
        for thread in self.threads:
            thread.join()
        self._raise_error()

    def _run(self):
        try:
            while (ids := self.queue.get()) is not None:
                if self.error is not None:
                    continue  # keep taking batches so the writer never blocks
                try:
                    with transaction.atomic():
                        refresh_search_vectors(ids)
                except Exception as exc:
                    self.error = exc
        finally:
            connection.close()  # this thread's own connection

    def _raise_error(self):
        if self.error is not None:
            raise IndexingError(
                f"search indexing failed: {self.error}; the articles are imported, run"
                " `manage.py update_search_index` to index them"
            ) from self.error


def index_unindexed():
    """Index articles written but never indexed (an import killed between a
    batch's commit and its indexing, a bulk load); returns how many."""
    ids = unindexed_article_ids()
    if ids:
        refresh_search_vectors(ids)
    return len(ids)
