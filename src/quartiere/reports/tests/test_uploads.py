"""Uploaded files: type by content, size, and image metadata stripped (no database)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from quartiere.reports.uploads import UploadRejectedError, clean_upload


def _jpeg_with_gps() -> bytes:
    img = Image.new("RGB", (32, 24), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (45.0, 27.0, 0.0)}  # GPS info
    out = io.BytesIO()
    img.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_clean_upload_strips_exif_and_gps_from_a_jpeg():
    data = _jpeg_with_gps()
    with Image.open(io.BytesIO(data)) as before:
        assert before.getexif()
    clean = clean_upload(data)
    assert clean.content_type == "image/jpeg"
    with Image.open(io.BytesIO(clean.content)) as after:
        assert not after.getexif()
        assert "exif" not in after.info
        assert after.size == (32, 24)


def test_clean_upload_keeps_a_pdf_as_is():
    data = b"%PDF-1.4\n%test\n"
    clean = clean_upload(data)
    assert clean.content == data
    assert clean.content_type == "application/pdf"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"MZ\x90\x00 executable", "type"),
        (b"GIF89a" + b"\x00" * 20, "type"),
    ],
)
def test_clean_upload_rejects_other_files(data, reason):
    with pytest.raises(UploadRejectedError, match=reason):
        clean_upload(data)


def test_clean_upload_rejects_a_file_over_the_limit():
    with pytest.raises(UploadRejectedError, match="too_big"):
        clean_upload(b"%PDF-" + b"0" * 100, max_bytes=50)
