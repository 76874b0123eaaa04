"""Page dumps: one article per `.txt` file, as saved from the old site's pages.

The shape (blank lines between blocks; any of the middle parts may be missing)::

    Section name
    Title
    Recent Features              <- sidebar furniture, dropped
    Section name                 <- repeated section and title, dropped
    Title
    By Jane Doe                  <- optional byline
    The dek, one paragraph.
    Image caption (often the title again)
    Credit: Source
    Body paragraph…
    Body paragraph…

The legacy key is a hash of the section and title, so the same page imports as
the same article whatever the file is called or wherever the dump is unpacked.
"""

import hashlib
import html
import re

from .base import Category, ImportProblem, ImportRecord, one_line
from .html import text_to_html

# Headings of sidebars and page chrome that a page dump picks up around the article.
FURNITURE = frozenset(
    {
        "recent features",
        "recent posts",
        "recent articles",
        "related",
        "related articles",
        "related posts",
        "most popular",
        "most read",
        "advertisement",
        "share",
        "share this",
        "read more",
    }
)
_CREDIT = re.compile(r"^(?:image\s+|photo\s+)?credit\s*:\s*(?P<credit>.*)$", re.IGNORECASE)
_BYLINE = re.compile(r"^by\s+(?P<names>\S.{0,150})$", re.IGNORECASE)
_NAME_SPLIT = re.compile(r"\s*(?:,|\band\b|&)\s*")
_PARTICLES = frozenset(
    {"van", "von", "de", "der", "den", "da", "di", "du", "le", "la", "bin", "al"}
)
# "d'Arcy", "l'Estrange": an elided particle before a capital.
_ELIDED = re.compile(r"^[a-z]['’]\w")
# What follows a name after a comma in a byline ("By Ines Marlow, Staff Writer").
_ROLES = frozenset(
    {
        "writer", "correspondent", "editor", "reporter", "contributor", "columnist",
        "photographer", "staff", "chief", "producer", "analyst", "intern",
    }
)  # fmt: skip
# A dek without a credit line after it is told from a first body paragraph by length.
MAX_DEK_LENGTH = 300
# How far into a page the header (dek, caption, credit, byline) is looked for.
MAX_HEADER_LINES = 16


class TextParseError(ImportProblem):
    def __init__(self, message, line=None):
        super().__init__(message)
        self.line = line


def _norm(text: str) -> str:
    return one_line(text).casefold()


def _blocks(text: str):
    """(first line number, [lines]) for each run of non-blank lines."""
    block, start = [], None
    for number, raw in enumerate(text.split("\n"), start=1):
        line = one_line(html.unescape(raw))
        if line:
            if not block:
                start = number
            block.append(line)
        elif block:
            yield start, block
            block = []
    if block:
        yield start, block


def _byline(line: str):
    """The names in a "By Jane Doe and John Roe" line, or None if it is a sentence."""
    match = _BYLINE.match(line)
    if not match:
        return None
    names = [n for n in _NAME_SPLIT.split(match.group("names").rstrip(".")) if n]
    names = [n for n in names if n.split()[-1].casefold().removesuffix("s") not in _ROLES]
    for name in names:
        words = name.split()
        if not 1 <= len(words) <= 5:
            return None
        if not all(w[0].isupper() or w.casefold() in _PARTICLES or _ELIDED.match(w) for w in words):
            return None
    return names or None


def _first_block(lines, header):
    """The lines of the block the header starts with (a dek wrapped over several)."""
    start, block = header[0][0], lines[header[0][0]][3]
    return [line for _, line, _, index in lines[start:] if index == block]


def decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise TextParseError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} on line {line}); "
            "save the file as UTF-8 and import it again",
            line,
        ) from None
    if "\x00" in text:
        raise TextParseError("this is a binary file, not a page dump")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_text(data: bytes, *, source: str = "") -> ImportRecord:
    """One page dump as a record; raises TextParseError (only) when it cannot be read."""
    if not data.strip():
        raise TextParseError("the file is empty")
    blocks = list(_blocks(decode(data)))
    # Work line by line, remembering where blocks end: the caption and its
    # credit share a block, body paragraphs are whole blocks.
    lines = [
        (number + i, line, i == len(b) - 1, index)
        for index, (number, b) in enumerate(blocks)
        for i, line in enumerate(b)
    ]
    if len(lines) < 2:
        raise TextParseError("a page dump needs at least a section name and a title", 1)
    (_, section, *_), (title_line, title, *_) = lines[0], lines[1]
    if len(title) > 300:
        raise TextParseError("the title (line 2) is longer than 300 characters", title_line)
    if len(section) > 100:
        raise TextParseError("the section name (line 1) is longer than 100 characters", 1)
    chrome = {_norm(section), _norm(title)}

    authors, header, credit, caption = [], [], "", ""
    i = 2
    # The header (dek, caption and credit, a byline) is a few blocks; a dek may
    # be wrapped over several lines of one.
    while i < len(lines) and len({lines[j][3] for j, _ in header}) < 3 and i < MAX_HEADER_LINES:
        line, block_end = lines[i][1], lines[i][2]
        credit_match = _CREDIT.match(line)
        if credit_match:
            credit = credit_match.group("credit").strip()
            # The caption is the line just above the credit, in the same block.
            if not lines[i - 1][2]:
                caption = lines[i - 1][1]
                if header and header[-1][1] == caption:
                    header.pop()
            i += 1
            break
        if _norm(line) in chrome or _norm(line) in FURNITURE:
            i += 1
            continue
        names = _byline(line) if block_end else None
        if names:
            authors = names
        else:
            header.append((i, line))
        i += 1

    first = _first_block(lines, header) if header else []
    if credit or caption:
        dek_lines, body_start = [line for _, line in header], i
    elif (
        first and len(" ".join(first)) <= MAX_DEK_LENGTH and len(lines) > header[0][0] + len(first)
    ):
        # No credit line: a short first paragraph is the dek, the rest is body.
        dek_lines, body_start = first, header[0][0] + len(first)
    elif header:
        dek_lines, body_start = [], header[0][0]
    else:
        dek_lines, body_start = [], i

    paragraphs, current = [], []
    for _number, line, block_end, _block in lines[body_start:]:
        if not paragraphs and not current and _norm(line) in chrome:
            continue  # a caption-less repeat of the title just above the body
        current.append(line)
        if block_end:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))

    digest = hashlib.sha256(f"{_norm(section)}\x1f{_norm(title)}".encode()).hexdigest()[:24]
    return ImportRecord(
        legacy_key=f"text:{digest}",
        title=title,
        source=source,
        location="line 1",
        categories=[Category(section)],
        dek=" ".join(dek_lines),
        body=text_to_html(paragraphs),
        authors=authors,
        image_caption=caption,
        image_credit=credit,
    )
