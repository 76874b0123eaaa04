import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from articles.validators import validate_image_file
from tests.factories import make_image


def upload(name, content, content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.mark.parametrize(
    "fmt, name", [("JPEG", "a.jpg"), ("PNG", "a.png"), ("WEBP", "a.webp"), ("GIF", "a.gif")]
)
def test_accepts_real_images(fmt, name):
    image = make_image(name=name, fmt=fmt, size=(400, 300))
    validate_image_file(image)
    assert image.tell() == 0  # left ready to be read again


def test_refuses_a_text_file_named_jpg():
    with pytest.raises(ValidationError) as error:
        validate_image_file(upload("photo.jpg", b"Not a picture at all, just words.\n" * 20))
    assert error.value.code == "not_an_image"


def test_refuses_a_truncated_image():
    good = make_image(fmt="PNG", name="a.png").read()
    with pytest.raises(ValidationError) as error:
        validate_image_file(upload("a.png", good[: len(good) // 2]))
    assert error.value.code == "not_an_image"


def test_refuses_other_formats():
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20)).save(buffer, "BMP")
    with pytest.raises(ValidationError, match="BMP images are not accepted"):
        validate_image_file(upload("a.jpg", buffer.getvalue()))


def test_refuses_an_oversized_file(settings):
    settings.NEWSROOM_MAX_IMAGE_BYTES = 50_000
    buffer = io.BytesIO()
    # Noise does not compress: a real JPEG well over the limit.
    Image.effect_noise((600, 600), 80).convert("RGB").save(buffer, "JPEG", quality=95)
    assert buffer.tell() > 50_000
    with pytest.raises(ValidationError) as error:
        validate_image_file(upload("big.jpg", buffer.getvalue()))
    assert error.value.code == "file_too_large"


def png_claiming(width, height):
    """A tiny PNG whose header claims `width` × `height` pixels (its CRC fixed up)."""
    buffer = io.BytesIO()
    Image.new("1", (8, 8)).save(buffer, "PNG")
    data = bytearray(buffer.getvalue())
    # Signature (8 bytes), IHDR length and type (8), then width and height.
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


def test_refuses_a_large_but_real_image(settings):
    settings.NEWSROOM_MAX_IMAGE_PIXELS = 1_000_000
    buffer = io.BytesIO()
    Image.new("1", (2000, 1000)).save(buffer, "PNG")  # compresses to almost nothing
    with pytest.raises(ValidationError, match="2000 × 1000 pixels") as error:
        validate_image_file(upload("wide.png", buffer.getvalue(), "image/png"))
    assert error.value.code == "too_many_pixels"


@pytest.mark.parametrize("size", [(20_000, 20_000), (100_000, 100_000)])
def test_refuses_a_decompression_bomb_without_decoding_it(size):
    """Hundreds of millions (or billions) of pixels claimed by a file of a few bytes."""
    with pytest.raises(ValidationError) as error:
        validate_image_file(upload("bomb.png", png_claiming(*size), "image/png"))
    assert error.value.code == "too_many_pixels"
