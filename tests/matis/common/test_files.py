"""The files kit: stored names reveal nothing; served files are neither sniffed nor cached."""

from __future__ import annotations

import io

from matis.common.files import file_response, stored_name


def test_stored_name_is_random_and_keeps_only_the_extension():
    first = stored_name("monitoring/evidence/THA/2025", "Report of Somchai.PDF")
    second = stored_name("monitoring/evidence/THA/2025", "Report of Somchai.PDF")
    assert first.startswith("monitoring/evidence/THA/2025/") and first.endswith(".pdf")
    assert first != second and "Somchai" not in first


def test_file_response_is_an_attachment_not_sniffed_not_cached():
    response = file_response(io.BytesIO(b"%PDF-1.4"), filename="a.pdf", content_type="")
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == b"%PDF-1.4"
