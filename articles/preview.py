"""Previews: the reader's page for an article in any state, for staff and by shared link.

A shared link is signed (so it cannot be forged or pointed at another article),
expires, and names the article's revision: any later save revokes it.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.core import signing
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .models import Article
from .views import render_article
from .workflow import is_editor

SALT = "articles.preview.share"


def link_max_age():
    return timedelta(days=getattr(settings, "NEWSROOM_PREVIEW_LINK_DAYS", 7))


def share_token(article):
    return signing.dumps({"a": article.pk, "r": article.revision}, salt=SALT, compress=True)


def share_url(article):
    return reverse("articles:shared_preview", kwargs={"token": share_token(article)})


def articles_previewable_by(user):
    articles = Article.objects.for_reading()  # render_article fetches the bylines
    if is_editor(user):
        return articles
    if user.has_perm("articles.view_article"):
        return articles.owned_by(user)
    return articles.none()


def _no_index(response):
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@require_safe
@staff_member_required
def staff_preview(request, pk):
    article = get_object_or_404(articles_previewable_by(request.user), pk=pk)
    context = {"preview": True, "preview_share_url": request.build_absolute_uri(share_url(article))}
    return _no_index(render_article(request, article, extra_context=context))


@never_cache
@require_safe
def shared_preview(request, token):
    try:
        payload = signing.loads(token, salt=SALT, max_age=link_max_age())
    except signing.SignatureExpired:
        return _link_gone(request, "This preview link has expired. Ask for a new one.")
    except signing.BadSignature:
        raise Http404("Invalid preview link") from None
    article = get_object_or_404(Article.objects.for_reading(), pk=payload.get("a"))
    if article.revision != payload.get("r"):
        return _link_gone(
            request, "The article has changed since this link was made. Ask for a new one."
        )
    return _no_index(render_article(request, article, extra_context={"preview": True}))


def _link_gone(request, message):
    response = render(request, "admin/articles/preview_gone.html", {"message": message}, status=410)
    return _no_index(response)
