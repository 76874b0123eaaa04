"""The reader site's pages: home, sections, articles, authors and search."""

from django.core.paginator import InvalidPage
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.functional import SimpleLazyObject, cached_property

from articles import events
from articles.images import lead_picture, square_picture
from articles.models import CARD_FIELDS, Article, Author, bylines_with_authors
from search import engine as search_engine
from sections.models import Section

from . import metadata
from .cache import depends_on
from .fragments import navigation_sections
from .listings import front_page, lead_story_id
from .pagination import lazy_page, page_number

MORE_FROM_SECTION = 4


def home(request):
    # Lazy: a home page already rendered for this content version needs no query.
    stories = SimpleLazyObject(lambda: front_page(navigation_sections()))
    context = {
        "front_page": stories,
        "canonical_path": "/",
        # The sidebar leaves out the lead story, shown large above it.
        "sidebar_exclude": lambda: lead_story_id(navigation_sections()),
    }
    return render(request, "articles/home.html", context)


class ArticlePage:
    """What the article page shows besides the article, computed only when the
    template asks: a page whose parts are already rendered (see the
    {% fragment %} tag) costs one query, the article itself. "More from the
    section" is a part of its own: a story published in the section changes
    it under every article there, and leaves the rest of their pages alone."""

    def __init__(self, request, article):
        self.request, self.article = request, article

    @cached_property
    def more_articles(self):
        more = list(
            Article.objects.published()
            .filter(section_id=self.article.section_id)
            .exclude(pk=self.article.pk)
            .select_related("section")
            .only(*CARD_FIELDS)[:MORE_FROM_SECTION]
        )
        # One query for the bylines of the article and of every "more" card.
        prefetch_related_objects([self.article, *more], bylines_with_authors())
        return more

    def more_from_section(self):
        """The "more from the section" cards: they change with what the section lists."""
        depends_on(events.section_articles_key(self.article.section_id))
        return self.more_articles

    @cached_property
    def bylines(self):
        self.more_articles  # noqa: B018 (fetches the bylines with those of the cards)
        bylines = self.article.bylines.all()
        depends_on(*(events.author_key(byline.author_id) for byline in bylines))
        return bylines

    @cached_property
    def picture(self):
        article = self.article
        return lead_picture(
            article.lead_image,
            article.lead_image_width,
            article.lead_image_height,
            article.lead_image_alt,
        )

    @cached_property
    def json_ld(self):
        self.bylines  # noqa: B018
        return metadata.news_article(self.request, self.article, self.picture)


def render_article(request, article, extra_context=None):
    """The reader's article page for `article`, whatever its state.

    Public views call it only with published articles; staff preview reuses it
    so that a preview is exactly what readers will see. A truthy `preview` in
    `extra_context` adds a "not published" banner and keeps search engines out.
    """
    depends_on(events.article_key(article.pk), events.section_key(article.section_id))
    if article.lead_image_credit_id:
        depends_on(events.credit_key(article.lead_image_credit_id))
    context = {
        "article": article,
        "page": ArticlePage(request, article),
        "canonical_path": article.get_absolute_url(),
        **(extra_context or {}),
    }
    return render(request, "articles/article_detail.html", context)


def article_detail(request, section, slug):
    article = get_object_or_404(
        Article.objects.published().for_reading(),
        section__slug=section,
        slug=slug,
    )
    return render_article(request, article)


def _listing_page(request, articles, *, total_key):
    """The `?page=` of a listing, lazily (see reader.pagination); 404 if there is none."""
    try:
        return lazy_page(articles, request.GET.get("page"), total_key=total_key)
    except InvalidPage:
        raise Http404("No such page.") from None


def section_detail(request, slug):
    section = get_object_or_404(Section, slug=slug)
    articles = section.articles.published().for_cards(bylines=False)
    key = events.section_articles_key(section.pk)
    depends_on(events.section_key(section.pk), key)
    number, page_obj = _listing_page(request, articles, total_key=key)
    context = {
        "section": section,
        "page_number": number,
        "page_obj": page_obj,
        "canonical_path": metadata.listing_path(section.get_absolute_url(), number),
    }
    return render(request, "sections/section_detail.html", context)


def author_detail(request, slug):
    author = get_object_or_404(Author, slug=slug)
    # A subquery rather than a join: an author with two roles on one article
    # would otherwise list it twice.
    articles = (
        Article.objects.published()
        .filter(pk__in=author.bylines.values("article_id"))
        .for_cards(bylines=False)
    )
    key = events.author_articles_key(author.pk)
    depends_on(events.author_key(author.pk), key)
    number, page_obj = _listing_page(request, articles, total_key=key)
    context = {
        "author": author,
        "photo": square_picture(author.photo, alt=author.name),
        "page_number": number,
        "page_obj": page_obj,
        "canonical_path": metadata.listing_path(author.get_absolute_url(), number),
    }
    return render(request, "articles/author_detail.html", context)


def search(request):
    """Full-text search of published articles; the work is in search/engine.py."""
    params = search_engine.SearchParams.from_query_dict(request.GET)
    page_obj = None
    if params.q:
        try:
            page_obj = search_engine.search_page(params, page_number(request.GET.get("page")))
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
