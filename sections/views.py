from django.core.paginator import InvalidPage
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from .models import Section


def section_detail(request, slug):
    section = get_object_or_404(Section, slug=slug)
    articles = section.articles.published().for_cards(bylines=False)
    try:
        page_obj = articles.page(request.GET.get("page"))
    except InvalidPage:
        raise Http404("No such page.") from None
    canonical_path = section.get_absolute_url()
    if page_obj.number > 1:
        canonical_path += f"?page={page_obj.number}"
    context = {"section": section, "page_obj": page_obj, "canonical_path": canonical_path}
    return render(request, "sections/section_detail.html", context)
