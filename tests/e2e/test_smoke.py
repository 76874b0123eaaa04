import pytest

from tests.factories import make_article, make_author

pytestmark = pytest.mark.django_db(transaction=True)


def test_reader_opens_an_article_from_the_home_page(live_server, page):
    article = make_article(title="Harbour lights return", authors=[make_author(name="Ana Lim")])
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Harbour lights return").click()
    page.wait_for_url(live_server.url + article.get_absolute_url())
    assert page.locator("h1").inner_text() == "Harbour lights return"
