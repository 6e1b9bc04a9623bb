"""The ``DocumentReader`` port on Pillow, pypdf and python-docx.

Each library's own parse errors are translated into ``UnreadableDocument`` here, at the
boundary, so a hostile or corrupt upload is a clear 415 and never a 500.
"""

from __future__ import annotations

import io
import zipfile
import zlib

from gorunchat.contracts.files import FileKind
from gorunchat.ports.documents import UnreadableDocument

MAX_PDF_PAGES = 500


class LibraryDocumentReader:
    def image_size(self, data: bytes) -> tuple[int, int]:
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
            raise UnreadableDocument(str(exc)) from exc
        return int(width), int(height)

    def verify_image(self, data: bytes) -> None:
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError,
                Image.DecompressionBombError) as exc:
            raise UnreadableDocument(str(exc)) from exc

    def extract_text(self, kind: FileKind, data: bytes, *, max_chars: int) -> str:
        if kind is FileKind.PDF:
            return _pdf_text(data, max_chars)
        if kind is FileKind.DOCX:
            return _docx_text(data, max_chars)
        raise UnreadableDocument(f"no text extractor for {kind.value}")


def _pdf_text(data: bytes, max_chars: int) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    chunks: list[str] = []
    size = 0
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise UnreadableDocument("the PDF is encrypted")
        for page in reader.pages[:MAX_PDF_PAGES]:
            text = page.extract_text() or ""
            chunks.append(text)
            size += len(text)
            if size >= max_chars:
                break
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError,
            RecursionError, zlib.error, OSError) as exc:
        raise UnreadableDocument(str(exc)) from exc
    return "\n\n".join(chunks)[:max_chars]


def _docx_text(data: bytes, max_chars: int) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
        lines = [p.text for p in document.paragraphs]
        for table in document.tables:
            for row in table.rows:
                lines.append("\t".join(cell.text for cell in row.cells))
    except (PackageNotFoundError, SyntaxError, KeyError, ValueError, zipfile.BadZipFile,
            OSError) as exc:  # lxml's XMLSyntaxError is a SyntaxError
        raise UnreadableDocument(str(exc)) from exc
    return "\n".join(lines)[:max_chars]
