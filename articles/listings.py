"""The home page's stories: lead, latest and one block per navigation section."""

from dataclasses import dataclass, field
from functools import reduce

from .fragments import SectionLink
from .models import Article

LATEST = 6
PER_SECTION = 4


@dataclass
class SectionBlock:
    section: SectionLink
    articles: list[Article]


@dataclass
class FrontPage:
    lead: Article | None = None
    latest: list[Article] = field(default_factory=list)
    blocks: list[SectionBlock] = field(default_factory=list)


def _newest_first(article):
    return (article.published_at, article.pk)


def front_page(sections: list[SectionLink], latest=LATEST, per_section=PER_SECTION) -> FrontPage:
    """Everything the home page lists, in two queries whatever the number of sections.

    Each part (newest pinned story, newest feature, latest stories, each
    section's newest) is a small LIMITed subquery that an index answers; the
    page fetches the union of their ids in one query (plus the bylines) and
    sorts it out here. Every part asks for one more than it shows, because the
    lead story is not repeated below it.
    """
    published = Article.objects.published()
    parts = [
        published.filter(is_pinned=True)[:1],
        published.features()[:1],
        published[: latest + 1],
        *(published.filter(section_id=section.id)[: per_section + 1] for section in sections),
    ]
    # SQLite allows no LIMIT in a member of a UNION, so each member wraps its
    # LIMITed part as `id IN (…)`.
    ids = reduce(
        lambda union, member: union.union(member, all=True),
        (
            Article.objects.filter(pk__in=part.values("pk")).order_by().values("pk")
            for part in parts
        ),
    )
    rows = sorted(
        published.filter(pk__in=ids).for_cards(),
        key=_newest_first,
        reverse=True,
    )
    if not rows:
        return FrontPage()
    lead = (
        next((a for a in rows if a.is_pinned), None)
        or next((a for a in rows if a.is_feature), None)
        or rows[0]
    )
    rest = [a for a in rows if a is not lead]
    blocks = []
    for section in sections:
        articles = [a for a in rest if a.section_id == section.id][:per_section]
        if articles:
            blocks.append(SectionBlock(section, articles))
    return FrontPage(lead=lead, latest=rest[:latest], blocks=blocks)
