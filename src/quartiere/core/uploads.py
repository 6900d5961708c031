"""Check uploaded photos and PDFs by their content; photos lose their metadata. No Django.

One mechanism for every context that accepts files (report attachments, workshop photos,
programme photos and documents): each keeps only its own limits.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

IMAGE_FORMATS = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png")}
PDF = ("application/pdf", ".pdf")


class UploadRejectedError(ValueError):
    """The file is empty, too big, or not of the expected kind (``reason`` says which)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CleanUpload:
    content: bytes
    content_type: str
    extension: str


def _check_size(data: bytes, max_bytes: int) -> None:
    if not data:
        raise UploadRejectedError("empty")
    if len(data) > max_bytes:
        raise UploadRejectedError("too_big")


def is_pdf(data: bytes) -> bool:
    """Whether the bytes start like a PDF."""
    return data.startswith(b"%PDF-")


def clean_pdf(data: bytes, *, max_bytes: int, require_end: bool = False) -> CleanUpload:
    """Accept a PDF by its first bytes (and, with ``require_end``, its end marker)."""
    _check_size(data, max_bytes)
    if not is_pdf(data) or (require_end and b"%%EOF" not in data[-2048:]):
        raise UploadRejectedError("type")
    return CleanUpload(data, *PDF)


def clean_image(
    data: bytes, *, max_bytes: int, max_side: int | None = None, quality: int = 88
) -> CleanUpload:
    """Accept a JPEG or PNG, re-encoded upright from its pixels alone (no EXIF, GPS or XMP)."""
    _check_size(data, max_bytes)
    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt = img.format or ""
            if fmt not in IMAGE_FORMATS:
                raise UploadRejectedError("type")
            img.load()
            upright = ImageOps.exif_transpose(img)
            if max_side is not None:
                if upright.mode == "P":
                    upright = upright.convert("RGBA")
                upright.thumbnail((max_side, max_side))
            # A new image from the raw pixels carries no ``info`` or EXIF block at all.
            clean = Image.frombytes(upright.mode, upright.size, upright.tobytes())
            if upright.mode == "P" and upright.getpalette():
                clean.putpalette(upright.getpalette() or [])
            out = io.BytesIO()
            if fmt == "JPEG":
                clean.convert("RGB").save(out, format="JPEG", quality=quality)
            else:
                clean.save(out, format="PNG")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise UploadRejectedError("type") from exc
    content_type, extension = IMAGE_FORMATS[fmt]
    return CleanUpload(out.getvalue(), content_type, extension)
