"""Small factory functions: sensible defaults, override anything by keyword."""

import io
from datetime import timedelta
from itertools import count

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from articles.models import Article, Author, Byline, ImageCredit
from sections.models import Section

_seq = count(1)


def make_section(**kwargs):
    n = next(_seq)
    kwargs.setdefault("name", f"Section {n}")
    kwargs.setdefault("slug", f"section-{n}")
    return Section.objects.create(**kwargs)


def make_author(**kwargs):
    n = next(_seq)
    kwargs.setdefault("name", f"Author {n}")
    kwargs.setdefault("slug", f"author-{n}")
    return Author.objects.create(**kwargs)


def make_credit(**kwargs):
    kwargs.setdefault("name", f"Credit {next(_seq)}")
    return ImageCredit.objects.create(**kwargs)


def make_image(name="photo.jpg", size=(1200, 800), fmt="JPEG", color=(40, 90, 160)):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def make_article(*, authors=(), **kwargs):
    """A published article (an hour old) unless told otherwise."""
    n = next(_seq)
    if "section" not in kwargs:
        kwargs["section"] = make_section()
    kwargs.setdefault("title", f"Article {n}")
    kwargs.setdefault("slug", f"article-{n}")
    kwargs.setdefault("dek", f"The dek of article {n}.")
    kwargs.setdefault("body", f"<p>Body of article {n}.</p>")
    kwargs.setdefault("status", Article.Status.PUBLISHED)
    if kwargs["status"] == Article.Status.PUBLISHED:
        kwargs.setdefault("published_at", timezone.now() - timedelta(hours=1))
    article = Article.objects.create(**kwargs)
    for position, author in enumerate(authors):
        Byline.objects.create(article=article, author=author, position=position)
    return article


def make_staff(role="writer", **kwargs):
    """A staff account in the Writer or Editor group, or a superuser (role="superuser")."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from articles.permissions import EDITOR_GROUP, WRITER_GROUP, ensure_groups

    kwargs.setdefault("username", f"{role}{next(_seq)}")
    kwargs.setdefault("password", "not-a-secret")
    User = get_user_model()
    if role == "superuser":
        return User.objects.create_superuser(email="", **kwargs)
    user = User.objects.create_user(is_staff=True, **kwargs)
    ensure_groups()
    user.groups.add(Group.objects.get(name={"writer": WRITER_GROUP, "editor": EDITOR_GROUP}[role]))
    return user
