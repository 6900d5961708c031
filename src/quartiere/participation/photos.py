"""Check an uploaded workshop photo by its content and drop its metadata. No Django here."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 8 * 1024 * 1024
MAX_SIDE = 2000  # pixels: public pages do not need more, and phones download less
FORMATS = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png")}


class PhotoRejectedError(ValueError):
    """The file is empty, too big, or not a JPEG or PNG image."""


@dataclass(frozen=True)
class CleanPhoto:
    content: bytes
    content_type: str
    extension: str


def clean_photo(data: bytes, *, max_bytes: int = MAX_BYTES) -> CleanPhoto:
    """Accept a JPEG or PNG, re-encoded upright from its pixels alone (no EXIF, GPS or XMP)."""
    if not data:
        raise PhotoRejectedError("empty")
    if len(data) > max_bytes:
        raise PhotoRejectedError("too_big")
    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt = img.format or ""
            if fmt not in FORMATS:
                raise PhotoRejectedError("type")
            img.load()
            upright = ImageOps.exif_transpose(img).convert("RGBA" if fmt == "PNG" else "RGB")
            upright.thumbnail((MAX_SIDE, MAX_SIDE))
            clean = Image.frombytes(upright.mode, upright.size, upright.tobytes())
            out = io.BytesIO()
            if fmt == "JPEG":
                clean.save(out, format="JPEG", quality=85)
            else:
                clean.save(out, format="PNG", optimize=True)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise PhotoRejectedError("type") from exc
    content_type, extension = FORMATS[fmt]
    return CleanPhoto(out.getvalue(), content_type, extension)
