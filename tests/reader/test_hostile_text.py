"""Plain text written by writers (or imported) stays text wherever it lands:
feeds' HTML-read elements, and search queries built to overflow the parser."""

import html
import xml.etree.ElementTree as ET

import pytest

from tests.factories import make_article, make_author, make_section

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
PAYLOADS = [
    '<img src=x onerror="alert(1)">',
    "<script>alert(1)</script>",
    '"><svg onload=alert(1)>',
    "&lt;b&gt;already escaped&lt;/b&gt;",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_feeds_send_plain_text_as_text_to_readers_that_read_html(client, payload):
    section = make_section(name="News", slug="news", description=f"About {payload}")
    make_article(section=section, dek=f"Dek {payload}", authors=[make_author()])
    rss = ET.fromstring(client.get("/feeds/sections/news/rss/").content)
    # A feed reader decodes the XML, then renders <description> as HTML:
    # what it renders must be the writer's text, character for character.
    for element in (rss.find("channel/description"), rss.find("channel/item/description")):
        assert html.unescape(element.text).endswith(payload)
        assert "<" not in element.text
    atom = ET.fromstring(client.get("/feeds/sections/news/atom/").content)
    summary = atom.find(f"{ATOM}entry/{ATOM}summary")
    assert summary.get("type") == "html"
    assert html.unescape(summary.text) == f"Dek {payload}" and "<" not in summary.text
    subtitle = atom.find(f"{ATOM}subtitle")
    assert subtitle.get("type") in (None, "text") and subtitle.text == f"About {payload}"


@pytest.mark.parametrize(
    "q", ["-" * 33, "- " * 100, "-" * 200, '"' * 99, "!(" * 60, "a -b " * 40, "or " * 60]
)
def test_hostile_search_queries_get_a_results_page(client, q):
    make_article(title="Ferry strike ends", body="<p>The ferry strike ends.</p>")
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200


def test_a_long_query_still_finds_what_it_names(client):
    make_article(title="Ferry strike ends", body="<p>The ferry strike ends.</p>")
    q = "ferry " + " ".join(f"-nothing{n}" for n in range(60))
    response = client.get("/search/", {"q": q})
    assert b"Ferry strike ends" in response.content
