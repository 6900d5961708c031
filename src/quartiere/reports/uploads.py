"""Report attachments: a photo (metadata stripped) or a PDF, up to 10 MB. No Django here."""

from __future__ import annotations

from quartiere.core.uploads import CleanUpload, UploadRejectedError, clean_image, clean_pdf, is_pdf

MAX_BYTES = 10 * 1024 * 1024

__all__ = ["MAX_BYTES", "CleanUpload", "UploadRejectedError", "clean_upload"]


def clean_upload(data: bytes, *, max_bytes: int = MAX_BYTES) -> CleanUpload:
    """Accept a JPEG/PNG (re-encoded without EXIF/GPS metadata) or a PDF; reject the rest."""
    if data and is_pdf(data):
        return clean_pdf(data, max_bytes=max_bytes)
    return clean_image(data, max_bytes=max_bytes)
