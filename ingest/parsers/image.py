"""Image files (a scanned letter sent as JPEG or PNG, a multi-page TIFF): OCR each frame."""

from __future__ import annotations

import io

from PIL import Image, ImageSequence, UnidentifiedImageError

from ingest.assemble import DraftPage, assemble
from ingest.errors import CorruptFileError, IngestError, OcrUnavailableError
from ingest.options import ParseOptions
from ingest.parsers.ocr import ocr_image
from models.domain.types import ParsedDocument

_FORMATS = frozenset({"png", "jpeg", "tiff", "gif", "bmp", "webp"})
_MAX_OCR_PIXELS = 40_000_000  # larger pictures are shrunk before OCR (memory, time)
_MAX_IMAGE_PIXELS = 200_000_000  # refuse beyond (Pillow's own bomb guard stays as it is)


class ImageParser:
    name = "image"

    def score(self, fmt: str, data: bytes, filename: str | None) -> int:
        return 100 if fmt in _FORMATS else 0

    def parse(self, data: bytes, *, filename: str, options: ParseOptions) -> ParsedDocument:
        try:
            image = Image.open(io.BytesIO(data))  # reads the header only
            if image.width * image.height > _MAX_IMAGE_PIXELS:
                raise CorruptFileError("image", f"{image.width} x {image.height} pixels, au-delà de la limite")
            image.load()
        except Image.DecompressionBombError as exc:
            raise CorruptFileError("image", "dimensions démesurées, refusée par précaution") from exc
        except (UnidentifiedImageError, OSError) as exc:
            raise CorruptFileError("image", "format d'image non reconnu ou fichier tronqué") from exc
        fmt = (image.format or "image").lower()
        if not options.ocr:
            return assemble([DraftPage(number=1)], fmt=fmt, paginated=True, status="partial", errors=[
                "Image sans texte exploitable : l'OCR est désactivé ; activez-le pour lire ce document."])
        pages: list[DraftPage] = []
        errors: list[str] = []
        for number, frame in enumerate(ImageSequence.Iterator(image), start=1):
            if number > options.max_pages:
                errors.append(f"Seules les {options.max_pages} premières pages de l'image ont été lues.")
                break
            page = DraftPage(number=number)
            picture = frame.convert("L")
            if picture.width * picture.height > _MAX_OCR_PIXELS:
                ratio = (_MAX_OCR_PIXELS / (picture.width * picture.height)) ** 0.5
                picture = picture.resize((int(picture.width * ratio), int(picture.height * ratio)))
            try:
                result = ocr_image(picture, options)
            except OcrUnavailableError as exc:
                return assemble([page], fmt=fmt, paginated=True, status="partial", errors=[exc.message])
            except IngestError as exc:
                errors.append(f"Page {number} : {exc.message}")
            else:
                page.add_text(result.text)
                page.ocr, page.ocr_confidence = True, result.confidence
            pages.append(page)
        return assemble(pages, fmt=fmt, paginated=True, status="partial" if errors else "parsed", errors=errors)
