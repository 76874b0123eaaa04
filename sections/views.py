from django.core.paginator import InvalidPage
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from articles.metadata import listing_path
from articles.pagination import lazy_page

from .models import Section


def section_detail(request, slug):
    section = get_object_or_404(Section, slug=slug)
    articles = section.articles.published().for_cards(bylines=False)
    try:
        number, page_obj = lazy_page(
            articles, request.GET.get("page"), total_key=f"section:{section.pk}"
        )
    except InvalidPage:
        raise Http404("No such page.") from None
    context = {
        "section": section,
        "page_number": number,
        "page_obj": page_obj,
        "canonical_path": listing_path(section.get_absolute_url(), number),
    }
    return render(request, "sections/section_detail.html", context)
