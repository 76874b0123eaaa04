"""Lead images referenced by imported records, found on disk and copied into storage."""

import hashlib
import os
import re
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from django.core.files import File
from django.core.files.storage import default_storage
from django.utils.text import get_valid_filename
from PIL import Image, UnidentifiedImageError

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
                    self._by_name.setdefault(name.casefold(), []).append(Path(folder) / name)
        return self._by_name

    def take_new(self):
        """Names stored since the last call: they need renditions."""
        new, self._new = self._new, []
        return new

    def store(self, path: Path):
        """(storage name, width, height) of an image file; ValueError if it is not one."""
        if path in self._stored:
            return self._stored[path]
        try:
            with Image.open(path) as image:
                width, height = image.size
                if image.getexif().get(EXIF_ORIENTATION) in SIDEWAYS:
                    width, height = height, width  # shown turned, as browsers do
        except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
            raise ValueError(f"{path.name} is not a readable image") from exc
        digest = hashlib.sha256()
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        hexdigest = digest.hexdigest()
        name = f"lead/imported/{hexdigest[:2]}/{hexdigest[:16]}-{get_valid_filename(path.name)}"
        if not self.dry_run and not default_storage.exists(name):
            with open(path, "rb") as fh:
                name = default_storage.save(name, File(fh, name=path.name))
            self._new.append(name)
        self._stored[path] = (name, width, height)
        return self._stored[path]
