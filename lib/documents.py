"""Turning files into text documents, refusing bad ones with a clear reason.

    >>> docs, problems = load_uploads([("notes.md", b"# Hi\\nSome text")])
    >>> docs[0].metadata["source"], problems
    ('notes.md', [])

Accepted: .txt, .md (UTF-8) and .pdf (text PDFs, via pypdf). Caps keep one
upload from hogging a shared server. A bad file becomes a message in
`problems`; the other files still load. Nothing is written to disk: uploads
stay in the caller's memory (the user's session).

What this leaves out: OCR of scanned PDFs, Word files, HTML.
"""

from __future__ import annotations

import io
from pathlib import Path, PurePosixPath

from langchain_core.documents import Document

MAX_FILE_MB = 5  # in MiB, as the uploader counts (it refuses bigger files before they arrive)
MAX_FILE_BYTES = MAX_FILE_MB * 1024 * 1024
MAX_PDF_PAGES = 200
MAX_TOTAL_CHARS = 400_000  # about 100k tokens: embedding stays in the tens of seconds on 2 cores
TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
SUFFIXES = TEXT_SUFFIXES | {".pdf"}


class DocumentError(ValueError):
    """A file that can't be used; the message says why, in words a user can act on."""


def decode_text(name: str, data: bytes) -> str:
    """An uploaded file's text; DocumentError in plain words when it is binary or not UTF-8."""
    if b"\x00" in data[:8192]:
        raise DocumentError(f"{name}: looks like a binary file, not text.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DocumentError(
            f"{name}: is not UTF-8 text (byte {error.start} can't be read). Save it as UTF-8 and upload it again."
        ) from error
    return text


def _pdf_text(name: str, data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise DocumentError(f"{name}: the PDF is encrypted (password-protected). Upload an unlocked copy.")
        if len(reader.pages) > MAX_PDF_PAGES:
            raise DocumentError(f"{name}: has {len(reader.pages)} pages; the limit is {MAX_PDF_PAGES}.")
        return "\n\n".join(page.extract_text() or "" for page in reader.pages)
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        raise DocumentError(f"{name}: is not a readable PDF ({type(error).__name__}).") from error


def load_file(name: str, data: bytes) -> Document:
    """One uploaded file as a Document with metadata {"source": name}. Raises DocumentError."""
    name = PurePosixPath(name.replace("\\", "/")).name or "unnamed"  # a browser may send "../../x.txt"
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise DocumentError(f"{name}: unsupported file type '{suffix or 'none'}'. Upload .txt, .md or .pdf.")
    if len(data) > MAX_FILE_BYTES:
        raise DocumentError(f"{name}: is {len(data) / 2**20:.1f} MB; the limit is {MAX_FILE_MB} MB.")
    if not data:
        raise DocumentError(f"{name}: the file is empty.")
    text = _pdf_text(name, data) if suffix == ".pdf" else decode_text(name, data)
    if not text.strip():
        kind = "has no extractable text (a scanned PDF?)" if suffix == ".pdf" else "contains only whitespace"
        raise DocumentError(f"{name}: {kind}.")
    return Document(page_content=text, metadata={"source": name})


def load_uploads(files: list[tuple[str, bytes]]) -> tuple[list[Document], list[str]]:
    """Every usable file as a Document, and one message per file that was refused."""
    docs: list[Document] = []
    problems: list[str] = []
    total = 0
    for name, data in files:
        try:
            doc = load_file(name, data)
        except DocumentError as error:
            problems.append(str(error))
            continue
        if total + len(doc.page_content) > MAX_TOTAL_CHARS:
            problems.append(f"{name}: skipped — the documents together would pass {MAX_TOTAL_CHARS:,} characters.")
            continue
        total += len(doc.page_content)
        docs.append(doc)
    return docs, problems


def load_folder(folder: Path) -> list[Document]:
    """The sample documents (or any folder of .txt/.md/.pdf files), sorted by name."""
    files = [(p.name, p.read_bytes()) for p in sorted(Path(folder).iterdir()) if p.suffix.lower() in SUFFIXES]
    docs, problems = load_uploads(files)
    if problems:
        raise DocumentError("; ".join(problems))
    return docs
