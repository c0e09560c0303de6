"""Inspect what ingest makes of files: `python -m ingest FILE... [--text] [--no-ocr]`.

Prints one JSON object per file (status, format, pages, tables, errors, metadata, attachments)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from ingest.options import ParseOptions
from ingest.parse import parse_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest", description="Analyse des fichiers par ingest.")
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--text", action="store_true", help="inclure le texte extrait")
    parser.add_argument("--no-ocr", action="store_true", help="ne pas lancer l'OCR")
    args = parser.parse_args(argv)
    options = ParseOptions(ocr=not args.no_ocr)
    for path in args.files:
        start = time.perf_counter()
        doc = parse_path(path, options=options)
        report: dict[str, object] = {
            "file": str(path), "status": doc.status, "format": doc.format, "seconds": round(time.perf_counter() - start, 3),
            "pages": len(doc.pages), "ocr_pages": [p.number for p in doc.pages if p.ocr], "tables": len(doc.tables),
            "chars": len(doc.text), "errors": list(doc.errors), "metadata": doc.metadata,
            "attachments": [{"filename": a.filename, "bytes": len(a.data), "content_type": a.content_type}
                            for a in doc.attachments],
        }
        if args.text:
            report["text"] = doc.text
        print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
