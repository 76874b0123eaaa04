"""Synthetic archives for benchmarks: realistic sizes, deterministic, fast to write.

Sections are skewed like a real newsroom (50/20/15/10/5 %), bodies run to
800–1,500 words, each article has 1–3 bylines and a lead image. Images come
from a small pool of real JPEGs: a hundred thousand distinct files would
measure the disk, not the site.
"""

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.text import slugify

from articles import events
from articles.images import make_lead_renditions
from articles.models import Article, Author, Byline, ImageCredit
from search.engine import refresh_search_vectors
from sections.models import Section

from .content import demo_image

KEY_PREFIX = "gen:"
SECTIONS = [
    ("News", "news", 50),
    ("Politics", "politics", 20),
    ("Business", "business", 15),
    ("Culture", "culture", 10),
    ("Sport", "sport", 5),
]
FIRST = (
    "Amani Bao Citlali Dara Emeka Farid Gita Hemi Ilse Jomo Kiri Lior Maya Nalu Oren Priya".split()
)
LAST = "Aziz Batbayar Chua Dimaano Eze Fukuda Gill Hartono Iwu Jayasuriya Kaur Lam Moana".split()
SUBJECTS = [
    "Port authority", "Provincial council", "Fisheries agency", "Central bank", "Rail operator",
    "Teachers' union", "Election commission", "Coast guard", "Health ministry", "Rice growers",
    "Film festival", "Water board", "University senate", "Trade envoys", "Island council",
]  # fmt: skip
VERBS = [
    "approves", "delays", "unveils", "rejects", "debates", "expands", "trims", "defends",
    "questions", "launches", "reviews", "revives", "postpones", "doubles",
]  # fmt: skip
OBJECTS = [
    "harbour dredging plan", "night ferry routes", "flood barrier budget", "rural clinic network",
    "fishing quota deal", "coastal rail extension", "seawall contract", "language curriculum",
    "solar subsidy", "rent ceiling", "market hall redesign", "visa scheme", "border crossing hours",
    "typhoon shelter fund", "public broadcaster charter", "mangrove restoration",
]  # fmt: skip
WORDS = (
    "the a of to and in that for on with as was said it by at from this be have are were "
    "government minister council province island harbour ferry budget report year week "
    "officials residents plan coast election vote parliament trade rice fishing village city "
    "market workers farmers schools teachers students police court ruling agreement treaty "
    "according spokesperson statement former community support evidence analysis district cost "
    "funding proposal review energy typhoon rainfall season exports imports shipping border "
    "reform opposition coalition survey million percent local regional national maritime "
    "infrastructure investment prices wages families migrants language festival museum history"
).split()


@dataclass
class GenerateResult:
    created: int
    paths: list[tuple[str, str]]


def _sentence(rng):
    words = [rng.choice(WORDS) for _ in range(rng.randint(10, 22))]
    return " ".join(words).capitalize() + "."


def _paragraph(rng):
    return " ".join(_sentence(rng) for _ in range(rng.randint(4, 6)))


def _body(rng):
    # 12–16 paragraphs of 4–6 sentences of 10–22 words: about 800–1,500 words.
    paragraphs = [f"<p>{_paragraph(rng)}</p>" for _ in range(rng.randint(12, 16))]
    paragraphs.insert(len(paragraphs) // 2, f"<h2>{_sentence(rng)[:60].rstrip('.')}</h2>")
    return "\n".join(paragraphs)


def _image_pool(size):
    names = []
    for index in range(size):
        name = f"generated/lead-{index:03d}.jpg"
        if not default_storage.exists(name):
            name = default_storage.save(name, demo_image(f"generated-{index}", size=(1200, 675)))
        make_lead_renditions(Article(lead_image=name).lead_image)  # writes only what is missing
        names.append(name)
    return names


def _section_plan(count):
    total = sum(weight for *_, weight in SECTIONS)
    sizes = [count * weight // total for *_, weight in SECTIONS]
    sizes[0] += count - sum(sizes)
    return sizes


def reset():
    articles = Article.objects.filter(legacy_key__startswith=KEY_PREFIX)
    Byline.objects.filter(article__in=articles).delete()
    return articles.delete()[0]


def generate(*, count, seed=42, images=40, batch_size=1000, start=None) -> GenerateResult:
    """Write `count` published articles, newest first from `start`, 43 minutes apart."""
    rng = random.Random(seed)
    start = start or datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    sections = []
    for position, (name, slug, _) in enumerate(SECTIONS):
        section, _ = Section.objects.get_or_create(
            slug=slug, defaults={"name": name, "position": position}
        )
        sections.append(section)
    authors = []
    for index in range(40):
        name = f"{FIRST[index % len(FIRST)]} {LAST[(index * 7) % len(LAST)]}"
        author, _ = Author.objects.get_or_create(
            slug=f"{slugify(name)}-{index}", defaults={"name": name}
        )
        authors.append(author)
    credits = [
        ImageCredit.objects.get_or_create_by_name(name, kind=kind)[0]
        for name, kind in [("Pixabay", "stock"), ("Staff photographer", "staff")]
    ]
    pool = _image_pool(images)
    assignment = [i for i, size in enumerate(_section_plan(count)) for _ in range(size)]
    rng.shuffle(assignment)
    offset = Article.objects.filter(legacy_key__startswith=KEY_PREFIX).count()

    def rows():
        for n in range(count):
            title = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}"
            key = offset + n
            article = Article(
                section=sections[assignment[n]],
                title=title,
                slug=f"{slugify(title)}-{key}",
                dek=_sentence(rng),
                body=_body(rng),
                lead_image=pool[key % len(pool)],
                lead_image_width=1200,
                lead_image_height=675,
                lead_image_alt=f"Illustration for {title.lower()}",
                lead_image_caption=_sentence(rng)[:120],
                lead_image_credit=credits[key % len(credits)],
                is_feature=rng.random() < 0.1,
                status=Article.Status.PUBLISHED,
                published_at=start - timedelta(minutes=43 * key),
                legacy_key=f"{KEY_PREFIX}{key}",
            )
            picks = rng.sample(authors, k=rng.choice([1, 2, 2, 2, 3]))
            yield article, picks

    created = []
    source = rows()
    while batch := list(islice(source, batch_size)):
        with transaction.atomic():
            articles = Article.objects.bulk_create([article for article, _ in batch])
            Byline.objects.bulk_create(
                Byline(article=article, author=author, position=position)
                for article, (_, picks) in zip(articles, batch, strict=True)
                for position, author in enumerate(picks)
            )
            # bulk_create sends no signals: do what they would.
            refresh_search_vectors([article.pk for article in articles])
            events.changed(
                *(
                    key
                    for article, (_, picks) in zip(articles, batch, strict=True)
                    for key in events.article_keys(
                        article.pk,
                        section_ids=[article.section_id],
                        author_ids=[author.pk for author in picks],
                        visible=True,
                        feature=article.is_feature,
                    )
                )
            )
        created.extend(article.pk for article in articles)
    return GenerateResult(created=len(created), paths=bench_paths(sections[0]))


def bench_paths(section):
    """The pages the HTTP benchmark fetches, named like the Wagtail peer's."""
    listing = section.articles.published().order_by("-published_at", "-pk")
    total = listing.count()
    pages = max(1, (total + 19) // 20)
    article = listing[min(100, total - 1)] if total else None
    author = Author.objects.filter(articles__in=listing[:1]).first()
    paths = [("home", "/"), ("section_p1", section.get_absolute_url())]
    if article:
        paths.insert(1, ("article", article.get_absolute_url()))
    deep = min(50, pages)
    paths.append((f"section_p{deep}", f"{section.get_absolute_url()}?page={deep}"))
    if pages > 50:
        paths.append(("section_last", f"{section.get_absolute_url()}?page={pages}"))
    if author:
        paths.append(("author", author.get_absolute_url()))
    return paths
