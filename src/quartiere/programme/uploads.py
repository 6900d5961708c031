"""Check uploaded PDFs and photos by their content; photos lose their metadata. No Django."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PDF_BYTES = 20 * 1024 * 1024
MAX_IMAGE_BYTES = 10 * 1024 * 1024
IMAGE_FORMATS = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png")}


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


def clean_pdf(data: bytes, *, max_bytes: int = MAX_PDF_BYTES) -> CleanUpload:
    """Accept a PDF (checked by its first bytes and its end marker), whatever its name."""
    if not data:
        raise UploadRejectedError("empty")
    if len(data) > max_bytes:
        raise UploadRejectedError("too_big")
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-2048:]:
        raise UploadRejectedError("type")
    return CleanUpload(data, "application/pdf", ".pdf")


def clean_image(data: bytes, *, max_bytes: int = MAX_IMAGE_BYTES) -> CleanUpload:
    """Accept a JPEG or PNG, re-encoded without EXIF/GPS metadata."""
    if not data:
        raise UploadRejectedError("empty")
    if len(data) > max_bytes:
        raise UploadRejectedError("too_big")
    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt = img.format or ""
            if fmt not in IMAGE_FORMATS:
                raise UploadRejectedError("type")
            img.load()
            upright = ImageOps.exif_transpose(img)
            clean = Image.frombytes(upright.mode, upright.size, upright.tobytes())
            if upright.mode == "P" and upright.getpalette():
                clean.putpalette(upright.getpalette() or [])
            out = io.BytesIO()
            if fmt == "JPEG":
                clean.convert("RGB").save(out, format="JPEG", quality=85)
            else:
                clean.save(out, format="PNG")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise UploadRejectedError("type") from exc
    content_type, extension = IMAGE_FORMATS[fmt]
    return CleanUpload(out.getvalue(), content_type, extension)
