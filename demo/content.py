"""Demo content for a fresh site: invented sections, people and stories.

Everything here is made up for the demo. `load_demo` turns it into rows and
keys each article on `legacy_key="demo:<slug>"` so a second run changes nothing.
"""

import hashlib
import io
import random
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from articles.images import make_lead_renditions
from articles.models import Article, Author, Byline, ImageCredit
from sections.models import Section

SECTIONS = [
    ("Politics", "politics", "Elections, parliaments and the people who run them."),
    ("Economy", "economy", "Trade, work, money and the infrastructure in between."),
    ("Security", "security", "Armed forces, maritime disputes and the diplomacy of deterrence."),
    ("Society", "society", "How people live: cities, schools, faith, language and the arts."),
    (
        "Island Notebook",
        "island-notebook",
        "Our correspondents' blog from the smaller states of the Pacific and Indian oceans.",
    ),
]

AUTHORS = [
    ("Mara Lindqvist", "Covers regional politics from a rented desk with a view of the harbour."),
    ("Tevita Fonua", "Writes about the Pacific, fisheries and the politics of the sea."),
    ("Anjali Rao", "Economics correspondent; formerly a trade negotiator."),
    ("Kenji Arakawa", "Security editor. Reads defence white papers so you do not have to."),
    ("Lucía Ferrer", "Photographer based between Manila and Cebu."),
    ("Dilnoza Yusupova", "Contributor on Central Asia, migration and labour."),
    ("Newsroom Staff", "Reporting by the Newsroom desk."),
]

CREDITS = [
    ("Pixabay", ImageCredit.Kind.STOCK, "https://pixabay.com/"),
    ("Newsroom/Lucía Ferrer", ImageCredit.Kind.STAFF, ""),
    ("Courtesy of the author", ImageCredit.Kind.HANDOUT, ""),
    ("Harbour Press Agency", ImageCredit.Kind.AGENCY, ""),
]

# (section slug, kicker, title, dek, feature, author indexes, status)
# status: "published" (default), "draft", "in_review", "scheduled"
ARTICLES = [
    ("politics", "Analysis", "The Coalition That Counted Too Early",
     "A governing alliance announced its majority before the last ballots arrived. The "
     "recount is now the story.", True, [0], "published"),
    ("politics", "", "Three Provinces, One Ballot Design",
     "Election officials agree on a single ballot layout for the first time, ending a "
     "decade of confusion at the polls.", False, [0, 6], "published"),
    ("politics", "Interview", "A Mayor Who Answers Her Own Phone",
     "The youngest mayor in the delta says accessibility is policy, not charm.", True, [0],
     "published"),
    ("politics", "", "Parliament Extends Its Late-Night Sittings",
     "Opposition members call the new schedule an endurance test for democracy.", False, [6],
     "published"),
    ("politics", "", "Term Limits Return to the Agenda",
     "A constitutional committee revisits a question many thought settled.", False, [0],
     "published"),
    ("politics", "Explainer", "How a Budget Becomes Law in Four Weeks",
     "From cabinet table to presidential signature: the short, crowded calendar.", False,
     [0, 2], "published"),
    ("politics", "", "Draft: Notes on the Upper House Reform",
     "Working notes, not ready for readers.", False, [0], "draft"),
    ("economy", "Analysis", "The Port That Learned to Wait",
     "Container ships idle offshore for days. The cause is paperwork, not cranes.", True, [2],
     "published"),
    ("economy", "", "Rice Prices Ease After a Wet Season",
     "Good rains and open borders bring relief to household budgets.", False, [2],
     "published"),
    ("economy", "", "A Rail Link Nobody Wanted Until It Opened",
     "Ridership on the coastal line has doubled forecasts in its first year.", True, [2, 4],
     "published"),
    ("economy", "Data", "Remittances Now Outweigh Aid in Five Island States",
     "Money sent home by workers abroad has quietly become the largest inflow.", False, [1, 2],
     "published"),
    ("economy", "", "The Startup Visa That Drew Mostly Accountants",
     "A scheme meant for founders attracted a different crowd.", False, [2], "published"),
    ("economy", "", "Fishing Licences Go Digital",
     "A new registry promises fewer disputes at sea and more revenue on shore.", False, [1],
     "published"),
    ("economy", "", "Central Bank Holds Rates, Again",
     "Policymakers see inflation cooling but want one more quarter of evidence.", False, [2],
     "in_review"),
    ("security", "Analysis", "Lighthouses as Foreign Policy",
     "A string of restored lighthouses says more about maritime claims than any speech.", True,
     [3], "published"),
    ("security", "", "Coast Guards Agree on a Hotline",
     "Two neighbours with overlapping claims will now at least pick up the phone.", False, [3],
     "published"),
    ("security", "", "The Quiet Growth of Naval Academies",
     "Small navies are training more officers than ever, and abroad.", False, [3, 5],
     "published"),
    ("security", "Long read", "What the Drills Were Really About",
     "Joint exercises near the strait tested logistics more than firepower.", True, [3],
     "published"),
    ("security", "", "Cyber Units Recruit From Gaming Clubs",
     "Defence ministries look for talent where teenagers already compete.", False, [3],
     "published"),
    ("security", "", "Embargoed: Defence Review Findings",
     "Scheduled for release with the ministry's own announcement.", False, [3], "scheduled"),
    ("society", "Culture", "The Night Market Moves Indoors",
     "A city's most famous street food market reopens under a roof, and opinions divide.",
     True, [4], "published"),
    ("society", "", "Schools Teach in Three Languages From Age Six",
     "A pilot programme bets on early multilingualism.", False, [5], "published"),
    ("society", "", "The Last Cinema on Harbour Road",
     "Single-screen theatres survive on memory, loyalty and very cheap tickets.", True, [4, 0],
     "published"),
    ("society", "", "Young Farmers Return to Terraced Hills",
     "Rising land prices in the capital push a generation back to the family plot.", False,
     [5], "published"),
    ("society", "Books", "A Novel Written Entirely in Text Messages",
     "A debut that reads like eavesdropping, and means it.", False, [0], "published"),
    ("society", "", "Public Libraries Extend Opening Hours",
     "Students and night-shift workers fill the reading rooms after ten.", False, [6],
     "published"),
    ("island-notebook", "Dispatch", "A Week Without the Supply Ship",
     "When the ferry broke down, an atoll's shop ran out of flour on day four.", True, [1],
     "published"),
    ("island-notebook", "", "Solar Panels and Stubborn Generators",
     "The switch to renewables is real, and so is the diesel backup.", False, [1],
     "published"),
    ("island-notebook", "", "Counting Seabirds With a Borrowed Drone",
     "Volunteers map nesting sites on islands too steep to walk.", False, [1, 4],
     "published"),
    ("island-notebook", "", "The Parliament That Meets Under a Tree",
     "A council of chiefs keeps its old meeting place, with better microphones.", True, [1],
     "published"),
    ("island-notebook", "Dispatch", "Seawalls, Then and Now",
     "A village compares the wall its grandparents built with the one going up now.", False,
     [1, 5], "published"),
    ("island-notebook", "", "Unpublished: Correction Pending",
     "Taken down while a figure is checked.", False, [1], "unpublished"),
    ("politics", "", "Voters Abroad Queue at Embassies",
     "Overseas turnout hits a record as consulates stay open late.", False, [5], "published"),
]  # fmt: skip

PARAGRAPHS = {
    "politics": [
        "The announcement came a little after midnight, from a podium that had been set up "
        "hours earlier and then left empty while aides made phone calls.",
        "Officials in the capital insist the process is working as designed. “Counting takes "
        "as long as it takes,” one of them said, “and nobody should be in a hurry to be wrong.”",
        "Opposition figures see it differently. They argue that every delay invites rumours, "
        "and that rumours, in a close race, become a kind of campaign of their own.",
        "Behind the arithmetic lies an older question — who speaks for the provinces, and who "
        "merely visits them at election time.",
        "Observers from neighbouring states have so far praised the calm at polling stations, "
        "while noting long queues and a shortage of ballot boxes in the hill districts.",
        "Whatever the final tally, the next parliament will need a working majority by the end "
        "of the month, when the budget must pass.",
        "Party offices stayed lit through the weekend. Volunteers sorted tally sheets by hand, "
        "photographing each one before it left the room.",
    ],
    "economy": [
        "Traders describe a system in which a single missing stamp can hold a container for "
        "days, while the goods inside lose value by the hour.",
        "The ministry's own figures show exports up by a modest margin, but imports of "
        "machinery — a signal of future investment — have fallen for three quarters running.",
        "“We built the roads first and the rules second,” said a logistics manager who asked "
        "not to be named. “Now the rules are catching up, and that is painful.”",
        "Economists caution against reading too much into one season. Weather, fuel prices and "
        "exchange rates all moved at once, which makes any single explanation suspect.",
        "For households, the change is concrete: a sack of rice costs less than it did in "
        "spring, and the queue at the pawnshop is shorter.",
        "Regional lenders are watching closely. Several have delayed decisions on new credit "
        "lines until the trade figures for the next quarter are published.",
        "Small firms say the paperwork burden falls hardest on them, since larger companies "
        "can afford agents who know which office to visit first.",
    ],
    "security": [
        "The exercise lasted eleven days and involved ships from four navies, though officials "
        "were careful to call it a training event rather than a show of strength.",
        "Analysts note that most of the effort went into refuelling and resupply at sea, the "
        "unglamorous skills that decide whether a fleet can stay anywhere for long.",
        "A retired admiral put it bluntly: “Everyone has missiles now. Not everyone can keep a "
        "ship fed for a month.”",
        "Diplomats on both sides of the strait have kept their statements short, an approach "
        "that seasoned observers read as a wish to lower the temperature.",
        "The agreement includes a direct line between coast guard commanders, to be tested "
        "once a month whether or not there is anything to discuss.",
        "Fishing communities, who work the contested waters every day, say they will believe "
        "in the new calm when their boats are no longer turned back.",
        "Budgets tell part of the story. Spending on patrol vessels has risen faster than "
        "spending on any other category of equipment in the past five years.",
    ],
    "society": [
        "On a weekday evening the queue starts before the shutters open, and the regulars "
        "greet each other by the names of the dishes they always order.",
        "Teachers say the first months were the hardest. Children switched languages mid-"
        "sentence, then, quite suddenly, stopped noticing that they did.",
        "The building itself has changed little since it opened: the same tiled foyer, the "
        "same hand-painted posters, the same projectionist who started as an usher.",
        "For many young people the move back to the hills is less a retreat than a "
        "calculation: land they already own against rent they can no longer pay.",
        "Critics have called the book gimmicky. Readers, it seems, do not care; the first "
        "printing sold out in a fortnight.",
        "Librarians report that the busiest hour is now between ten and eleven at night, when "
        "nurses and delivery riders come in to read, charge their phones and rest.",
        "City planners, for their part, say they want to keep what people love about the old "
        "place while fixing what nobody will miss: the floods, the heat, the rats.",
    ],
    "island-notebook": [
        "The supply ship is due every second Tuesday. When it does not come, everyone knows "
        "within an hour, and the shop's shelves empty in a predictable order.",
        "Solar panels now cover the roof of the school, the clinic and the church, but the old "
        "generator still starts every evening, out of habit as much as need.",
        "Volunteers flew the drone in short loops along the cliffs, landing every twenty "
        "minutes to swap batteries warmed in the sun.",
        "The council meets where it always has, in the shade of a tree older than the "
        "country's constitution, though there is now a microphone tied to a branch.",
        "Older residents remember building the first seawall from coral blocks and "
        "determination. The new one is concrete, engineered and twice as high.",
        "Internet access arrived three years ago and changed the rhythm of the day: news now "
        "comes at breakfast, not when the boat docks.",
        "Visitors are few and welcome. The guest house keeps a notebook in which every one of "
        "them has written a line, in a dozen languages.",
    ],
}

PALETTES = [
    ((18, 52, 86), (230, 126, 34)),
    ((20, 90, 50), (241, 196, 15)),
    ((60, 30, 80), (52, 152, 219)),
    ((120, 40, 31), (236, 240, 241)),
    ((33, 47, 61), (26, 188, 156)),
]


@dataclass
class DemoResult:
    sections: int = 0
    authors: int = 0
    credits: int = 0
    articles: int = 0


def demo_image(seed: str, size=(1600, 900)) -> ContentFile:
    """An abstract landscape-ish JPEG, different for every seed, made with Pillow."""
    rng = random.Random(seed)
    top, bottom = PALETTES[rng.randrange(len(PALETTES))]
    gradient = Image.linear_gradient("L").resize(size)
    image = Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), gradient)
    draw = ImageDraw.Draw(image, "RGBA")
    width, height = size
    for _ in range(7):
        x, y = rng.randrange(width), rng.randrange(height // 3, height)
        r = rng.randrange(height // 8, height // 2)
        colour = (*[rng.randrange(256) for _ in range(3)], rng.randrange(50, 140))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
    horizon = rng.randrange(height // 2, height * 3 // 4)
    draw.rectangle((0, horizon, width, height), fill=(*top, 110))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=82, optimize=True)
    return ContentFile(buffer.getvalue())


def demo_body(section_slug: str, title: str) -> str:
    rng = random.Random(hashlib.sha256(title.encode()).hexdigest())
    pool = PARAGRAPHS[section_slug]
    chosen = rng.sample(pool, k=rng.randint(4, len(pool)))
    chosen.insert(2, f"<h2>{rng.choice(['Background', 'What comes next', 'The numbers'])}</h2>")
    return "\n".join(p if p.startswith("<h2>") else f"<p>{p}</p>" for p in chosen)


@transaction.atomic
def load_demo(*, now=None) -> DemoResult:
    """Create the demo rows that do not exist yet; never touch existing ones."""
    now = now or timezone.now()
    result = DemoResult()
    sections = {}
    for position, (name, slug, description) in enumerate(SECTIONS):
        sections[slug], created = Section.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "position": position}
        )
        result.sections += created
    authors = []
    for name, bio in AUTHORS:
        author, created = Author.objects.get_or_create(name=name, defaults={"bio": bio})
        authors.append(author)
        result.authors += created
    credits = []
    for name, kind, url in CREDITS:
        credit, created = ImageCredit.objects.get_or_create_by_name(name, kind=kind, url=url)
        credits.append(credit)
        result.credits += created

    for index, (section_slug, kicker, title, dek, feature, author_ids, state) in enumerate(
        ARTICLES
    ):
        key = f"demo:{section_slug}:{index}"
        if Article.objects.with_legacy_keys([key]).exists():
            continue
        # Spread publication times back over the past weeks, newest first.
        published_at = now - timedelta(hours=7 * index + 1)
        status = Article.Status.PUBLISHED
        if state == "scheduled":
            published_at = now + timedelta(days=2)
        elif state != "published":
            status = state
            published_at = None if state != "unpublished" else published_at
        article = Article(
            section=sections[section_slug],
            kicker=kicker,
            title=title,
            dek=dek,
            body=demo_body(section_slug, title),
            is_feature=feature,
            status=status,
            published_at=published_at,
            legacy_key=key,
        )
        if state != "draft":
            credit = credits[index % len(credits)]
            article.lead_image_credit = credit
            article.lead_image_alt = f"Abstract illustration for “{title}”"
            article.lead_image_caption = title
            article.lead_image.save(f"demo-{index}.jpg", demo_image(key), save=False)
        article.save()
        for position, author_index in enumerate(author_ids):
            role = Byline.Role.BY
            if position:
                role = Byline.Role.PHOTOS if author_index == 4 else Byline.Role.ADDITIONAL_REPORTING
            Byline.objects.create(
                article=article, author=authors[author_index], role=role, position=position
            )
        result.articles += 1
    # Readers get renditions, never the upload. New images get theirs on commit
    # (articles.signals); this also covers demo sites loaded before renditions.
    transaction.on_commit(make_missing_demo_renditions)
    return result


def make_missing_demo_renditions():
    for article in Article.objects.filter(legacy_key__startswith="demo:").exclude(lead_image=""):
        make_lead_renditions(article.lead_image)
