"""Varnish in front (deploy/varnish/newsroom.vcl): a real varnishd started by the
test in front of the live server, purged by Newsroom on every change."""

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from tests.factories import make_article, make_author, make_section
from tests.ports import free_port

pytestmark = pytest.mark.django_db(transaction=True)

VCL = Path(django_settings.BASE_DIR) / "deploy" / "varnish" / "newsroom.vcl"


@pytest.fixture
def varnish(live_server, settings):
    settings.PAGE_CACHE_SECONDS = 300
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="newsroom-varnish-")
    os.chmod(workdir, 0o755)  # varnishd's workers run as its own users
    vcl = Path(workdir) / "newsroom.vcl"
    backend_port = urlsplit(live_server.url).port
    vcl.write_text(VCL.read_text().replace('.port = "8000";', f'.port = "{backend_port}";'))
    vcl.chmod(0o644)
    process = subprocess.Popen(
        [shutil.which("varnishd") or "/usr/sbin/varnishd", "-F", "-a", f"127.0.0.1:{port}"]
        + ["-f", str(vcl), "-n", workdir, "-s", "malloc,32m", "-t", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(url + "/robots.txt", timeout=1).read()
            break
        except OSError:
            time.sleep(0.05)
    else:
        process.kill()
        raise RuntimeError("varnishd did not start")
    settings.FRONTEND_CACHES = {
        "varnish": {"BACKEND": "reader.purgers.VarnishPurger", "LOCATION": url}
    }
    yield url
    process.terminate()
    process.wait(10)
    shutil.rmtree(workdir, ignore_errors=True)


def get(url, **headers):
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.headers, response.read().decode()


@pytest.fixture
def site():
    economy = make_section(name="Economy", slug="economy")
    culture = make_section(name="Culture", slug="culture")
    author = make_author(name="Ana Lim")
    make_article(section=economy, slug="port", title="Port reopens", authors=[author])
    make_article(section=culture, slug="choir", title="Choir tours", authors=[author])
    return economy, author


def test_a_publication_shows_at_once_and_unrelated_pages_stay_hits(varnish, site):
    economy, author = site
    for path in ("/economy/", "/culture/", "/"):
        get(varnish + path)
        assert get(varnish + path)[0]["X-Varnish-Cache"] == "HIT", path
    make_article(section=economy, slug="strike", title="Dockers strike", authors=[author])
    headers, body = get(varnish + "/economy/")
    assert "Dockers strike" in body and headers["X-Varnish-Cache"] == "MISS"
    assert "Dockers strike" in get(varnish + "/")[1]
    headers, body = get(varnish + "/culture/choir/")
    # Another section's article page is untouched: still a hit.
    headers, _ = get(varnish + "/culture/")
    assert headers["X-Varnish-Cache"] == "HIT"
    assert "xkey" not in headers  # Newsroom's keys stay between it and Varnish


def test_staff_are_never_served_from_varnish_and_other_cookies_do_not_split(varnish, site):
    get(varnish + "/culture/")
    assert get(varnish + "/culture/", Cookie="_ga=GA1.2.3; consent=yes")[0]["X-Varnish-Cache"] == (
        "HIT"
    )
    for _ in range(2):
        headers, _ = get(varnish + "/culture/", Cookie="csrftoken=x; sessionid=abc")
        assert headers["X-Varnish-Cache"] == "MISS"
    for _ in range(2):
        headers, _ = get(varnish + "/admin/login/")
        assert headers["X-Varnish-Cache"] == "MISS"


def test_a_scheduled_article_appears_on_time_through_varnish(varnish, site):
    economy, author = site
    when = timezone.now() + timedelta(seconds=3)
    make_article(
        section=economy, slug="later", title="Embargoed", published_at=when, authors=[author]
    )
    headers, body = get(varnish + "/economy/")
    assert "Embargoed" not in body
    # Newsroom bounds the copy's lifetime by the next scheduled publication.
    assert int(headers["Cache-Control"].split("s-maxage=")[1].split(",")[0]) <= 3
    time.sleep(max(0, (when - timezone.now()).total_seconds()) + 1.5)
    assert "Embargoed" in get(varnish + "/economy/")[1]


def test_only_newsroom_hosts_may_purge(varnish, site):
    get(varnish + "/culture/")
    port = urlsplit(varnish).port
    # From another address (127.0.0.2 is this machine too, but not in the ACL).
    with socket.create_connection(("127.0.0.1", port), source_address=("127.0.0.2", 0)) as s:
        s.sendall(b"PURGE / HTTP/1.1\r\nHost: x\r\nxkey-purge: all\r\nConnection: close\r\n\r\n")
        answer = s.recv(200)
    assert answer.startswith(b"HTTP/1.1 403")
    assert get(varnish + "/culture/")[0]["X-Varnish-Cache"] == "HIT"  # nothing purged
