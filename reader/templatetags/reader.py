"""Template tags of the reader site: navigation, sidebar, pictures, bylines."""

import json

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from articles.images import lead_picture as make_lead_picture

from ..fragments import navigation_sections, recent_features, rendered

register = template.Library()

# Like django.utils.html.json_script: nothing in the data can end the <script>.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


# Bidirectional embeddings and overrides (closed by PDF) and isolates (closed
# by PDI). Legacy titles keep every character they had (imports are byte-exact).
_PDF, _PDI = "\u202c", "\u2069"
_BIDI_OPENERS = dict.fromkeys("\u202a\u202b\u202d\u202e", _PDF) | dict.fromkeys(
    "\u2066\u2067\u2068", _PDI
)
_BIDI_CONTROLS = frozenset(_BIDI_OPENERS) | {_PDF, _PDI}


@register.filter
def bidi_closed(text):
    """The text with every direction control it leaves open closed at its end,
    so that it cannot reorder what follows it ("title | site" in <title>)."""
    text = str(text)
    if _BIDI_CONTROLS.isdisjoint(text):
        return text
    open_ = []  # closers owed, innermost last (Unicode's bidi algorithm, X1–X8)
    for char in text:
        if char in _BIDI_OPENERS:
            open_.append(_BIDI_OPENERS[char])
        elif char == _PDF and open_ and open_[-1] == _PDF:
            open_.pop()
        elif char == _PDI and _PDI in open_:
            del open_[len(open_) - 1 - open_[::-1].index(_PDI) :]
    return text + "".join(reversed(open_))


@register.simple_tag
def site_name():
    return settings.NEWSROOM_SITE_NAME


@register.simple_tag(takes_context=True)
def absolute_uri(context, path):
    return context["request"].build_absolute_uri(path)


@register.simple_tag(takes_context=True)
def site_navigation(context):
    """The sections in navigation order; the current one (its page, or the
    section of the article shown) is marked with aria-current."""
    section = context.get("section")
    is_section_page = section is not None
    if section is None:
        section = getattr(context.get("article"), "section", None)
    current_slug = getattr(section, "slug", None)
    return _fragment(
        ("navigation", current_slug, is_section_page),
        "includes/navigation.html",
        lambda: {
            "sections": navigation_sections(),
            "current_slug": current_slug,
            "is_section_page": is_section_page,
        },
    )


@register.simple_tag
def footer_sections():
    return _fragment(
        ("footer-sections",),
        "includes/footer_sections.html",
        lambda: {"sections": navigation_sections()},
    )


@register.simple_tag(takes_context=True)
def recent_features_sidebar(context):
    """The sidebar, without the story the page is about or leads with (its
    view names it as `sidebar_exclude`, or it is the page's `article`)."""
    lead = context.get("sidebar_exclude")
    lead = lead() if callable(lead) else getattr(context.get("article"), "pk", None)
    # One variant per story the sidebar would otherwise show, not one per page.
    shown = {feature.id for feature in recent_features()} if lead else set()
    exclude = frozenset({lead}) if lead in shown else frozenset()
    return _fragment(
        ("recent-features", *exclude),
        "includes/recent_features.html",
        lambda: {"features": recent_features(exclude)},
    )


class FragmentNode(template.Node):
    def __init__(self, name, parts, nodelist):
        self.name, self.parts, self.nodelist = name, parts, nodelist

    def render(self, context):
        if context.get("preview"):  # what staff preview is never kept for readers
            return self.nodelist.render(context)
        key = (self.name, *(part.resolve(context) for part in self.parts))
        # A part of a page: it shows what the page's view loaded.
        return rendered.get(key, lambda: self.nodelist.render(context), inherit=True)


@register.tag
def fragment(parser, token):
    """{% fragment "name" var ... %}…{% endfragment %}: the enclosed template,
    rendered once per content version and per value of the variables (like
    Django's {% cache %}, without a timeout: the version retires it). Work the
    page would do only for this part should be lazy in the view's context."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% fragment %} needs a name")
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    parts = [parser.compile_filter(bit) for bit in bits[2:]]
    return FragmentNode(bits[1].strip("\"'"), parts, nodelist)


def _fragment(key, template_name, context):
    """A fragment rendered once per content version (see RenderedFragments)."""
    return mark_safe(  # rendered from our own templates, escaped there
        rendered.get(key, lambda: render_to_string(template_name, context()))
    )


@register.simple_tag
def with_cards(articles, variant="river", level=2, show_section=False):
    """[(article, its card)] for a listing that puts more beside each card
    (search snippets); like {% cards %}, one query for the bylines of cards
    not rendered yet."""
    articles = list(articles)
    cards = rendered.cards(articles, variant=variant, level=level, show_section=show_section)
    return [(article, mark_safe(card)) for article, card in zip(articles, cards, strict=True)]


@register.simple_tag
def cards(articles, variant="river", level=2, show_section=False):
    """The cards of a whole listing: the bylines of cards not yet rendered
    come in one query, the rest from memory."""
    return mark_safe(
        "".join(
            rendered.cards(list(articles), variant=variant, level=level, show_section=show_section)
        )
    )


@register.simple_tag
def section_blocks(blocks):
    """The home page's block per section, as tiles: the bylines of every block's
    cards not rendered yet come in one query, whatever the number of sections."""
    articles = [article for block in blocks for article in block.articles]
    cards = iter(rendered.cards(articles, variant="tile", level=3))
    rows = [(block, [mark_safe(next(cards)) for _ in block.articles]) for block in blocks]
    return render_to_string("articles/includes/section_blocks.html", {"blocks": rows})


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
