"""Tesseract OCR through pytesseract, one thread per call (the machine's cores belong to the
workers, not to OpenMP inside tesseract)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from ingest.errors import IngestError, OcrUnavailableError
from ingest.options import ParseOptions

if TYPE_CHECKING:
    from PIL.Image import Image


_RETRY_BELOW = 0.6  # mean word confidence under which orientation is checked


@dataclass(frozen=True)
class OcrResult:
    text: str
    confidence: float | None  # mean word confidence in [0, 1]; None when no word was read


def _use_command(cmd: str | None) -> None:
    """pytesseract keeps the executable in a module global: set it on every call so that one
    caller's option never leaks into the next."""
    import pytesseract

    pytesseract.pytesseract.tesseract_cmd = cmd or "tesseract"


@lru_cache(maxsize=8)
def _languages(cmd: str | None) -> frozenset[str]:
    import pytesseract

    _use_command(cmd)
    try:
        return frozenset(pytesseract.get_languages(config=""))
    except (pytesseract.TesseractNotFoundError, OSError):
        return frozenset()


def ocr_available(options: ParseOptions) -> bool:
    wanted = set(options.ocr_lang.split("+"))
    return wanted <= _languages(options.tesseract_cmd)


def ocr_image(image: Image, options: ParseOptions) -> OcrResult:
    """Read one page image. Raises OcrUnavailableError when tesseract or the language is missing."""

    if not ocr_available(options):
        raise OcrUnavailableError(options.ocr_lang)
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # inherited by the tesseract subprocess
    _use_command(options.tesseract_cmd)
    if image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    result = _read(image, options)
    if result.confidence is not None and result.confidence >= _RETRY_BELOW:
        return result
    # Poor reading: the page may be scanned sideways or upside down. Ask tesseract's orientation
    # detection, turn the picture and read again; keep the better of the two readings.
    angle = _orientation(image, options)
    if not angle:
        return result
    turned = _read(image.rotate(-angle, expand=True), options)  # OSD gives a clockwise angle, PIL turns anticlockwise
    if (turned.confidence or 0) > (result.confidence or 0):
        return turned
    return result


def _orientation(image: Image, options: ParseOptions) -> int:
    import pytesseract

    if "osd" not in _languages(options.tesseract_cmd):
        return 0
    try:
        osd = pytesseract.image_to_osd(image, config="--psm 0", output_type=pytesseract.Output.DICT,
                                       timeout=options.ocr_timeout_s)
    except (pytesseract.TesseractError, RuntimeError):
        return 0  # too little text to decide
    return int(osd.get("rotate", 0)) % 360


def _read(image: Image, options: ParseOptions) -> OcrResult:
    import pytesseract

    try:
        data = pytesseract.image_to_data(
            image, lang=options.ocr_lang, config="--psm 3", output_type=pytesseract.Output.DICT,
            timeout=options.ocr_timeout_s,
        )
    except pytesseract.TesseractNotFoundError as exc:
        raise OcrUnavailableError(options.ocr_lang) from exc
    except RuntimeError as exc:  # pytesseract raises a bare RuntimeError on timeout
        if "timeout" in str(exc).lower():
            raise IngestError(
                f"OCR interrompu au bout de {options.ocr_timeout_s:.0f} s : la page n'a pas été lue."
            ) from exc
        raise
    return _assemble(data)


def _assemble(data: dict[str, list]) -> OcrResult:  # type: ignore[type-arg]
    lines: list[str] = []
    confidences: list[float] = []
    current: tuple[int, int, int] | None = None
    words: list[str] = []
    last_block = None
    for i, word in enumerate(data["text"]):
        if data["level"][i] != 5 or not str(word).strip():
            continue
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        if key != current:
            if words:
                lines.append(" ".join(words))
            if last_block is not None and key[0] != last_block:
                lines.append("")  # blank line between text blocks
            words, current, last_block = [], key, key[0]
        words.append(str(word).strip())
        conf = float(data["conf"][i])
        if conf >= 0:
            confidences.append(conf)
    if words:
        lines.append(" ".join(words))
    mean = sum(confidences) / len(confidences) / 100 if confidences else None
    return OcrResult(text="\n".join(lines), confidence=mean)
