"""Lead images referenced by imported records, found on disk and copied into storage.

They pass the admin's checks (articles.validators: the type sniffed from the
content, byte and pixel limits), are stored under the extension of what they
are and re-encoded, and only files inside --images-dir are ever read: a
symlink there that leads elsewhere is not followed."""

import hashlib
import os
import re
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.text import get_valid_filename
from PIL import Image

from articles.validators import reencoded, stored_name, validate_image_file

EXIF_ORIENTATION = 0x0112
SIDEWAYS = {5, 6, 7, 8}
_RESIZED = re.compile(r"-\d+x\d+(?=\.[A-Za-z0-9]+$)")


class ImageStore:
    """Finds images under `root` by path or, failing that, by file name.

    Files are stored under a name derived from their content, so re-imports and
    interrupted runs never leave duplicates, and one photo used by several posts
    is stored once.
    """

    def __init__(self, root, *, dry_run=False):
        self.root = Path(root).resolve()
        self.dry_run = dry_run
        self._by_name = None
        self._stored = {}
        self._new = []

    def find(self, reference: str) -> Path | None:
        path = unquote(urlsplit(reference).path if "://" in reference else reference)
        parts = [
            p for p in PurePosixPath(path.replace("\\", "/")).parts if p not in ("/", ".", "..")
        ]
        if not parts:
            return None
        for start in range(len(parts)):
            candidate = self._inside(self.root.joinpath(*parts[start:]))
            if candidate:
                return candidate
        name = parts[-1]
        for candidate_name in dict.fromkeys([name, _RESIZED.sub("", name)]):
            matches = self._names().get(candidate_name.casefold())
            if matches:
                return sorted(matches)[0]
        return None

    def _inside(self, path: Path) -> Path | None:
        try:
            resolved = path.resolve()
        except OSError:
            return None
        if resolved.is_file() and resolved.is_relative_to(self.root):
            return resolved
        return None

    def _names(self):
        if self._by_name is None:
            self._by_name = {}
            for folder, _dirs, files in os.walk(self.root):
                for name in files:
                    if inside := self._inside(Path(folder) / name):
                        self._by_name.setdefault(name.casefold(), []).append(inside)
        return self._by_name

    def take_new(self):
        """Names stored since the last call: they need renditions."""
        new, self._new = self._new, []
        return new

    def store(self, path: Path):
        """(storage name, width, height) of an image file; ValueError if it is not one."""
        if path in self._stored:
            return self._stored[path]
        with open(path, "rb") as fh:
            upload = File(fh, name=path.name)
            try:
                image_format = validate_image_file(upload)
            except ValidationError as exc:
                raise ValueError(f"{path.name}: {' '.join(exc.messages)}") from None
            digest = hashlib.sha256()
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
            fh.seek(0)
            with Image.open(fh) as image:
                width, height = image.size
                if image.getexif().get(EXIF_ORIENTATION) in SIDEWAYS:
                    width, height = height, width  # shown turned, as browsers do
            hexdigest = digest.hexdigest()
            filename = stored_name(get_valid_filename(path.name), image_format)
            name = f"lead/imported/{hexdigest[:2]}/{hexdigest[:16]}-{filename}"
            if not self.dry_run and not default_storage.exists(name):
                data = reencoded(fh, image_format)
                name = default_storage.save(name, ContentFile(data, name=filename))
                self._new.append(name)
        self._stored[path] = (name, width, height)
        return self._stored[path]
