"""Uploaded files (evidence, assessment documents): checks, storage names and serving.

- :func:`check_evidence`: allowed types by content, not by name, and a size
  cap. The file's first bytes decide its type; the name's extension must agree
  with it. Office documents are ZIP or OLE containers, so their inside is
  checked too: an OOXML document's ``[Content_Types].xml`` must declare the
  main part of the kind its name says (a ``.docm`` renamed ``.docx`` is
  refused), and no document may carry macros (``vbaProject.bin``, ODF
  ``Basic/`` or ``Scripts/``, an OLE ``_VBA_PROJECT`` stream).
- :func:`check_zip_safety` / :func:`zip_safety_problem`: a zip container is
  unpacked only when its directory says that is harmless (member count, total
  size, expansion ratio); the import readers use it too.
- :class:`LimitedUploadHandler` (first in ``FILE_UPLOAD_HANDLERS``) and
  :func:`upload_limit`: the size cap is applied while the body streams in;
  past the cap nothing more of the file is kept, and the form or
  :func:`check_evidence` refuses it by its size with the usual message.
- :func:`stored_name`: a random name under ``MEDIA_ROOT`` (which is outside
  the web root and never served directly); the uploader's name is kept only as
  metadata.
- :func:`file_response`: the download of a stored file, for a view that has
  already checked the reader's access and audited the read.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.http import FileResponse
from django.urls import Resolver404, resolve
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


# Zip containers (OOXML, ODF) are opened only when their directory says that
# unpacking them is harmless: a few thousand parts, a bounded total and no part
# that expands more than a compressed office document ever does. Python's
# zipfile never unpacks more than a part's declared size, so the directory is
# enough to go by.
ZIP_MAX_MEMBERS = 5_000
ZIP_MAX_UNCOMPRESSED = 512 * 1024 * 1024
ZIP_MAX_RATIO = 200
# Below this a part's ratio does not matter (tiny XML parts compress very well).
ZIP_RATIO_FLOOR = 1024 * 1024

# The main part's content type of each OOXML kind; the macro-enabled variants
# (.docm, .xlsm, .pptm) and templates have other ones and are refused.
OOXML_MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "word",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xl",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": "ppt",
}
CONTENT_TYPES_MAX_BYTES = 1024 * 1024


class UnsafeArchive(ValueError):
    """A zip container that must not be unpacked (too many parts, a zip bomb) or has macros."""


def zip_safety_problem(archive: zipfile.ZipFile) -> str | None:
    """Why ``archive`` must not be unpacked or carries executable content, or None.

    The reason is for logs and job records, not translated.
    """
    members = archive.infolist()
    if len(members) > ZIP_MAX_MEMBERS:
        return f"{len(members)} parts (at most {ZIP_MAX_MEMBERS})"
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > ZIP_RATIO_FLOOR and member.file_size > ZIP_MAX_RATIO * max(
            member.compress_size, 1
        ):
            return f"part {member.filename!r} expands {member.file_size // max(member.compress_size, 1)} times"
        name = member.filename.replace("\\", "/").lower()
        if name.endswith("vbaproject.bin") or name.startswith(("basic/", "scripts/")):
            return f"macro part {member.filename!r}"
    if total > ZIP_MAX_UNCOMPRESSED:
        return f"expands to {total // 1048576} MB (at most {ZIP_MAX_UNCOMPRESSED // 1048576} MB)"
    return None


def check_zip_safety(source) -> None:
    """Raise :class:`UnsafeArchive` when the zip in ``source`` must not be unpacked."""
    try:
        with zipfile.ZipFile(source) as archive:
            problem = zip_safety_problem(archive)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return  # not a readable zip at all: the reader says so in its own words
    finally:
        if hasattr(source, "seek"):
            source.seek(0)
    if problem:
        raise UnsafeArchive(problem)


REFUSED = "refused"


def _ooxml_main_folder(archive: zipfile.ZipFile) -> str:
    """The folder of the main part ("word", "xl", "ppt") that ``[Content_Types].xml`` declares.

    ``REFUSED`` for macro-enabled documents, unreadable or hostile content
    types and more than one main part; "" when no known main part is declared
    (the part folders decide then).
    """
    from defusedxml import ElementTree

    info = archive.getinfo("[Content_Types].xml")
    if info.file_size > CONTENT_TYPES_MAX_BYTES:
        return REFUSED
    try:
        root = ElementTree.fromstring(archive.read(info))
    except Exception:  # malformed or hostile XML (defusedxml refuses entities)
        return REFUSED
    folders = set()
    for element in root:
        content_type = (element.get("ContentType") or "").strip()
        if "macroenabled" in content_type.lower() or "vbaproject" in content_type.lower():
            return REFUSED
        if content_type in OOXML_MAIN_TYPES:
            folders.add(OOXML_MAIN_TYPES[content_type])
    if len(folders) > 1:
        return REFUSED
    return folders.pop() if folders else ""


def _zip_kind(data_file) -> FileKind | None:
    try:
        with zipfile.ZipFile(data_file) as archive:
            if zip_safety_problem(archive):
                return None
            names = set(archive.namelist())
            if "mimetype" in names:
                if archive.getinfo("mimetype").file_size > 200:
                    return None
                mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                for kind in (ODT, ODS):
                    if mimetype == kind.content_type:
                        return kind
                return None
            if "[Content_Types].xml" not in names:
                return None
            declared = _ooxml_main_folder(archive)
            if declared == REFUSED:
                return None
            folders = {n.split("/", 1)[0] for n in names}
            for folder, kind in (("word", DOCX), ("xl", XLSX), ("ppt", PPTX)):
                if folder in folders and declared in ("", folder):
                    return kind
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, KeyError):
        return None
    return None


# An OLE document (.doc, .xls, .ppt) with macros has a "_VBA_PROJECT" stream
# (named in UTF-16 in the directory): Word's Macros/VBA, Excel's _VBA_PROJECT_CUR.
OLE_MACRO_MARKERS = ("_VBA_PROJECT".encode("utf-16-le"),)


def _ole_has_macros(data_file) -> bool:
    data_file.seek(0)
    overlap = max(len(m) for m in OLE_MACRO_MARKERS)
    tail = b""
    try:
        while chunk := data_file.read(1 << 20):
            window = tail + chunk
            if any(marker in window for marker in OLE_MACRO_MARKERS):
                return True
            tail = window[-overlap:]
    finally:
        data_file.seek(0)
    return False


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
        return None if _ole_has_macros(data_file) else OLE
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


# --- streaming upload limit -----------------------------------------------------------


def upload_limit(max_bytes: int | Callable[[], int]):
    """Declare the largest file a view accepts (bytes, or a function returning them).

    Views that declare nothing accept files up to the evidence limit
    (``MATIS_EVIDENCE_MAX_BYTES``); import pages declare their own.
    """

    def decorate(view):
        view.upload_max_bytes = max_bytes
        return view

    return decorate


def request_upload_limit(request) -> int:
    """The per-file byte limit of the view ``request`` goes to."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            match = None
    declared = getattr(match.func, "upload_max_bytes", None) if match else None
    if declared is None:
        return max_evidence_bytes()
    return int(declared() if callable(declared) else declared)


class RefusedUpload(UploadedFile):
    """A file that was larger than the limit: ``size`` is what arrived, the content is gone."""

    refused = True

    def __init__(self, name, content_type, size, charset, content_type_extra=None):
        super().__init__(io.BytesIO(b""), name, content_type, size, charset, content_type_extra)


class LimitedUploadHandler(FileUploadHandler):
    """Stop keeping a file once it passes the view's limit (the first upload handler).

    Chunks past the limit are read and dropped, never handed to the memory or
    temporary-file handlers behind this one (their partial copy is discarded),
    and the form receives a :class:`RefusedUpload` whose ``size`` says how big
    the file was, so the usual size check refuses it with its usual message.
    """

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.limit = request_upload_limit(self.request)

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0
        self.refused = False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.refused:
            return None
        if self.received > getattr(self, "limit", max_evidence_bytes()):
            self.refused = True
            self._discard_partial_copies()
            return None
        return raw_data

    def _discard_partial_copies(self) -> None:
        for handler in getattr(self.request, "upload_handlers", ()):
            partial = getattr(handler, "file", None)
            if handler is not self and partial is not None and hasattr(partial, "close"):
                with contextlib.suppress(OSError):
                    partial.close()  # a temporary file is deleted on close

    def file_complete(self, file_size):
        if not self.refused:
            return None
        return RefusedUpload(
            self.file_name,
            self.content_type,
            self.received,
            self.charset,
            self.content_type_extra,
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
