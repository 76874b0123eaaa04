from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from sections.models import Section

from . import search as search_module
from .models import Article, Author


def home(request):
    articles = Article.objects.published().with_listing_relations()[:30]
    return render(request, "articles/home.html", {"articles": articles})


def render_article(request, article, extra_context=None):
    """The reader's article page for `article`, whatever its state.

    Public views call it only with published articles; staff preview reuses it
    so that a preview is exactly what readers will see.
    """
    context = {"article": article, **(extra_context or {})}
    return render(request, "articles/article_detail.html", context)


def article_detail(request, section, slug):
    article = get_object_or_404(
        Article.objects.published().with_listing_relations(), section__slug=section, slug=slug
    )
    return render_article(request, article)


def author_detail(request, slug):
    author = get_object_or_404(Author, slug=slug)
    articles = author.articles.published().with_listing_relations().distinct()
    page_obj = Paginator(articles, 20).get_page(request.GET.get("page"))
    return render(request, "articles/author_detail.html", {"author": author, "page_obj": page_obj})


def search(request):
    """Full-text search of published articles; the work is in articles/search.py."""
    params = search_module.SearchParams.from_query_dict(request.GET)
    page_obj = None
    if params.q:
        articles = search_module.search_articles(params)
        page_obj = Paginator(articles, 20).get_page(request.GET.get("page"))
        search_module.add_snippets(page_obj, params.q)
    author = Author.objects.filter(slug=params.author).first() if params.author else None
    context = {
        "params": params,
        "page_obj": page_obj,
        "sections": Section.objects.all(),
        "author_filter": author,
    }
    return render(request, "articles/search.html", context)
