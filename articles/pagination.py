"""A page of a listing and its total, in one query.

Django's Paginator counts with a separate `COUNT(*)` query; here the count
rides along with the page's rows as a window function (`COUNT(*) OVER ()`,
computed before LIMIT), which keeps every listing page within its query budget.
"""

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Count, Window

PER_PAGE = 20
# No listing has a billion pages; larger numbers would overflow OFFSET.
MAX_PAGE = 10**9


def page_number(value) -> int:
    """The page a `?page=` value asks for; None (no parameter) is the first.

    Raises InvalidPage (PageNotAnInteger or EmptyPage) for anything but a
    positive whole number written in digits: readers get a 404, not a guess.
    """
    if value is None:
        return 1
    if not isinstance(value, str) or not value.isascii() or not value.isdigit():
        raise PageNotAnInteger("That page number is not a whole number.")
    number = int(value)
    if number < 1:
        raise EmptyPage("That page number is less than 1.")
    if number > MAX_PAGE:  # would overflow the database's OFFSET
        raise EmptyPage("That page contains no results.")
    return number


def paginate(queryset, value, per_page: int = PER_PAGE) -> Page:
    """Page `value` (a raw `?page=` value) of `queryset`, with its total count.

    The queryset must be ordered and free of duplicate rows (no `distinct()`:
    the window counts rows before DISTINCT would remove them).
    """
    number = page_number(value)
    bottom = (number - 1) * per_page
    rows = list(queryset.annotate(listing_total=Window(Count("pk")))[bottom : bottom + per_page])
    if not rows and number > 1:
        raise EmptyPage("That page contains no results.")
    paginator = Paginator(queryset, per_page)
    # Paginator.count is a cached property: give it the total we already have.
    paginator.count = rows[0].listing_total if rows else 0
    return Page(rows, number, paginator)
