"""Uploaded files (evidence, assessment documents): checks, storage names and serving.

- :func:`check_evidence`: allowed types by content, not by name, and a size
  cap. The file's first bytes decide its type; the name's extension must agree
  with it. Office documents are ZIP or OLE containers, so their inside is
  checked too (an OOXML document carries ``[Content_Types].xml`` and its part
  folder).
- :func:`stored_name`: a random name under ``MEDIA_ROOT`` (which is outside
  the web root and never served directly); the uploader's name is kept only as
  metadata.
- :func:`file_response`: the download of a stored file, for a view that has
  already checked the reader's access and audited the read.
"""

from __future__ import annotations

import hashlib
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.http import FileResponse
from django.utils.translation import gettext as _

DEFAULT_MAX_BYTES = 10 * 1024 * 1024


def max_evidence_bytes() -> int:
    return int(getattr(settings, "MATIS_EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES))


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extensions: tuple[str, ...]


PDF = FileKind("application/pdf", (".pdf",))
PNG = FileKind("image/png", (".png",))
JPEG = FileKind("image/jpeg", (".jpg", ".jpeg"))
DOCX = FileKind(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)
)
XLSX = FileKind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",))
PPTX = FileKind(
    "application/vnd.openxmlformats-officedocument.presentationml.presentation", (".pptx",)
)
ODT = FileKind("application/vnd.oasis.opendocument.text", (".odt",))
ODS = FileKind("application/vnd.oasis.opendocument.spreadsheet", (".ods",))
OLE = FileKind("application/x-ole-storage", (".doc", ".xls", ".ppt"))
OLE_TYPES = {
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".ppt": "application/vnd.ms-powerpoint",
}

ALLOWED_EXTENSIONS = sorted(
    ext for kind in (PDF, PNG, JPEG, DOCX, XLSX, PPTX, ODT, ODS, OLE) for ext in kind.extensions
)


class EvidenceRejected(ValueError):
    """The file is not an allowed evidence file; the message says why."""


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    size: int
    sha256: str
    name: str


def _zip_kind(data_file) -> FileKind | None:
    try:
        with zipfile.ZipFile(data_file) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                for kind in (ODT, ODS):
                    if mimetype == kind.content_type:
                        return kind
                return None
            if "[Content_Types].xml" not in names:
                return None
            folders = {n.split("/", 1)[0] for n in names}
            for folder, kind in (("word", DOCX), ("xl", XLSX), ("ppt", PPTX)):
                if folder in folders:
                    return kind
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    return None


def sniff(data_file) -> FileKind | None:
    """The kind of file by its content, or None when it is not an allowed kind."""
    data_file.seek(0)
    head = data_file.read(8)
    data_file.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return OLE
    if head.startswith(b"PK\x03\x04"):
        kind = _zip_kind(data_file)
        data_file.seek(0)
        return kind
    return None


def check_evidence(uploaded) -> CheckedFile:
    """Check an uploaded file (a Django ``UploadedFile``); raise ``EvidenceRejected``."""
    name = PurePath(uploaded.name or "").name
    if not name:
        raise EvidenceRejected(_("The file has no name."))
    size = uploaded.size
    limit = max_evidence_bytes()
    if size == 0:
        raise EvidenceRejected(_("The file is empty."))
    if size > limit:
        raise EvidenceRejected(
            _("The file is %(size)s MB; the limit is %(limit)s MB.")
            % {"size": round(size / 1048576, 1), "limit": round(limit / 1048576, 1)}
        )
    extension = PurePath(name).suffix.lower()
    if extension not in ALLOWED_EXTENSIONS:
        raise EvidenceRejected(
            _("Files of type “%(ext)s” are not accepted. Accepted: %(allowed)s.")
            % {"ext": extension or "?", "allowed": ", ".join(ALLOWED_EXTENSIONS)}
        )
    kind = sniff(uploaded)
    if kind is None or extension not in kind.extensions:
        raise EvidenceRejected(
            _("The content of “%(name)s” is not a %(ext)s file.") % {"name": name, "ext": extension}
        )
    digest = hashlib.sha256()
    uploaded.seek(0)
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    content_type = OLE_TYPES[extension] if kind is OLE else kind.content_type
    return CheckedFile(
        content_type=content_type, size=size, sha256=digest.hexdigest(), name=name[:200]
    )


def stored_name(folder: str, filename: str) -> str:
    """``folder/<random>.<ext>``: the stored name reveals nothing of the uploader's name."""
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"{folder}/{uuid.uuid4().hex}{suffix}"


def file_response(handle, *, filename: str, content_type: str) -> FileResponse:
    """Serve an open stored file as an attachment that browsers neither sniff nor cache.

    The caller has checked that the reader may see the file and audited the read.
    """
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=filename,
        content_type=content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
