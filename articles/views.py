from django.core.paginator import InvalidPage
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from sections.models import Section

from . import metadata
from . import search as search_module
from .fragments import navigation_sections
from .images import lead_picture, square_picture
from .listings import front_page
from .models import CARD_FIELDS, Article, Author, bylines_with_authors

MORE_FROM_SECTION = 4


def home(request):
    context = {"front_page": front_page(navigation_sections()), "canonical_path": "/"}
    return render(request, "articles/home.html", context)


def render_article(request, article, extra_context=None):
    """The reader's article page for `article`, whatever its state.

    Public views call it only with published articles; staff preview reuses it
    so that a preview is exactly what readers will see. A truthy `preview` in
    `extra_context` adds a "not published" banner and keeps search engines out.
    """
    more = list(
        Article.objects.published()
        .filter(section_id=article.section_id)
        .exclude(pk=article.pk)
        .select_related("section")
        .only(*CARD_FIELDS)[:MORE_FROM_SECTION]
    )
    # One query for the bylines of the article and of every "more" card.
    prefetch_related_objects([article, *more], bylines_with_authors())
    picture = lead_picture(
        article.lead_image,
        article.lead_image_width,
        article.lead_image_height,
        article.lead_image_alt,
    )
    context = {
        "article": article,
        "more_articles": more,
        "picture": picture,
        "json_ld": metadata.news_article(request, article, picture),
        "canonical_path": article.get_absolute_url(),
        **(extra_context or {}),
    }
    return render(request, "articles/article_detail.html", context)


def article_detail(request, section, slug):
    article = get_object_or_404(
        Article.objects.published().for_reading().select_related("section", "lead_image_credit"),
        section__slug=section,
        slug=slug,
    )
    return render_article(request, article)


def author_detail(request, slug):
    author = get_object_or_404(Author, slug=slug)
    # A subquery rather than a join: an author with two roles on one article
    # would otherwise list it twice.
    articles = (
        Article.objects.published()
        .filter(pk__in=author.bylines.values("article_id"))
        .for_cards(bylines=False)
    )
    try:
        page_obj = articles.page(request.GET.get("page"))
    except InvalidPage:
        raise Http404("No such page.") from None
    context = {
        "author": author,
        "photo": square_picture(author.photo, alt=author.name),
        "page_obj": page_obj,
        "canonical_path": metadata.listing_path(author.get_absolute_url(), page_obj.number),
    }
    return render(request, "articles/author_detail.html", context)


def search(request):
    """Full-text search of published articles; the work is in articles/search.py."""
    params = search_module.SearchParams.from_query_dict(request.GET)
    page_obj = None
    if params.q:
        try:
            page_obj = search_module.search_page(params, request.GET.get("page"))
        except InvalidPage:
            raise Http404("No such page.") from None
    author = Author.objects.filter(slug=params.author).first() if params.author else None
    context = {
        "params": params,
        "page_obj": page_obj,
        "sections": Section.objects.all(),
        "author_filter": author,
    }
    return render(request, "articles/search.html", context)
