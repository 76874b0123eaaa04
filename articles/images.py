"""Image renditions: the sizes readers download instead of the raw upload.

Each lead image gets JPEG and WebP copies at a few widths (never wider than
the original); each author photo gets square crops. They are made eagerly,
when an image is set (`articles.signals`, on commit) and by the
`make_renditions` command for older uploads, so a page never waits for Pillow.

Rendition names are derived from the upload's name and its width, both stored
on the row, so templates compute every URL without touching the disk. Upload
names never repeat (the storage adds a suffix), so a replaced image gets new
rendition names and no cache ever shows the old one.
"""

import io
import logging
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import models
from django.db.models.fields.files import ImageFieldFile
from PIL import Image, ImageCms, ImageOps

logger = logging.getLogger(__name__)

RENDITIONS_DIR = "renditions"
# Widths in pixels: a sidebar thumbnail at 2x, phone cards, the article
# column at 1x and 2x.
LEAD_WIDTHS = (160, 400, 800, 1200, 1600)
SQUARE_SIZES = (96, 192, 384)
FORMATS = {"jpg": ("JPEG", "image/jpeg"), "webp": ("WEBP", "image/webp")}
SAVE_OPTIONS = {
    "JPEG": {"quality": 82, "optimize": True, "progressive": True},
    "WEBP": {"quality": 80, "method": 4},
}
# The rendition Open Graph and JSON-LD point to (1200 px wide is what the
# big platforms ask for).
SHARE_WIDTH = 1200
# EXIF orientations that turn the stored picture by 90 degrees.
SIDEWAYS = {5, 6, 7, 8}
EXIF_ORIENTATION = 0x0112


def oriented_size(file) -> tuple[int | None, int | None]:
    """Width and height of an image as shown, i.e. after its EXIF orientation."""
    try:
        with Image.open(file) as image:
            width, height = image.size
            if image.getexif().get(EXIF_ORIENTATION) in SIDEWAYS:
                width, height = height, width
            return width, height
    except (OSError, ValueError, Image.DecompressionBombError):
        return None, None


class OrientedImageFieldFile(ImageFieldFile):
    def _get_image_dimensions(self):
        if not hasattr(self, "_dimensions_cache"):
            close = self.closed
            self.open()
            try:
                self._dimensions_cache = oriented_size(self)
            finally:
                if close:
                    self.close()
                else:
                    self.seek(0)
        return self._dimensions_cache


class OrientedImageField(models.ImageField):
    """An ImageField whose width and height fields hold the size as displayed.

    A phone photo is often stored landscape with an EXIF tag saying "turn
    me"; browsers and our renditions turn it, so the stored dimensions (and the
    width/height attributes made from them) must too.
    """

    attr_class = OrientedImageFieldFile

    def deconstruct(self):
        # The column and every migration-relevant option are a plain
        # ImageField's: only how dimensions are read differs.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.ImageField", args, kwargs


def lead_widths(width: int | None) -> list[int]:
    """The rendition widths an image `width` pixels wide gets (none wider than it)."""
    if not width:
        return []
    return sorted({min(w, width) for w in LEAD_WIDTHS})


def rendition_name(source_name: str, label: str, ext: str) -> str:
    folder, _, filename = source_name.rpartition("/")
    stem = filename.rsplit(".", 1)[0] if "." in filename.lstrip(".") else filename
    return "/".join(p for p in (RENDITIONS_DIR, folder, f"{stem}-{label}.{ext}") if p)


def _url_maker(file):
    """A function (label, ext) -> rendition URL for `file`.

    Pages show dozens of pictures of ten renditions each, so the storage's
    url() runs once per picture, on a name with placeholders; this assumes
    url() maps names to URLs without signing them (true of FileSystemStorage
    and of public object storage).
    """
    pattern = file.storage.url(rendition_name(file.name, "LABEL", "EXT"))
    head, _, tail = pattern.rpartition("-LABEL.EXT")
    return lambda label, ext: f"{head}-{label}.{ext}{tail}"


@dataclass
class Rendition:
    width: int
    height: int
    url: str


@dataclass
class Picture:
    """What a <picture> element needs; plain data, so it caches and pickles."""

    width: int
    height: int
    alt: str
    sources: dict[str, list[Rendition]] = field(default_factory=dict)

    def srcset(self, ext: str) -> str:
        return ", ".join(f"{r.url} {r.width}w" for r in self.sources[ext])

    @property
    def jpeg_srcset(self) -> str:
        return self.srcset("jpg")

    @property
    def webp_srcset(self) -> str:
        return self.srcset("webp")

    @property
    def fallback(self) -> Rendition:
        """The JPEG a browser without srcset support loads: a mid-sized one."""
        jpegs = self.sources["jpg"]
        return next((r for r in jpegs if r.width >= 800), jpegs[-1])

    @property
    def share(self) -> Rendition:
        """The rendition for link previews (Open Graph, JSON-LD)."""
        jpegs = self.sources["jpg"]
        return next((r for r in reversed(jpegs) if r.width <= SHARE_WIDTH), jpegs[0])


def lead_picture(file, width: int | None, height: int | None, alt: str = "") -> Picture | None:
    """The renditions of a lead image, from its stored name and size alone (no I/O)."""
    if not file or not width or not height:
        return None
    picture = Picture(width=width, height=height, alt=alt)
    url = _url_maker(file)
    sizes = [(w, max(1, round(height * w / width))) for w in lead_widths(width)]
    for ext in FORMATS:
        picture.sources[ext] = [Rendition(w, h, url(w, ext)) for w, h in sizes]
    return picture


def square_picture(file, alt: str = "") -> Picture | None:
    """Square crops of a portrait photo; shown at SQUARE_SIZES[0] CSS pixels."""
    if not file:
        return None
    picture = Picture(width=SQUARE_SIZES[0], height=SQUARE_SIZES[0], alt=alt)
    url = _url_maker(file)
    for ext in FORMATS:
        picture.sources[ext] = [Rendition(s, s, url(f"sq{s}", ext)) for s in SQUARE_SIZES]
    return picture


# -- making them -------------------------------------------------------------


def _open_upright(file, min_side: int) -> Image.Image:
    """The image as readers should see it: upright, first frame, RGB on white.

    `min_side` lets the JPEG decoder skip detail no rendition needs (it decodes
    at 1/2, 1/4 or 1/8 scale while both sides stay at least that long).
    """
    with file.storage.open(file.name, "rb") as fh:
        image = Image.open(fh)
        if getattr(image, "n_frames", 1) > 1:
            image.seek(0)  # animated GIF or WebP: renditions are stills
        image.draft(None, (min_side, min_side))
        image.load()
    mode, icc = image.mode, image.info.get("icc_profile")
    image = ImageOps.exif_transpose(image)
    if mode == "CMYK" and icc:
        try:
            image = ImageCms.profileToProfile(
                image,
                ImageCms.ImageCmsProfile(io.BytesIO(icc)),
                ImageCms.createProfile("sRGB"),
                outputMode="RGB",
            )
        except ImageCms.PyCMSError:
            image = image.convert("RGB")
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        # Transparent GIFs and PNGs: flattened onto the page's white (JPEG has
        # no alpha channel, and black corners would be a surprise).
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        image = background
    elif image.mode != "RGB":
        image = image.convert("RGB")
    # Keep an RGB colour profile; drop everything else, EXIF (and so any GPS
    # position) included.
    image.info = {"icc_profile": icc} if icc and mode != "CMYK" else {}
    return image


def _resize(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    if image.size == size:
        return image
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def _encode(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    options = dict(SAVE_OPTIONS[fmt])
    if icc := image.info.get("icc_profile"):
        options["icc_profile"] = icc
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def _write(storage, name: str, data: bytes) -> None:
    # Storage.save() would pick another name rather than overwrite.
    if storage.exists(name):
        storage.delete(name)
    storage.save(name, ContentFile(data))


@dataclass
class RenditionResult:
    written: list[str] = field(default_factory=list)
    size: tuple[int, int] | None = None


def make_lead_renditions(file, *, force: bool = False) -> RenditionResult:
    """Write the JPEG and WebP renditions of lead image `file` that are missing.

    Returns the names written and the image's upright size.
    """
    result = RenditionResult()
    if not file:
        return result
    storage = file.storage
    if not force:
        with storage.open(file.name, "rb") as fh:
            width, height = oriented_size(fh)
        names = [
            rendition_name(file.name, str(w), ext) for w in lead_widths(width) for ext in FORMATS
        ]
        if width and all(storage.exists(n) for n in names):
            result.size = (width, height)
            return result
    image = _open_upright(file, min_side=max(LEAD_WIDTHS))
    width, height = image.size
    result.size = (width, height)
    for w in lead_widths(width):
        resized = _resize(image, (w, max(1, round(height * w / width))))
        for ext, (fmt, _mime) in FORMATS.items():
            name = rendition_name(file.name, str(w), ext)
            if force or not storage.exists(name):
                _write(storage, name, _encode(resized, fmt))
                result.written.append(name)
    return result


def make_square_renditions(file, *, force: bool = False) -> RenditionResult:
    """Write the square crops of portrait photo `file` that are missing."""
    result = RenditionResult()
    if not file:
        return result
    storage = file.storage
    names = [rendition_name(file.name, f"sq{s}", ext) for s in SQUARE_SIZES for ext in FORMATS]
    if not force and all(storage.exists(n) for n in names):
        return result
    image = _open_upright(file, min_side=max(SQUARE_SIZES))
    result.size = image.size
    for s in SQUARE_SIZES:
        # Faces sit in the upper part of most portraits: crop towards the top.
        square = ImageOps.fit(image, (s, s), Image.Resampling.LANCZOS, centering=(0.5, 0.35))
        for ext, (fmt, _mime) in FORMATS.items():
            name = rendition_name(file.name, f"sq{s}", ext)
            if force or not storage.exists(name):
                _write(storage, name, _encode(square, fmt))
                result.written.append(name)
    return result
