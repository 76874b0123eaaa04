"""Images are checked by what they contain, never by their file name: uploads in
the admin and imported files alike, and they are stored under the extension of
what they are."""

import io
import warnings
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from PIL import Image, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "GIF": "GIF"}
# The file extension each is stored under, whatever the uploaded name said.
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}


def max_image_bytes():
    return getattr(settings, "NEWSROOM_MAX_IMAGE_BYTES", 8 * 1024 * 1024)


def max_image_pixels():
    return getattr(settings, "NEWSROOM_MAX_IMAGE_PIXELS", 40_000_000)


def validate_image_file(file) -> str:
    """Refuse anything that is not a JPEG, PNG, WebP or GIF of a sane size;
    return its format (a key of ALLOWED_FORMATS).

    The pixel count is read from the header before any pixel is decoded, so a
    small file that would expand to gigabytes of memory (a decompression bomb)
    is refused without being loaded.
    """
    size = getattr(file, "size", None)
    if size is not None and size > max_image_bytes():
        raise ValidationError(
            "This file is %(size)s; images may be at most %(limit)s.",
            code="file_too_large",
            params={"size": filesizeformat(size), "limit": filesizeformat(max_image_bytes())},
        )
    file.seek(0)
    try:
        with warnings.catch_warnings():
            # Our own, lower limit below decides; Pillow's warning would only be noise.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(file)
            width, height = image.size
            image_format = image.format
            if image_format in ALLOWED_FORMATS and width * height <= max_image_pixels():
                image.verify()
    except Image.DecompressionBombError:
        raise ValidationError(
            "This image has too many pixels to be processed safely.", code="too_many_pixels"
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            "This file is not an image (or it is damaged). Upload a JPEG, PNG, WebP or GIF.",
            code="not_an_image",
        ) from None
    finally:
        file.seek(0)
    if image_format not in ALLOWED_FORMATS:
        raise ValidationError(
            "%(format)s images are not accepted. Upload a JPEG, PNG, WebP or GIF.",
            code="format",
            params={"format": image_format},
        )
    if width * height > max_image_pixels():
        raise ValidationError(
            "This image is %(width)s × %(height)s pixels; images may have at most "
            "%(limit)s million pixels. Resize it before uploading.",
            code="too_many_pixels",
            params={"width": width, "height": height, "limit": max_image_pixels() // 1_000_000},
        )
    return image_format


def stored_name(name: str, image_format: str) -> str:
    """`name` with the extension of what the file is: a GIF named "poly.pdf" or
    "evil.html" is stored, and served, as a .gif."""
    stem = PurePath(name).stem.split(".")[0] or "image"
    return f"{stem}.{EXTENSIONS[image_format]}"


def reencoded(file, image_format: str) -> bytes:
    """The image decoded and encoded again in its own format: whatever else the
    file held (a script after the GIF trailer, metadata) is gone."""
    file.seek(0)
    with Image.open(file) as image:
        out = io.BytesIO()
        if image_format in ("GIF", "WEBP"):
            image.save(out, image_format, save_all=getattr(image, "is_animated", False))
        elif image_format == "JPEG":
            exif = image.getexif()
            orientation = {0x0112: exif[0x0112]} if 0x0112 in exif else None
            kept = Image.Exif()
            if orientation:
                kept.update(orientation)  # the only tag readers' browsers need
            image.save(out, "JPEG", quality=92, exif=kept.tobytes())
        else:
            image.save(out, image_format)
    return out.getvalue()
