"""Workshop photos: JPEG or PNG up to 8 MB, at most 2000 px, metadata dropped. No Django here."""

from __future__ import annotations

from quartiere.core.uploads import CleanUpload, clean_image
from quartiere.core.uploads import UploadRejectedError as PhotoRejectedError

MAX_BYTES = 8 * 1024 * 1024
MAX_SIDE = 2000  # pixels: public pages do not need more, and phones download less

__all__ = ["MAX_BYTES", "MAX_SIDE", "CleanUpload", "PhotoRejectedError", "clean_photo"]


def clean_photo(data: bytes, *, max_bytes: int = MAX_BYTES) -> CleanUpload:
    """Accept a JPEG or PNG, re-encoded upright from its pixels alone (no EXIF, GPS or XMP)."""
    return clean_image(data, max_bytes=max_bytes, max_side=MAX_SIDE, quality=85)
