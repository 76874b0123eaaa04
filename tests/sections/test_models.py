import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from sections.models import Section
from tests.factories import make_section

pytestmark = pytest.mark.django_db


def test_slug_is_unique():
    make_section(slug="economy")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_section(slug="economy")


@pytest.mark.parametrize("slug", ["admin", "authors", "search", "Media", "feeds"])
def test_reserved_slugs_are_refused(slug):
    with pytest.raises(ValidationError, match="used by the site itself"):
        Section(name="X", slug=slug).full_clean()


def test_navigation_order_is_position_then_name():
    make_section(name="Zeta", position=1)
    make_section(name="Alpha", position=2)
    make_section(name="Beta", position=1)
    assert [s.name for s in Section.objects.all()] == ["Beta", "Zeta", "Alpha"]
