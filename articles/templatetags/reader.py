"""Template tags of the reader site: navigation, sidebar, pictures, bylines."""

import json

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from ..fragments import navigation_sections, recent_features, rendered_cards
from ..images import lead_picture as make_lead_picture

register = template.Library()

# Like django.utils.html.json_script: nothing in the data can end the <script>.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag
def site_name():
    return settings.NEWSROOM_SITE_NAME


@register.simple_tag(takes_context=True)
def absolute_uri(context, path):
    return context["request"].build_absolute_uri(path)


@register.inclusion_tag("includes/navigation.html", takes_context=True)
def site_navigation(context):
    """The sections in navigation order; the current one (its page, or the
    section of the article shown) is marked with aria-current."""
    section = context.get("section")
    if section is None:
        section = getattr(context.get("article"), "section", None)
    return {
        "sections": navigation_sections(),
        "current_slug": getattr(section, "slug", None),
        "is_section_page": context.get("section") is not None,
    }


@register.inclusion_tag("includes/footer_sections.html")
def footer_sections():
    return {"sections": navigation_sections()}


@register.inclusion_tag("includes/recent_features.html")
def recent_features_sidebar():
    return {"features": recent_features()}


@register.simple_tag
def card(article, variant="river", level=2, show_section=False):
    """A story card (articles/includes/article_card.html), rendered once per
    content version: variant "river", "tile" or "compact"; heading level."""
    return mark_safe(  # rendered from our own template, escaped there
        rendered_cards.get(article, variant=variant, level=level, show_section=show_section)
    )


@register.filter
def lead_picture(article):
    """The renditions of an article's lead image (None without one)."""
    return make_lead_picture(
        article.lead_image,
        article.lead_image_width,
        article.lead_image_height,
        article.lead_image_alt,
    )


@register.inclusion_tag("includes/picture.html")
def picture(picture, sizes, css_class="", loading="lazy", width=None, height=None):
    """A <picture> with WebP and JPEG srcsets; `width`/`height` override the
    intrinsic size attributes (e.g. for a square thumbnail box)."""
    return {
        "picture": picture,
        "sizes": sizes,
        "css_class": css_class,
        "loading": loading,
        "width": width or (picture.width if picture else None),
        "height": height or (picture.height if picture else None),
    }


@register.filter
def byline_groups(bylines):
    """[(role label, [authors])] in byline order: "By A and B", "Photos by C"."""
    groups = {}
    for byline in bylines:
        groups.setdefault(byline.get_role_display(), []).append(byline.author)
    return list(groups.items())


@register.filter
def json_ld(data):
    """`data` as a <script type="application/ld+json"> element, safely escaped."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(JSON_SCRIPT_ESCAPES)),
    )
