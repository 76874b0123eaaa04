"""A page of a listing and its total, in one query that stays fast on deep archives.

Django's Paginator counts with a separate `COUNT(*)` query. Here the count
rides along as an uncorrelated scalar subquery (the database runs it once, on
an index), and the page's rows are picked by id first (`id IN (SELECT id …
LIMIT 20 OFFSET n)`), so skipping to page 2,500 walks an index rather than
reading 50,000 whole rows.
"""

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Func, IntegerField, Subquery
from django.utils.functional import SimpleLazyObject

from .cache import cached

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
    if number > MAX_PAGE:
        raise EmptyPage("That page contains no results.")
    return number


def paginate(queryset, value, per_page: int = PER_PAGE) -> Page:
    """Page `value` (a raw `?page=` value) of `queryset`, with its total count.

    The queryset must be ordered and free of duplicate rows (no `distinct()`).
    """
    number = page_number(value)
    bottom = (number - 1) * per_page
    # COUNT(*) rather than COUNT(id): an index-only scan can answer it.
    total = queryset.order_by().values(total=Func(template="COUNT(*)", output_field=IntegerField()))
    ids = queryset.values("pk")[bottom : bottom + per_page]
    rows = list(queryset.filter(pk__in=ids).annotate(listing_total=Subquery(total)))
    if not rows and number > 1:
        raise EmptyPage("That page contains no results.")
    paginator = Paginator(queryset, per_page)
    # Paginator.count is a cached property: give it the total we already have.
    paginator.count = rows[0].listing_total if rows else 0
    return Page(rows, number, paginator)


def lazy_page(queryset, value, *, total_key: str) -> tuple[int, Page]:
    """Page `value` of `queryset` as a lazy object, with its number.

    Whether the page exists is decided at once (InvalidPage otherwise), from
    the listing's total cached under `total_key`, which is also the key of the
    content change that retires it (e.g. "section:3"); the rows
    load only when a template uses them, so a listing whose page is already
    rendered (the {% fragment %} tag) costs no query for it.
    """
    number = page_number(value)
    loaded = []

    def load():
        if not loaded:
            loaded.append(paginate(queryset, str(number)))
        return loaded[0]

    total = cached(
        f"listing-total:{total_key}", lambda: (load().paginator.count, None), keys=[total_key]
    )
    if number > 1 and (number - 1) * PER_PAGE >= total:
        raise EmptyPage("That page contains no results.")
    return number, SimpleLazyObject(load)
