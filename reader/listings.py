"""The home page's stories: lead, latest and one block per navigation section."""

import hashlib
from dataclasses import dataclass, field

from django.db.models import prefetch_related_objects

from articles import events
from articles.models import Article, bylines_with_authors

from .cache import cached, depends_on
from .fragments import SectionLink

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


def front_page(sections: list[SectionLink], latest=LATEST, per_section=PER_SECTION) -> FrontPage:
    """Everything the home page lists, in one query once the choice of stories
    is made (kept until a change touches it, by `_choose`)."""
    chosen = []
    plan = _plan(sections, latest, per_section, chosen)
    rows = {article.pk: article for article in chosen} or _load(plan)
    if len(rows) < len(set(_ids(plan))):
        # A story went away in a write that did not bump the version: choose afresh.
        chosen = list(_candidates(sections, latest, per_section))
        plan = _choose(chosen, sections, latest, per_section)
        rows = {article.pk: article for article in chosen}
    if plan["lead"] is None:
        return FrontPage()
    lead = rows[plan["lead"]]
    # The lead's bylines are on the page; cards fetch theirs only when not rendered yet.
    prefetch_related_objects([lead], bylines_with_authors())
    links = {section.id: section for section in sections}
    return FrontPage(
        lead=lead,
        latest=[rows[i] for i in plan["latest"]],
        blocks=[
            SectionBlock(links[section_id], [rows[i] for i in block])
            for section_id, block in plan["blocks"]
        ],
    )


def lead_story_id(sections: list[SectionLink], latest=LATEST, per_section=PER_SECTION):
    """The id of the home page's lead story (None without one): from the
    choice front_page() keeps, so no query once that is made."""
    return _plan(sections, latest, per_section, [])["lead"]


def _plan(sections, latest, per_section, chosen):
    """The stories' ids, chosen once and kept (`chosen` receives the rows when
    they are chosen now)."""

    def choose():
        chosen.extend(_candidates(sections, latest, per_section))
        plan = _choose(chosen, sections, latest, per_section)
        depends_on(*map(events.article_key, _ids(plan)))
        return plan, None

    # Hashed: a site with a hundred sections would make a key memcached refuses.
    section_ids = ",".join(str(section.id) for section in sections).encode()
    digest = hashlib.blake2b(section_ids, digest_size=12).hexdigest()
    return cached(f"front-page:{latest}:{per_section}:{digest}", choose, keys=[events.LATEST])


def _ids(plan):
    lead = [plan["lead"]] if plan["lead"] else []
    return [*lead, *plan["latest"], *(i for _, block in plan["blocks"] for i in block)]


def _load(plan):
    articles = Article.objects.published().filter(pk__in=_ids(plan)).for_cards(bylines=False)
    return {article.pk: article for article in articles}


def _candidates(sections, latest, per_section):
    """The stories the home page may show, in one query whatever the number of
    sections.

    Each part (newest pinned story, newest feature, latest stories, each
    section's newest) is a small LIMITed subquery that an index answers; the
    page fetches the union of their ids. Every part asks for one more than it
    shows, because the lead story is not repeated below it.
    """
    published = Article.objects.published()
    parts = [
        published.filter(is_pinned=True)[:1],
        published.features()[:1],
        published[: latest + 1],
        *(published.filter(section_id=section.id)[: per_section + 1] for section in sections),
    ]
    # SQLite allows no LIMIT in a member of a UNION, so each member wraps its
    # LIMITed part as `id IN (…)`. One union() of them all: chained two by two,
    # each union nests the last inside a subquery, and SQLite's parser gives
    # up ("parser stack overflow") past ten sections.
    first, *rest = (
        Article.objects.filter(pk__in=part.values("pk")).order_by().values("pk") for part in parts
    )
    ids = first.union(*rest, all=True)
    # Every member is published already; filtering the outer query again lets
    # SQLite walk every published row to test `id IN (…)` instead of looking
    # the few ids up (80 ms against 1 on 100,000 articles).
    return Article.objects.filter(pk__in=ids).for_cards(bylines=False)


def _choose(candidates, sections, latest, per_section):
    """The lead, the latest and each section's block, as ids (plain data, to cache)."""
    rows = sorted(candidates, key=lambda a: (a.published_at, a.pk), reverse=True)
    if not rows:
        return {"lead": None, "latest": [], "blocks": []}
    lead = (
        next((a for a in rows if a.is_pinned), None)
        or next((a for a in rows if a.is_feature), None)
        or rows[0]
    )
    rest = [a for a in rows if a is not lead]
    blocks = []
    for section in sections:
        block = [a.pk for a in rest if a.section_id == section.id][:per_section]
        if block:
            blocks.append((section.id, block))
    return {"lead": lead.pk, "latest": [a.pk for a in rest[:latest]], "blocks": blocks}
