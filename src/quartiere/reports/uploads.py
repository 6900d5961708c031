"""Check an uploaded photo or PDF by its content and strip image metadata. No Django here."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
IMAGE_FORMATS = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png")}
PDF = ("application/pdf", ".pdf")


class UploadRejectedError(ValueError):
    """The file is too big, empty, or not a JPEG, PNG or PDF."""


@dataclass(frozen=True)
class CleanUpload:
    content: bytes
    content_type: str
    extension: str


def clean_upload(data: bytes, *, max_bytes: int = MAX_BYTES) -> CleanUpload:
    """Accept a JPEG/PNG (re-encoded without EXIF/GPS metadata) or a PDF; reject the rest."""
    if not data:
        raise UploadRejectedError("empty")
    if len(data) > max_bytes:
        raise UploadRejectedError("too_big")
    if data.startswith(b"%PDF-"):
        return CleanUpload(data, *PDF)
    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt = img.format or ""
            if fmt not in IMAGE_FORMATS:
                raise UploadRejectedError("type")
            img.load()
            # Keep the visible orientation, then drop every metadata block (EXIF, GPS, XMP).
            upright = ImageOps.exif_transpose(img)
            # A new image from the raw pixels carries no ``info`` or EXIF block at all.
            clean = Image.frombytes(upright.mode, upright.size, upright.tobytes())
            if upright.mode == "P" and upright.getpalette():
                clean.putpalette(upright.getpalette() or [])
            out = io.BytesIO()
            if fmt == "JPEG":
                clean.convert("RGB").save(out, format="JPEG", quality=88)
            else:
                clean.save(out, format="PNG")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise UploadRejectedError("type") from exc
    content_type, extension = IMAGE_FORMATS[fmt]
    return CleanUpload(out.getvalue(), content_type, extension)
