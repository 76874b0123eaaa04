"""Error pages that need nothing that may have failed.

A request that fails because the database cannot be reached (stopped,
restarting, out of connections) gets a 503 with Retry-After, which says
"try again soon" to readers, crawlers and the HTTP caches in front, rather
than a 500, which says the site is broken. Pages already cached are served
before it comes to that (reader.pagecache).
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.views import defaults

RETRY_AFTER_SECONDS = 30


def server_error(request):
    """handler500: a 503 when the database is unreachable, the 500 page otherwise."""
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        return database_unavailable(request)
    return defaults.server_error(request)


def database_unavailable(request):
    staff = request.path.startswith("/admin/")
    html = loader.get_template("503.html").render({"staff": staff})
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
