"""WSGI entry point, used by gunicorn: `gunicorn newsroom.wsgi`.

Cached reader pages are answered by `PageCacheWSGI` before Django builds a
request at all (see reader.pagecache).
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

application = get_wsgi_application()

from reader.pagecache import PageCacheWSGI  # noqa: E402 (needs the apps loaded)

application = PageCacheWSGI(application)
