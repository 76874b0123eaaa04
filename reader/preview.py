"""Previews: the reader's page for an article in any state, for staff and by
shared link (articles.sharing makes and reads the links)."""

from django.contrib.admin.views.decorators import staff_member_required
from django.core import signing
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from articles import permissions, sharing
from articles.models import Article

from .views import render_article


def _no_index(response):
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@require_safe
@staff_member_required
def staff_preview(request, pk):
    # render_article fetches the bylines.
    articles = permissions.editable_by(request.user, Article.objects.for_reading())
    article = get_object_or_404(articles, pk=pk)
    share_url = request.build_absolute_uri(sharing.share_url(article))
    context = {"preview": True, "preview_share_url": share_url}
    return _no_index(render_article(request, article, extra_context=context))


@never_cache
@require_safe
def shared_preview(request, token):
    try:
        pk, revision = sharing.read_share_token(token)
        article = get_object_or_404(Article.objects.for_reading(), pk=pk)
        sharing.check_revision(article, revision)
    except signing.BadSignature:
        raise Http404("Invalid preview link") from None
    except sharing.LinkGone as gone:
        return _link_gone(request, str(gone))
    return _no_index(render_article(request, article, extra_context={"preview": True}))


def _link_gone(request, message):
    response = render(request, "admin/articles/preview_gone.html", {"message": message}, status=410)
    return _no_index(response)
