"""WordPress content to article HTML: wpautop, captions with credits, shortcodes."""

import pytest

from articles.sanitize import sanitize_html
from importers.html import convert_rendered, convert_wordpress, split_credit, wpautop


def test_wpautop_makes_paragraphs_and_line_breaks():
    html = wpautop("First line\nsecond line.\n\nNew paragraph.\r\n\r\n<h2>Head</h2>\nAfter.")

    assert html == (
        "<p>First line<br />\nsecond line.</p>\n<p>New paragraph.</p>\n"
        "<h2>Head</h2>\n<p>After.</p>\n"
    )


def test_wpautop_leaves_pre_and_lists_alone():
    html = wpautop("<pre>a\n\nb</pre>\n\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>")

    assert "<pre>a\n\nb</pre>" in html
    assert "<p><li>" not in html and "<li>one</li>" in html


def test_wpautop_moves_paragraphs_inside_blockquotes():
    assert wpautop("<blockquote>Quoted.</blockquote>") == (
        "<blockquote><p>Quoted.</p></blockquote>\n"
    )


def test_block_editor_content_is_not_autop_ed_twice():
    content = "<!-- wp:paragraph -->\n<p>One\ntwo</p>\n<!-- /wp:paragraph -->"

    assert "<br" not in convert_wordpress(content).html


@pytest.mark.parametrize(
    "caption, expected",
    [
        ("Boats at dawn. Photo: Ana Silva", ("Boats at dawn.", "Ana Silva")),
        ("A gull on the rail (Photo by Ana Silva)", ("A gull on the rail", "Ana Silva")),
        ("Crowds. Credit: Jo Reyes/AP", ("Crowds.", "Jo Reyes/AP")),
        ("Image courtesy of the Museum", ("", "the Museum")),
        ("Just a caption about photography", ("Just a caption about photography", "")),
        ("", ("", "")),
    ],
)
def test_split_credit(caption, expected):
    assert split_credit(caption) == expected


def test_caption_shortcode_attribute_form_becomes_a_figure_with_its_credit():
    content = (
        '[caption id="attachment_1" width="300" caption="Boats at dawn. Photo: Ana Silva"]'
        '<img src="https://x.example/a.jpg" alt="Boats" />[/caption]'
    )
    html = sanitize_html(convert_wordpress(content).html)

    assert html == (
        '<figure><img src="https://x.example/a.jpg" alt="Boats">'
        "<figcaption>Boats at dawn. <cite>Ana Silva</cite></figcaption></figure>"
    )


def test_caption_shortcode_content_form_over_several_lines_with_a_link():
    content = (
        '[caption id="a" align="alignright"]<a href="https://x.example/big.jpg">'
        '<img src="https://x.example/small.jpg" alt="A gull" /></a> A gull on\nthe '
        '<a href="https://x.example/rail">rail</a>[/caption]'
    )
    html = sanitize_html(convert_wordpress(content).html)

    assert "[caption" not in html and "[/caption]" not in html
    assert html.startswith('<figure><a href="https://x.example/big.jpg"')
    assert '<figcaption>A gull on the <a href="https://x.example/rail"' in html


def test_shortcodes_are_converted_or_removed_never_shown_raw():
    content = (
        'Intro.\n\n[gallery ids="1,2,3"]\n\n[embed]https://video.example/v/1[/embed]\n\n'
        "[vc_row][vc_column]Kept text.[/vc_column][/vc_row]\n\n"
        "[sourcecode lang=\"py\"]print('<hi>')[/sourcecode]\n\nA [sic] note and [c]hoosing."
    )
    conversion = convert_wordpress(content)
    html = sanitize_html(conversion.html)

    assert "[gallery" not in html and "[vc_" not in html and "[embed" not in html
    assert '<a href="https://video.example/v/1"' in html
    assert "Kept text." in html
    assert "<pre><code>print('&lt;hi&gt;')</code></pre>" in html
    assert "A [sic] note and [c]hoosing." in html
    assert conversion.warnings() == ["removed shortcodes: [gallery]×1, [vc_column]×1, [vc_row]×1"]


def test_rendered_wordpress_captions_become_figures():
    html = convert_rendered(
        '<div id="attachment_9" class="wp-caption aligncenter">'
        '<img src="https://x.example/i.png" />'
        '<p class="wp-caption-text">The pier. Photo: Staff</p></div>'
    )

    assert html == (
        '<figure><img src="https://x.example/i.png" /><figcaption>The pier. '
        "<cite>Staff</cite></figcaption></figure>"
    )
