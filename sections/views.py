from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from .models import Section


def section_detail(request, slug):
    section = get_object_or_404(Section, slug=slug)
    articles = section.articles.published().with_listing_relations()
    page_obj = Paginator(articles, 20).get_page(request.GET.get("page"))
    return render(
        request, "sections/section_detail.html", {"section": section, "page_obj": page_obj}
    )
