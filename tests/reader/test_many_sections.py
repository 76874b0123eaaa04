"""The home page with any number of sections: a WXR import can bring dozens."""

import pytest

from tests.factories import make_article, make_author, make_section

pytestmark = pytest.mark.django_db

BUDGET = 5  # tests/reader/test_views_queries.py


@pytest.mark.parametrize("sections", [11, 100])
def test_the_home_page_lists_a_block_for_each_of_many_sections(
    client, sections, django_assert_max_num_queries
):
    author = make_author()
    for n in range(sections):
        make_article(
            section=make_section(name=f"Desk {n}", position=n),
            title=f"Story {n}",
            authors=[author],
            is_feature=n == 0,  # an empty sidebar costs a query of its own
        )
    with django_assert_max_num_queries(BUDGET):
        response = client.get("/")
    assert response.status_code == 200
    content = response.content.decode()
    assert all(f"Story {n}" in content for n in range(sections))
