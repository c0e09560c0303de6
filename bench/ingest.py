"""Ingestion throughput on generated born-digital CCAP-like PDFs, beside the raw pypdfium2 ceiling.

    .venv/bin/python bench/ingest.py [--pages 400] [--docs 10] [--ocr-pages 3]

Prints figures only (no assertions): Vigie pages/s (detect + parse + clean + running headers +
offsets + blob store), raw pypdfium2 text extraction pages/s on the same files, their ratio,
OCR seconds per page at the default 300 dpi, and the peak RSS of the process.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pypdfium2 as pdfium  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.styles import getSampleStyleSheet  # noqa: E402
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle  # noqa: E402

from ingest import BlobStore, ParseOptions, parse_bytes  # noqa: E402

_SUBJECTS = ["Le titulaire", "Le prestataire", "L'entreprise", "Le cocontractant"]
_VERBS = ["est tenu de", "s'engage à", "doit", "devra"]
_OBJECTS = [
    "remettre le planning d'exécution dans un délai de dix jours à compter de la notification",
    "informer le représentant du pouvoir adjudicateur de toute difficulté susceptible de retarder les prestations",
    "assurer la continuité du service pendant toute la durée de l'accord-cadre",
    "transmettre chaque mois un rapport d'activité détaillant les interventions réalisées",
    "respecter les prescriptions du cahier des clauses techniques particulières",
    "justifier de la régularité de sa situation au regard des obligations sociales et fiscales",
]
_PENALTIES = [
    "En cas de retard, le titulaire encourt une pénalité de {n} € HT par jour calendaire, sans mise en demeure préalable.",
    "Par dérogation à l'article 14.1.{k} du CCAG, le montant des pénalités est plafonné à {p} % du montant HT du bon de commande.",
    "Les pénalités sont calculées selon la formule P = V x R / 1000, où V est la valeur des prestations en retard.",
]


def _paragraph(rng: random.Random) -> str:
    parts = [f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)}." for _ in range(rng.randint(2, 4))]
    if rng.random() < 0.3:
        parts.append(rng.choice(_PENALTIES).format(n=rng.choice([50, 100, 150, 300]), k=rng.randint(1, 3),
                                                   p=rng.choice([5, 10])))
    return " ".join(parts)


def make_pdf(pages: int, seed: int, with_table: bool) -> bytes:
    rng = random.Random(seed)
    styles = getSampleStyleSheet()
    buf = io.BytesIO()
    ref = f"2026-BEN-{seed:03d}"

    def frame(canvas, doc):  # type: ignore[no-untyped-def]
        canvas.setFont("Helvetica", 8)
        canvas.drawString(56, A4[1] - 30, "Communauté de communes du Val d'Essai – Direction des achats")
        canvas.drawString(56, 24, f"CCAP – Marché n° {ref} – Page {doc.page}")

    doc = SimpleDocTemplate(buf, pagesize=A4)
    story: list = []  # type: ignore[type-arg]
    article = 1
    while len(story) < pages * 13:  # about 13 flowables fill an A4 page of this text
        story.append(Paragraph(f"ARTICLE {article} – DISPOSITIONS PARTICULIÈRES N° {article}", styles["Heading2"]))
        for _ in range(rng.randint(2, 4)):
            story.append(Paragraph(_paragraph(rng), styles["BodyText"]))
        if with_table and article % 12 == 0:
            table = Table([["Manquement", "Pénalité"], ["Retard de livraison", "100 € par jour"],
                           ["Rapport absent", "250 € par rapport"]])
            table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black")]))
            story += [Spacer(1, 6), table]
        article += 1
    doc.build(story, onFirstPage=frame, onLaterPages=frame)
    return buf.getvalue()


def make_scan(lines: list[str]) -> bytes:
    from PIL import Image, ImageDraw, ImageFont
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    image = Image.new("L", (2480, 3508), 255)  # A4 at 300 dpi
    draw = ImageDraw.Draw(image)
    try:
        font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 42)
    except OSError:
        font = ImageFont.load_default(size=42)
    for i, line in enumerate(lines):
        draw.text((200, 250 + 70 * i), line, fill=0, font=font)
    png = io.BytesIO()
    image.save(png, format="PNG")
    png.seek(0)
    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    c.drawImage(ImageReader(png), 0, 0, width=A4[0], height=A4[1])
    c.showPage()
    c.save()
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=400, help="approximate total number of pages")
    parser.add_argument("--docs", type=int, default=10)
    parser.add_argument("--ocr-pages", type=int, default=3)
    parser.add_argument("--compare-pdfplumber", action="store_true",
                        help="also time pdf_table_engine='pdfplumber' on the same files")
    args = parser.parse_args()

    per_doc = max(1, args.pages // args.docs)
    files = [make_pdf(per_doc, seed, with_table=seed % 2 == 0) for seed in range(args.docs)]
    total_pages = sum(len(pdfium.PdfDocument(f)) for f in files)
    options = ParseOptions()

    start, cpu = time.perf_counter(), time.process_time()
    for data in files:
        handle = pdfium.PdfDocument(data)
        for page in handle:
            page.get_textpage().get_text_range()
        handle.close()
    raw_wall, raw_cpu = time.perf_counter() - start, time.process_time() - cpu

    with tempfile.TemporaryDirectory() as tmp:
        store = BlobStore(Path(tmp))
        start, cpu = time.perf_counter(), time.process_time()
        parsed_pages = tables = 0
        for i, data in enumerate(files):
            store.put(data)
            doc = parse_bytes(data, filename=f"ccap-{i}.pdf", options=options)
            assert doc.status == "parsed", doc.errors
            parsed_pages += len(doc.pages)
            tables += len(doc.tables)
        vigie_wall, vigie_cpu = time.perf_counter() - start, time.process_time() - cpu

    print(f"documents: {len(files)}  pages: {total_pages}  tables found: {tables}")
    print(f"raw pypdfium2 text:  {total_pages / raw_wall:8.1f} pages/s  (cpu {total_pages / raw_cpu:8.1f})")
    print(f"vigie ingestion:     {parsed_pages / vigie_wall:8.1f} pages/s  (cpu {parsed_pages / vigie_cpu:8.1f})")
    print(f"ratio vigie / raw:   {(parsed_pages / vigie_wall) / (total_pages / raw_wall):8.2f}  "
          f"(cpu {(parsed_pages / vigie_cpu) / (total_pages / raw_cpu):.2f}; wall figures suffer when other "
          "processes share the cores)")

    # The product's ingestion stage with the store: original kept (SHA-256), Document and Page rows
    # committed in SQLite (WAL) — what `vigie import` does before the analysis stage.
    from api.services.documents import accept_file, parse_stage
    from api.services.store import open_store
    from api.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        vstore = open_store(Settings(data_dir=Path(tmp)))
        start, cpu = time.perf_counter(), time.process_time()
        stored_pages = 0
        for i, data in enumerate(files):
            doc_id, _ = accept_file(vstore, data=data, filename=f"ccap-{i}.pdf", origin="bench")
            stored_pages += len(parse_stage(vstore, doc_id, options=options).pages)
        db_wall, db_cpu = time.perf_counter() - start, time.process_time() - cpu
        vstore.close()
    print(f"vigie + store (db):  {stored_pages / db_wall:8.1f} pages/s  (cpu {stored_pages / db_cpu:8.1f}; "
          f"ratio to raw {(stored_pages / db_wall) / (total_pages / raw_wall):.2f})")

    if args.compare_pdfplumber:
        plumber = ParseOptions(pdf_table_engine="pdfplumber")
        start, cpu = time.perf_counter(), time.process_time()
        for i, data in enumerate(files):
            parse_bytes(data, filename=f"ccap-{i}.pdf", options=plumber)
        wall, used = time.perf_counter() - start, time.process_time() - cpu
        print(f"same, pdfplumber tables: {total_pages / wall:8.1f} pages/s  (cpu {total_pages / used:8.1f})")

    if args.ocr_pages:
        lines = ["ARTICLE 7 – PÉNALITÉS DE RETARD"] + [_paragraph(random.Random(i))[:70] for i in range(30)]
        scans = [make_scan(lines) for _ in range(args.ocr_pages)]
        start = time.perf_counter()
        children_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
        confidences = []
        for data in scans:
            doc = parse_bytes(data, filename="scan.pdf", options=options)
            confidences.append(doc.pages[0].ocr_confidence or 0.0)
        per_page = (time.perf_counter() - start) / len(scans)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        tess_cpu = (after.ru_utime + after.ru_stime - children_cpu.ru_utime - children_cpu.ru_stime) / len(scans)
        print(f"OCR ({options.ocr_lang}, {options.ocr_dpi} dpi, 1 thread): {per_page:6.2f} s/page wall, "
              f"tesseract cpu {tess_cpu:.2f} s/page, mean confidence {sum(confidences) / len(confidences):.2f}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.0f} MiB")


if __name__ == "__main__":
    main()
