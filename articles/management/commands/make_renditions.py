"""Make the image renditions readers are served, for images that lack them.

New lead images and author photos get theirs when saved; this command fills
in older uploads (or all of them again with --force, e.g. after the widths
change). It also corrects stored lead image sizes of photos turned by EXIF.
"""

from django.core.management.base import BaseCommand

from articles import events
from articles.images import make_lead_renditions, make_square_renditions
from articles.models import Article, Author


class Command(BaseCommand):
    help = "Make missing JPEG/WebP renditions of lead images and author photos."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Remake every rendition, even existing ones."
        )

    def handle(self, *args, force, verbosity, **options):
        written = failed = 0
        resized = []
        articles = Article.objects.exclude(lead_image="").only(
            "lead_image", "lead_image_width", "lead_image_height"
        )
        for article in articles.iterator(chunk_size=500):
            try:
                result = make_lead_renditions(article.lead_image, force=force)
            except (OSError, ValueError) as exc:
                failed += 1
                self.stderr.write(f"Article {article.pk} ({article.lead_image.name}): {exc}")
                continue
            written += len(result.written)
            if result.size and result.size != (article.lead_image_width, article.lead_image_height):
                width, height = result.size
                Article.objects.filter(pk=article.pk).update(
                    lead_image_width=width, lead_image_height=height
                )
                resized.append(article.pk)
            if verbosity >= 2 and result.written:
                self.stdout.write(f"{article.lead_image.name}: {len(result.written)} written")
        for author in Author.objects.exclude(photo="").only("photo").iterator(chunk_size=500):
            try:
                written += len(make_square_renditions(author.photo, force=force).written)
            except (OSError, ValueError) as exc:
                failed += 1
                self.stderr.write(f"Author {author.pk} ({author.photo.name}): {exc}")
        if resized:  # sizes changed with update(), which sends no signal
            events.changed(*(events.article_key(pk) for pk in resized))
        if verbosity:
            self.stdout.write(
                f"{written} renditions written, {len(resized)} image sizes corrected,"
                f" {failed} failed."
            )
