"""Image renditions, made with Pillow from real images."""

import io
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from PIL import Image

from articles.images import (
    FORMATS,
    lead_picture,
    lead_widths,
    make_lead_renditions,
    make_square_renditions,
    rendition_name,
    square_picture,
)
from articles.models import Article
from demo.content import load_demo
from tests.factories import make_article, make_author, make_image

pytestmark = pytest.mark.django_db

ORIENTATION = 0x0112


def upload(image, fmt="JPEG", name="photo.jpg", **save_options):
    buffer = io.BytesIO()
    image.save(buffer, fmt, **save_options)
    return SimpleUploadedFile(name, buffer.getvalue())


def halves(size, first=(220, 20, 20), second=(20, 20, 220)):
    """Left half `first`, right half `second`: shows which way an image was turned."""
    image = Image.new("RGB", size, second)
    image.paste(first, (0, 0, size[0] // 2, size[1]))
    return image


def open_rendition(file, label, ext="jpg"):
    with default_storage.open(rendition_name(file.name, label, ext)) as fh:
        image = Image.open(fh)
        image.load()
    return image


def close(colour, expected, tolerance=40):
    return all(abs(a - b) <= tolerance for a, b in zip(colour[:3], expected, strict=True))


@pytest.mark.parametrize(
    ("width", "widths"),
    [
        (3000, [160, 400, 800, 1200, 1600]),
        (1600, [160, 400, 800, 1200, 1600]),
        (1000, [160, 400, 800, 1000]),
        (120, [120]),
        (None, []),
    ],
)
def test_widths_never_exceed_the_original(width, widths):
    assert lead_widths(width) == widths


def test_renditions_in_every_width_and_format():
    article = make_article(lead_image=make_image(size=(1000, 500)), lead_image_alt="x")
    result = make_lead_renditions(article.lead_image)

    assert len(result.written) == 4 * len(FORMATS)
    for width in (160, 400, 800, 1000):
        jpeg = open_rendition(article.lead_image, str(width))
        webp = open_rendition(article.lead_image, str(width), "webp")
        assert (jpeg.format, webp.format) == ("JPEG", "WEBP")
        assert jpeg.size == webp.size == (width, width // 2)
        assert jpeg.mode == "RGB"


def test_making_them_again_writes_nothing_unless_forced():
    article = make_article(lead_image=make_image(size=(500, 300)))
    assert make_lead_renditions(article.lead_image).written
    assert make_lead_renditions(article.lead_image).written == []
    assert len(make_lead_renditions(article.lead_image, force=True).written) == 6


def test_exif_orientation_is_respected_in_sizes_and_pixels():
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # "turn 90° clockwise to display"
    exif[0x010F] = "Camera maker"
    photo = upload(halves((1200, 800)), exif=exif.tobytes())

    article = make_article(lead_image=photo, lead_image_alt="A portrait")

    # Stored sideways, shown upright: the dimensions are the displayed ones.
    assert (article.lead_image_width, article.lead_image_height) == (800, 1200)
    make_lead_renditions(article.lead_image)
    rendition = open_rendition(article.lead_image, "800")
    assert rendition.size == (800, 1200)
    # The left (red) half of the stored picture is on top once turned.
    assert close(rendition.getpixel((400, 100)), (220, 20, 20))
    assert close(rendition.getpixel((400, 1100)), (20, 20, 220))
    assert not rendition.getexif()  # metadata (camera, GPS) is not passed on
    assert article.lead_image.url.endswith(".jpg")
    assert lead_picture(article.lead_image, 800, 1200).sources["jpg"][-1].height == 1200


def test_cmyk_becomes_rgb():
    article = make_article(
        lead_image=upload(Image.new("CMYK", (400, 300), (0, 255, 255, 0)), name="cmyk.jpg")
    )
    make_lead_renditions(article.lead_image)
    rendition = open_rendition(article.lead_image, "400")
    assert rendition.mode == "RGB"
    assert close(rendition.getpixel((200, 150)), (255, 0, 0), tolerance=60)


def test_animated_gif_gives_a_still_of_its_first_frame():
    frames = [Image.new("RGB", (500, 300), (0, 200, 0)), Image.new("RGB", (500, 300), (0, 0, 200))]
    gif = upload(
        frames[0], "GIF", name="anim.gif", save_all=True, append_images=frames[1:], duration=100
    )
    article = make_article(lead_image=gif)
    make_lead_renditions(article.lead_image)
    rendition = open_rendition(article.lead_image, "400", "webp")
    assert rendition.size == (400, 240)
    assert close(rendition.convert("RGB").getpixel((200, 120)), (0, 200, 0))


@pytest.mark.parametrize(
    "image",
    [
        pytest.param(Image.new("RGBA", (300, 200), (255, 0, 0, 0)), id="transparent PNG"),
        pytest.param(Image.new("LA", (300, 200), (0, 0)), id="transparent grey PNG"),
    ],
)
def test_transparency_is_flattened_onto_white(image):
    article = make_article(lead_image=upload(image, "PNG", name="clear.png"))
    make_lead_renditions(article.lead_image)
    for ext in FORMATS:
        rendition = open_rendition(article.lead_image, "300", ext).convert("RGB")
        assert close(rendition.getpixel((150, 100)), (255, 255, 255), tolerance=5)


def test_palette_gif_with_transparency():
    image = Image.new("P", (300, 200), 1)
    image.putpalette([0, 0, 0, 200, 30, 30] + [0, 0, 0] * 254)
    image.paste(0, (0, 0, 150, 200))  # left half: the transparent index
    article = make_article(lead_image=upload(image, "GIF", name="p.gif", transparency=0))
    make_lead_renditions(article.lead_image)
    rendition = open_rendition(article.lead_image, "300")
    assert close(rendition.getpixel((50, 100)), (255, 255, 255), tolerance=10)
    assert close(rendition.getpixel((250, 100)), (200, 30, 30))


def test_a_new_lead_image_gets_renditions_once_committed(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        article = make_article(lead_image=make_image(size=(900, 600)))
    name = rendition_name(article.lead_image.name, "800", "webp")
    assert default_storage.exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        article.lead_image = make_image("replacement.jpg", size=(700, 700))
        article.save()
    assert article.lead_image.name != name
    assert default_storage.exists(rendition_name(article.lead_image.name, "700", "jpg"))


def test_author_photos_get_square_crops(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        author = make_author(photo=make_image("face.jpg", size=(600, 900)))
    picture = square_picture(author.photo, alt=author.name)
    assert picture.width == picture.height == 96
    for size in (96, 192, 384):
        assert open_rendition(author.photo, f"sq{size}").size == (size, size)
    assert make_square_renditions(author.photo).written == []


def test_picture_urls_and_srcsets():
    article = make_article(lead_image=make_image(size=(1300, 650)), lead_image_alt="Harbour")
    picture = lead_picture(article.lead_image, 1300, 650, "Harbour")
    stem = article.lead_image.name.rsplit(".", 1)[0]
    assert picture.jpeg_srcset == ", ".join(
        f"/media/renditions/{stem}-{w}.jpg {w}w" for w in (160, 400, 800, 1200, 1300)
    )
    assert picture.webp_srcset.endswith(f"/media/renditions/{stem}-1300.webp 1300w")
    assert picture.fallback.width == 800
    assert (picture.share.width, picture.share.height) == (1200, 600)
    assert lead_picture(article.lead_image, None, None) is None
    assert lead_picture(Article().lead_image, 100, 100) is None


def test_backfill_command_makes_missing_renditions_and_fixes_sizes():
    exif = Image.Exif()
    exif[ORIENTATION] = 8
    article = make_article(lead_image=upload(halves((600, 400)), exif=exif.tobytes()))
    # As stored before sizes were read upright.
    Article.objects.filter(pk=article.pk).update(lead_image_width=600, lead_image_height=400)
    make_author(photo=make_image("p.jpg", size=(300, 300)))

    out = StringIO()
    call_command("make_renditions", stdout=out)

    article.refresh_from_db()
    assert (article.lead_image_width, article.lead_image_height) == (400, 600)
    assert default_storage.exists(rendition_name(article.lead_image.name, "400", "webp"))
    assert "1 image sizes corrected, 0 failed" in out.getvalue()
    call_command("make_renditions", stdout=(again := StringIO()))
    assert "0 renditions written, 0 image sizes corrected" in again.getvalue()


def test_backfill_reports_broken_files():
    article = make_article(lead_image=make_image(size=(300, 200)))
    with default_storage.open(article.lead_image.name, "wb") as fh:
        fh.write(b"not an image any more")
    err = StringIO()
    call_command("make_renditions", stdout=StringIO(), stderr=err)
    assert article.lead_image.name in err.getvalue()


def test_demo_site_has_its_renditions(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        load_demo()
    articles = Article.objects.published()
    assert articles.exists()
    for article in articles:
        for width in lead_widths(article.lead_image_width):
            for ext in FORMATS:
                assert default_storage.exists(
                    rendition_name(article.lead_image.name, str(width), ext)
                )
