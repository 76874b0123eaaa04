"""WordPress content to clean article HTML: auto-paragraphs, captions, shortcodes.

The result still goes through `articles.sanitize.sanitize_html` in the writer;
this module only rebuilds what WordPress would have rendered.
"""

import html
import re
from collections import Counter
from dataclasses import dataclass, field

ALL_BLOCKS = (
    r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre"
    r"|form|map|area|blockquote|address|style|p|h[1-6]|hr|fieldset|legend|section|article"
    r"|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary)"
)
_BLOCK_OPEN = re.compile(r"(<" + ALL_BLOCKS + r"[\s/>])")
_BLOCK_CLOSE = re.compile(r"(</" + ALL_BLOCKS + r">)")
# Tags and comments that span lines (the only ones wpautop must protect).
_MULTILINE_TAG = re.compile(r"<!--(?:(?!-->).)*?\n.*?-->|<[^>\n]*\n[^>]*>", re.DOTALL)
_PRE = re.compile(r"<pre[\s>].*?</pre>", re.DOTALL | re.IGNORECASE)
_PRESERVE = re.compile(r"<(script|style|svg|math).*?</\1>", re.DOTALL)


def wpautop(text: str) -> str:
    """A port of WordPress's `wpautop()`: blank lines make paragraphs, single newlines `<br>`."""
    if not text.strip():
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n") + "\n"
    pre_tags = {}

    def keep_pre(match):
        key = f"<pre wp-pre-tag-{len(pre_tags)}></pre>"
        pre_tags[key] = match.group(0)
        return key

    text = _PRE.sub(keep_pre, text)
    text = re.sub(r"<br\s*/?>\s*<br\s*/?>", "\n\n", text)
    text = _BLOCK_OPEN.sub(r"\n\n\1", text)
    text = _BLOCK_CLOSE.sub(r"\1\n\n", text)
    text = re.sub(r"(<hr\s*?/?>)", r"\1\n\n", text)
    text = _MULTILINE_TAG.sub(lambda m: m.group(0).replace("\n", " <!-- wpnl --> "), text)
    text = re.sub(r"\n\n+", "\n\n", text)
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p]
    text = "".join("<p>" + p.strip("\n") + "</p>\n" for p in paragraphs)
    text = re.sub(r"<p>\s*</p>", "", text)
    text = re.sub(r"<p>([^<]++)</(div|address|form)>", r"<p>\1</p></\2>", text)
    text = re.sub(r"<p>\s*(</?" + ALL_BLOCKS + r"[^>]*>)\s*</p>", r"\1", text)
    text = re.sub(r"<p>(<li.+?)</p>", r"\1", text)
    text = re.sub(r"<p><blockquote([^>]*)>", r"<blockquote\1><p>", text, flags=re.IGNORECASE)
    text = text.replace("</blockquote></p>", "</p></blockquote>")
    text = re.sub(r"<p>\s*(</?" + ALL_BLOCKS + r"[^>]*>)", r"\1", text)
    text = re.sub(r"(</?" + ALL_BLOCKS + r"[^>]*>)\s*</p>", r"\1", text)
    text = _PRESERVE.sub(lambda m: m.group(0).replace("\n", "<WPPreserveNewline />"), text)
    text = text.replace("<br>", "<br />").replace("<br/>", "<br />")
    text = _newlines_to_br(text)
    text = text.replace("<WPPreserveNewline />", "\n")
    text = re.sub(r"(</?" + ALL_BLOCKS + r"[^>]*>)\s*<br />", r"\1", text)
    text = re.sub(r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)", r"\1", text)
    text = re.sub(r"\n</p>$", "</p>", text)
    for key, value in pre_tags.items():
        text = text.replace(key, value)
    return text.replace(" <!-- wpnl --> ", "\n").replace("<!-- wpnl -->", "\n")


def _newlines_to_br(text: str) -> str:
    """WordPress turns each remaining newline into `<br />`; a regex would try every space."""
    lines = text.split("\n")
    out = []
    for line in lines[:-1]:
        stripped = line.rstrip()
        out.append(line + "\n" if stripped.endswith("<br />") else stripped + "<br />\n")
    out.append(lines[-1])
    return "".join(out)


def text_to_html(paragraphs) -> str:
    """Plain-text paragraphs as `<p>` elements, everything escaped."""
    return "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs if p)


_TAG = re.compile(r"</?[a-zA-Z][^>]*>|<!--.*?-->", re.DOTALL)


def strip_tags(value: str) -> str:
    """Plain text of a bit of HTML: tags dropped, entities decoded once, whitespace collapsed."""
    value = _TAG.sub(" ", value)
    return " ".join(html.unescape(value).split())


# "Photo: Jane Doe/AP", "Credit: Pixabay", "(Photo by Jane Doe)", "Image courtesy of X".
_CREDIT = re.compile(
    r"(?:^|(?<=[\s.;,(—–-]))\(?\s*(?:photo(?:graph)?s?|pictures?|images?|illustration|credit)"
    r"(?:\s+credit)?(?:\s*:\s*|\s+(?:by|courtesy(?:\s+of)?)\s+)(?P<credit>[^()]+?)\s*\)?\s*\.?\s*$",
    re.IGNORECASE,
)


def split_credit(caption: str) -> tuple[str, str]:
    """Separate a trailing photo credit from a caption: ("A pier.", "Jane Doe/AP")."""
    match = _CREDIT.search(caption)
    if not match or not match.group("credit").strip():
        return caption.strip(), ""
    return caption[: match.start()].strip(" \t\n-—–;,("), match.group("credit").strip()


@dataclass
class Conversion:
    html: str
    removed_shortcodes: Counter = field(default_factory=Counter)

    def warnings(self):
        if not self.removed_shortcodes:
            return []
        names = ", ".join(f"[{n}]×{c}" for n, c in sorted(self.removed_shortcodes.items()))
        return [f"removed shortcodes: {names}"]


_ATTR = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'\]]+))""")
_CAPTION = re.compile(r"\[(wp_caption|caption)\b([^\]]*)\](.*?)\[/\1\]", re.DOTALL | re.IGNORECASE)
_MEDIA = re.compile(r"^\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)$", re.DOTALL)
_RENDERED_CAPTION = re.compile(
    r"<div\b[^>]*\bclass=\"[^\"]*\bwp-caption\b[^\"]*\"[^>]*>(.*?)"
    r"<(p|span|figcaption)\b[^>]*\bclass=\"[^\"]*\bwp-caption-text\b[^\"]*\"[^>]*>(.*?)</\2>"
    r"\s*</div>",
    re.DOTALL,
)
# Known shortcodes, plus anything that looks unmistakably like one (attributes or a
# closing tag), so that "[c]hoosing" or "[sic]" in a sentence stay text.
_KNOWN = re.compile(
    r"^(?:gallery|embed|audio|video|playlist|youtube|vimeo|soundcloud|tweet|twitter|"
    r"instagram|code|sourcecode|source|googlemaps|contact-form(?:-7)?|vc_\w+|et_pb_\w+|"
    r"fusion_\w+|av_\w+|su_\w+|wpforms|ninja_form|gravityform|pullquote|dropcap|"
    r"button|column|one_half\w*|one_third\w*|row|box|tabs?|toggle|accordion\w*)$",
    re.IGNORECASE,
)
_SHORTCODE = re.compile(r"\[(/?)([a-zA-Z][\w-]*)((?:\s[^\[\]]*?)?)(/?)\]")
_EMBED_URL = re.compile(r"^\s*(https?://\S+)\s*$")
_CODE = re.compile(r"\[(code|sourcecode|source)\b[^\]]*\](.*?)\[/\1\]", re.DOTALL | re.IGNORECASE)
_EMBED = re.compile(
    r"\[(embed|youtube|vimeo|soundcloud|audio|video)\b([^\]]*)\](?:(.*?)\[/\1\])?",
    re.DOTALL | re.IGNORECASE,
)


def _attrs(text: str) -> dict:
    return {
        m.group(1).lower(): next(g for g in m.groups()[1:] if g is not None)
        for m in _ATTR.finditer(text)
    }


def _figure(media: str, caption_html: str) -> str:
    caption, credit = split_credit(" ".join(caption_html.split()))
    parts = [caption]
    if credit:
        parts.append(f"<cite>{credit}</cite>")
    figcaption = " ".join(p for p in parts if p)
    if not figcaption:
        return f"<figure>{media.strip()}</figure>"
    return f"<figure>{media.strip()}<figcaption>{figcaption}</figcaption></figure>"


def _caption(match) -> str:
    attrs = _attrs(match.group(2))
    inner = match.group(3)
    media = _MEDIA.match(inner)
    if not media:
        return inner
    caption = attrs.get("caption") or media.group(2)
    return _figure(media.group(1), caption)


def _embed(match) -> str:
    attrs = _attrs(match.group(2))
    url = (match.group(3) or "").strip() or attrs.get("src") or attrs.get("url") or ""
    if not url:
        bare = match.group(2).strip()
        url = bare if bare.startswith(("http://", "https://")) else ""
    url = url.strip()
    if not url.startswith(("http://", "https://")):
        return ""
    safe = html.escape(url)
    return f'\n\n<p><a href="{safe}">{safe}</a></p>\n\n'


def _code(match) -> str:
    body = html.escape(html.unescape(match.group(2).strip("\n")), quote=False)
    return f"\n\n<pre><code>{body}</code></pre>\n\n"


def convert_wordpress(content: str) -> Conversion:
    """content:encoded as WordPress would render it, minus what we cannot run."""
    removed = Counter()
    figures = []

    def hold(match):
        # Figures are put back after wpautop, which would break them into paragraphs.
        figures.append(_caption(match))
        return f"\n\nWPFIGURE{len(figures) - 1}\n\n"

    text = _CODE.sub(_code, content)
    text = _CAPTION.sub(hold, text)
    text = _EMBED.sub(_embed, text)

    names = {m.group(2) for m in _SHORTCODE.finditer(text) if m.group(1)}

    def drop(match):
        name = match.group(2)
        if _KNOWN.match(name) or name in names or "=" in match.group(3):
            removed[name.lower()] += 0 if match.group(1) else 1
            return ""
        return match.group(0)

    text = _SHORTCODE.sub(drop, text)
    # Block-editor content already has its paragraphs; classic content gets wpautop.
    if "<!-- wp:" not in text:
        text = wpautop(text)
    for number, figure in reversed(list(enumerate(figures))):
        text = text.replace(f"<p>WPFIGURE{number}</p>", figure).replace(f"WPFIGURE{number}", figure)
    text = _RENDERED_CAPTION.sub(lambda m: _figure(m.group(1), m.group(3)), text)
    return Conversion(text, +removed)


def convert_rendered(content: str) -> str:
    """Already-rendered WordPress HTML (REST API): only captions need rebuilding."""
    return _RENDERED_CAPTION.sub(lambda m: _figure(m.group(1), m.group(3)), content)
