"""Programme documents (PDF, up to 20 MB) and photos (metadata stripped, up to 10 MB). No Django."""

from __future__ import annotations

from quartiere.core import uploads
from quartiere.core.uploads import CleanUpload, UploadRejectedError

MAX_PDF_BYTES = 20 * 1024 * 1024
MAX_IMAGE_BYTES = 10 * 1024 * 1024

__all__ = ["MAX_IMAGE_BYTES", "MAX_PDF_BYTES", "CleanUpload", "UploadRejectedError"]


def clean_pdf(data: bytes, *, max_bytes: int = MAX_PDF_BYTES) -> CleanUpload:
    """Accept a PDF (checked by its first bytes and its end marker), whatever its name."""
    return uploads.clean_pdf(data, max_bytes=max_bytes, require_end=True)


def clean_image(data: bytes, *, max_bytes: int = MAX_IMAGE_BYTES) -> CleanUpload:
    """Accept a JPEG or PNG, re-encoded without EXIF/GPS metadata."""
    return uploads.clean_image(data, max_bytes=max_bytes, quality=85)
