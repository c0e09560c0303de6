"""Build Vigie's demo portfolio (and the small test portfolio B) from text sources.

    .venv/bin/python demo/build_demo.py            # builds both portfolios
    .venv/bin/python demo/build_demo.py --check    # validates, and fails if a built file is stale

Sources live in `demo/src/<name>/`: one `<relative path>.src` file per output document,
plus `portfolio.json`, `incidents.csv` and `answers.json` (breaches, exclusion, queries,
evidence)
copied or checked as they stand. A `.src` file starts with `%key: value` directives
(format, kind, header, footer, e-mail headers, attachments) followed by the body.

Gold spans are marked inline: `[[p key=value ...]]text[[/p]]` for a penalty, `d` for a
deadline, `o` for an obligation; markers nest when a sentence is both. The gold quote
is the marked text; the builder renders the document, reads it back (PDF text with
pypdfium2, DOCX paragraphs and cells) and fails when a quote cannot be found again, so
the gold never drifts from the files. PDF page numbers are computed from the read-back.

Output is byte-stable: reportlab invariant mode, fixed DOCX zip timestamps and core
properties, fixed MIME boundaries and dates written in the sources.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import shlex
import shutil
import sys
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
REPO = ROOT.parent
# name -> (source folder, output folder)
PORTFOLIOS = {
    "demo": (ROOT / "src" / "portfolio", ROOT / "portfolio"),
    "portfolio_b": (ROOT / "src" / "portfolio_b", REPO / "tests" / "fixtures" / "portfolio_b"),
}
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu")
ITEM_TAGS = {"p": "penalties", "d": "deadlines", "o": "obligations"}
PENALTY_FIELDS = ("trigger", "basis", "amount_eur", "ratio", "unit", "cap_percent",
                  "threshold_eur", "requires_formal_notice", "derogates_ccag")
DEADLINE_FIELDS = ("duration", "unit", "day_type", "anchor", "party")
OBLIGATION_FIELDS = ("party",)
FIELDS = {"penalties": PENALTY_FIELDS, "deadlines": DEADLINE_FIELDS,
          "obligations": OBLIGATION_FIELDS}
FIXED_ZIP_TIME = (2026, 1, 5, 8, 0, 0)

_OPEN = re.compile(r"\[\[([pdo])((?:\s+[^\]]*)?)\]\]")
_CLOSE = re.compile(r"\[\[/([pdo])\]\]")
_ANY = re.compile(r"\[\[/?[pdo](?:\s+[^\]]*)?\]\]")


class BuildError(Exception):
    pass


# ----------------------------------------------------------------------------- sources

@dataclass
class Item:
    tag: str
    attrs: dict
    quote: str
    table_row: bool = False


@dataclass
class Source:
    rel: str  # output path relative to the portfolio root
    meta: dict[str, str]
    body: str  # with markers
    attachments: list[str] = field(default_factory=list)  # `%attach:` names
    items: list[Item] = field(default_factory=list)

    @property
    def fmt(self) -> str:
        return self.meta.get("format") or Path(self.rel).suffix.lstrip(".")


def _value(raw: str):
    if raw == "null":
        return None
    if raw in ("true", "false"):
        return raw == "true"
    if re.fullmatch(r"-?\d+", raw):
        return int(raw)
    if re.fullmatch(r"-?\d+\.\d+", raw):
        return float(raw)
    return raw


def parse_attrs(text: str) -> dict:
    out = {}
    for tok in shlex.split(text):
        key, _, raw = tok.partition("=")
        out[key] = _value(raw)
    return out


def strip_markers(text: str) -> str:
    return _ANY.sub("", text)


def collect_items(body: str) -> list[Item]:
    """Marked spans, in document order. A table row `|| [[p ...]]a | b[[/p]]` quotes the
    cells joined by one space (how the gold of a table row reads)."""
    items: list[Item] = []
    for line in body.splitlines():
        if line.startswith("|| "):
            m = re.fullmatch(r"\|\| \[\[([pdo])((?:\s+[^\]]*)?)\]\](.*)\[\[/\1\]\]", line)
            if m:
                cells = [c.strip() for c in strip_markers(m.group(3)).split(" | ")]
                items.append(Item(m.group(1), parse_attrs(m.group(2)), " ".join(cells), True))
                continue
    stack: list[tuple[str, dict, int]] = []
    pos = 0
    plain = []  # text without markers, built as we go
    for m in re.finditer(r"\[\[/?[pdo](?:\s+[^\]]*)?\]\]", body):
        plain.append(body[pos:m.start()])
        pos = m.end()
        tok = m.group(0)
        so_far = "".join(plain)
        if tok.startswith("[[/"):
            tag = tok[3]
            if not stack or stack[-1][0] != tag:
                raise BuildError(f"closing marker {tok} without its opening one")
            t, attrs, start = stack.pop()
            line_start = body.rfind("\n", 0, m.start()) + 1
            if body.startswith("|| ", line_start):
                continue  # table rows were collected above
            items.append(Item(t, attrs, " ".join(so_far[start:].split())))
        else:
            om = _OPEN.fullmatch(tok)
            if om is None:
                raise BuildError(f"malformed marker {tok}")
            stack.append((om.group(1), parse_attrs(om.group(2)), len(so_far)))
    if stack:
        raise BuildError(f"unclosed marker [[{stack[-1][0]} ...]]")
    return items


def load_source(path: Path, src_root: Path) -> Source:
    text = path.read_text(encoding="utf-8")
    meta: dict[str, str] = {}
    attachments: list[str] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines) and lines[i].startswith("%"):
        key, _, val = lines[i][1:].partition(":")
        key = key.strip()
        if key == "attach":
            attachments.append(val.strip())
        else:
            meta[key] = val.strip()
        i += 1
    body = "\n".join(lines[i:]).strip("\n") + "\n"
    rel = str(path.relative_to(src_root))[: -len(".src")]
    src = Source(rel=rel, meta=meta, body=body, attachments=attachments)
    src.items = collect_items(body)
    return src


# ----------------------------------------------------------------------------- blocks

@dataclass
class Block:
    kind: str  # h1, h2, h3, p, li, table, break
    text: str = ""
    rows: list[list[str]] = field(default_factory=list)


def parse_blocks(body: str) -> list[Block]:
    """Blocks of a PDF/DOCX body: headings (#, ##, ###), paragraphs, bullets (- ),
    tables (lines starting with `|| `, cells split on ` | `) and `%%pagebreak`."""
    blocks: list[Block] = []
    para: list[str] = []
    table: list[list[str]] = []

    def flush():
        if para:
            blocks.append(Block("p", " ".join(para)))
            para.clear()
        if table:
            blocks.append(Block("table", rows=[r[:] for r in table]))
            table.clear()

    for raw in body.splitlines():
        line = strip_markers(raw).rstrip()
        if not line.strip():
            flush()
        elif line.startswith("|| "):
            if para:
                blocks.append(Block("p", " ".join(para)))
                para.clear()
            table.append([c.strip() for c in line[3:].split(" | ")])
        elif line == "%%pagebreak":
            flush()
            blocks.append(Block("break"))
        elif m := re.match(r"(#{1,3}) (.*)", line):
            flush()
            blocks.append(Block(f"h{len(m.group(1))}", m.group(2)))
        elif line.startswith("- "):
            flush()
            blocks.append(Block("li", line[2:]))
        else:
            if table:
                flush()
            para.append(line.strip())
    flush()
    return blocks


# ----------------------------------------------------------------------------- renderers

def _fonts():
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for d in FONT_DIRS:
        if (Path(d) / "DejaVuSans.ttf").exists():
            break
    else:
        raise BuildError("police DejaVuSans.ttf introuvable (paquet fonts-dejavu-core)")
    if "DejaVu" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVu", f"{d}/DejaVuSans.ttf"))
        pdfmetrics.registerFont(TTFont("DejaVu-Bold", f"{d}/DejaVuSans-Bold.ttf"))
        addMapping("DejaVu", 0, 0, "DejaVu")
        addMapping("DejaVu", 1, 0, "DejaVu-Bold")


def _esc(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_pdf(src: Source) -> bytes:
    from reportlab import rl_config
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        KeepTogether,
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    rl_config.invariant = 1
    _fonts()
    base = ParagraphStyle("b", fontName="DejaVu", fontSize=10, leading=13.5, spaceAfter=5)
    styles = {
        "h1": ParagraphStyle("h1", parent=base, fontName="DejaVu-Bold", fontSize=13.5,
                             leading=17, alignment=1, spaceAfter=10),
        "h2": ParagraphStyle("h2", parent=base, fontName="DejaVu-Bold", fontSize=11,
                             spaceBefore=8),
        "h3": ParagraphStyle("h3", parent=base, fontName="DejaVu-Bold", fontSize=10),
        "p": base,
        "li": ParagraphStyle("li", parent=base, leftIndent=12, bulletIndent=2),
        "cell": ParagraphStyle("c", parent=base, fontSize=9, leading=11.5, spaceAfter=0),
    }
    blocks = parse_blocks(src.body)

    def story():
        out = []
        for b in blocks:
            if b.kind == "break":
                out.append(PageBreak())
            elif b.kind == "table":
                rows = [[Paragraph(_esc(c), styles["cell"]) for c in r] for r in b.rows]
                t = Table(rows, colWidths=[105 * mm, 60 * mm], repeatRows=1)
                t.setStyle(TableStyle([
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                    ("VALIGN", (0, 0), (-1, -1), "TOP")]))
                out += [t, Spacer(1, 6)]
            elif b.kind == "li":
                out.append(Paragraph(_esc(b.text), styles["li"], bulletText="–"))
            else:  # one paragraph never splits across pages: quotes stay on one page
                out.append(KeepTogether([Paragraph(_esc(b.text), styles[b.kind])]))
        return out

    def build(total: int) -> tuple[bytes, int]:
        buf = io.BytesIO()
        pages = [0]

        def deco(canvas, doc):
            pages[0] = doc.page
            canvas.saveState()
            canvas.setFont("DejaVu", 8)
            if src.meta.get("header"):
                canvas.drawString(20 * mm, 285 * mm, src.meta["header"])
            if src.meta.get("footer"):
                canvas.drawCentredString(105 * mm, 10 * mm, src.meta["footer"].format(
                    page=doc.page, pages=total))
            canvas.restoreState()

        doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=22 * mm, rightMargin=22 * mm,
                                topMargin=22 * mm, bottomMargin=20 * mm,
                                title=src.meta.get("title", ""), author="Vigie démo",
                                creator="Vigie build_demo", producer="Vigie build_demo")
        doc.build(story(), onFirstPage=deco, onLaterPages=deco)
        return buf.getvalue(), pages[0]

    _, total = build(0)
    data, _ = build(total)
    return data


def render_docx(src: Source) -> bytes:
    import datetime as dt

    import docx
    from docx.shared import Pt

    d = docx.Document()
    d.styles["Normal"].font.name = "Calibri"
    d.styles["Normal"].font.size = Pt(10.5)
    for b in parse_blocks(src.body):
        if b.kind in ("h1", "h2", "h3"):
            d.add_heading(b.text, level=int(b.kind[1]) - 1)  # h1 -> Title, h2 -> Heading 1
        elif b.kind == "li":
            d.add_paragraph(b.text, style="List Bullet")
        elif b.kind == "table":
            t = d.add_table(rows=len(b.rows), cols=len(b.rows[0]))
            t.style = "Table Grid"
            for r, row in enumerate(b.rows):
                for c, cell in enumerate(row):
                    t.cell(r, c).text = cell
        elif b.kind == "break":
            d.add_page_break()
        else:
            d.add_paragraph(b.text)
    cp = d.core_properties
    stamp = dt.datetime(2026, 1, 5, 8, 0, 0)
    cp.author = cp.last_modified_by = "Vigie démo"
    cp.created = cp.modified = stamp
    cp.last_printed = stamp
    cp.revision = 1
    cp.title = src.meta.get("title", "")
    buf = io.BytesIO()
    d.save(buf)
    return _stable_zip(buf.getvalue())


def _stable_zip(data: bytes) -> bytes:
    zin = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in sorted(zin.infolist(), key=lambda i: i.filename):
            ni = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            ni.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(ni, zin.read(info.filename))
    return out.getvalue()


def render_text(src: Source) -> bytes:
    return strip_markers(src.body).encode(src.meta.get("encoding", "utf-8"))


def render_eml(src: Source, src_root: Path) -> bytes:
    msg = EmailMessage(policy=policy.default.clone(linesep="\n"))
    for key in ("From", "To", "Cc", "Subject", "Date", "Message-ID", "In-Reply-To"):
        if src.meta.get(key):
            msg[key] = src.meta[key]
    body = strip_markers(src.body)
    charset = src.meta.get("encoding", "utf-8")
    if charset == "utf-8":
        msg.set_content(body, charset="utf-8", cte="quoted-printable")
    else:
        msg.set_content(body, charset=charset, cte="8bit")
    for att in src.attachments:
        att_src = load_source(src_root / "attachments" / f"{att}.src", src_root)
        data = render(att_src, src_root)
        maintype, subtype = {"pdf": ("application", "pdf"), "txt": ("text", "plain"),
                             "docx": ("application", "vnd.openxmlformats-officedocument."
                                      "wordprocessingml.document")}[att_src.fmt]
        msg.add_attachment(data, maintype=maintype, subtype=subtype,
                           filename=Path(att).name)
    if msg.is_multipart():
        msg.set_boundary(f"=_vigie_demo_{zlib.crc32(src.rel.encode()):08x}")
    return msg.as_bytes()


def render(src: Source, src_root: Path) -> bytes:
    fmt = src.fmt
    if fmt == "pdf":
        return render_pdf(src)
    if fmt == "docx":
        return render_docx(src)
    if fmt in ("txt", "md"):
        return render_text(src)
    if fmt == "eml":
        return render_eml(src, src_root)
    raise BuildError(f"{src.rel}: unknown format {fmt}")


# ----------------------------------------------------------------------------- read-back

def _norm(s: str) -> str:
    s = unicodedata.normalize("NFC", s).replace("\u00a0", " ").replace("\u202f", " ")
    s = s.replace("\ufffe", "").replace("\u00ad", "").replace("\x02", "")
    return " ".join(s.split())


def pdf_pages(data: bytes) -> list[str]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        return [_norm(pdf[i].get_textpage().get_text_range()) for i in range(len(pdf))]
    finally:
        pdf.close()


def docx_text(data: bytes) -> str:
    import docx

    d = docx.Document(io.BytesIO(data))
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            parts.append(" ".join(c.text for c in row.cells))
    return _norm("\n".join(parts))


def locate(src: Source, data: bytes, item: Item) -> int | None:
    """Page of the quote (PDF) or None; raises when the quote is not in the file."""
    quote = _norm(item.quote)
    if src.fmt == "pdf":
        pages = pdf_pages(data)
        for n, text in enumerate(pages, 1):
            if quote in text:
                return n
        if item.table_row:  # wrapped cells interleave: accept the page holding every word
            words = quote.split()
            for n, text in enumerate(pages, 1):
                if " ".join(words[:4]) in text and all(w in text for w in words):
                    return n
        raise BuildError(f"{src.rel}: quote not found in the PDF: {quote[:80]}")
    if src.fmt == "docx":
        text = docx_text(data)
    else:
        text = _norm(strip_markers(src.body))
    if quote not in text:
        raise BuildError(f"{src.rel}: quote not found: {quote[:80]}")
    return None


# ----------------------------------------------------------------------------- gold

def gold_document(src: Source, data: bytes) -> dict:
    doc: dict[str, Any] = {"path": src.rel, "kind": src.meta["kind"],
           "pages": len(pdf_pages(data)) if src.fmt == "pdf" else None}
    if src.meta.get("annotate") != "yes":
        if src.items:
            raise BuildError(f"{src.rel}: marked items in a document not annotated")
        return doc
    for key in ITEM_TAGS.values():
        doc[key] = []
    for item in src.items:
        key = ITEM_TAGS[item.tag]
        unknown = set(item.attrs) - set(FIELDS[key]) - {"article"}
        if unknown:
            raise BuildError(f"{src.rel}: unknown fields {sorted(unknown)} on {item.quote[:40]}")
        if "article" not in item.attrs:
            raise BuildError(f"{src.rel}: item without article: {item.quote[:60]}")
        entry = {"article": str(item.attrs["article"]), "page": locate(src, data, item),
                 "quote": item.quote}
        for f in FIELDS[key]:
            default = False if f == "requires_formal_notice" else None
            val = item.attrs.get(f, default)
            if f in ("amount_eur", "ratio", "cap_percent", "threshold_eur") and val is not None:
                val = float(val)
            if f == "derogates_ccag" and val is not None:
                val = str(val)
            entry[f] = val
        _check_item(src, key, entry)
        doc[key].append(entry)
    return doc


def _check_item(src: Source, key: str, e: dict) -> None:
    where = f"{src.rel} art. {e['article']}"
    if key == "penalties":
        if e["trigger"] not in ("retard", "indisponibilite", "absence", "non_conformite",
                                "document", "securite", "social", "autre"):
            raise BuildError(f"{where}: trigger {e['trigger']}")
        if e["basis"] in ("fixed", "fixed_per_unit") and e["amount_eur"] is None:
            raise BuildError(f"{where}: amount_eur missing")
        if e["basis"] in ("ratio_per_unit", "percent") and e["ratio"] is None:
            raise BuildError(f"{where}: ratio missing")
    if key == "deadlines" and e["unit"] not in ("heure", "jour", "semaine", "mois", "an"):
        raise BuildError(f"{where}: unit {e['unit']}")
    art = re.escape(e["article"])
    if not re.search(rf"(?<![\d.]){art}(?![\d])", strip_markers(src.body)):
        raise BuildError(f"{where}: article number not written in the document")


def check_answers(out: Path, answers: dict, docs: dict[str, dict]) -> None:
    incidents = list(csv.DictReader((out / "incidents.csv").open(encoding="utf-8")))
    ids = [r["id"] for r in incidents]
    found = [f["incident"] for f in answers["breaches"]["findings"]]
    if sorted(ids) != sorted(found):
        raise BuildError(f"breaches: incidents {sorted(set(ids) ^ set(found))} mismatch")
    for f in answers["breaches"]["findings"]:
        for p in f["action_documents"] + ([f["clause"]["path"]] if f.get("clause") else []):
            if p not in docs:
                raise BuildError(f"{f['incident']}: unknown path {p}")
        if f["breach"] is False and (f["penalty_eur"] is not None or f["acted_on"]):
            raise BuildError(f"{f['incident']}: a non-breach has a penalty or an action")
    for s in answers["exclusion"]["suppliers"]:
        for g in s["grounds"]:
            if g["document"] not in docs:
                raise BuildError(f"exclusion: unknown path {g['document']}")
    for d in answers.get("evidence", {}).get("disputes", []):
        if docs.get(d["dispute"], {}).get("kind") not in ("contestation", "reclamation"):
            raise BuildError(f"evidence: {d['dispute']} is not a dispute")
        for e in d["evidence"]:
            if e["path"] not in docs:
                raise BuildError(f"evidence: unknown path {e['path']}")
    for q in answers["queries"]:
        for r in q["relevant"]:
            if r["path"] not in docs:
                raise BuildError(f"query {q['query']}: unknown path {r['path']}")


# ----------------------------------------------------------------------------- main

def _dump(path: Path, obj) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def build(name: str, check_only: bool) -> None:
    src_root, out = PORTFOLIOS[name]
    sources = sorted((p for p in src_root.rglob("*.src") if "attachments" not in p.parts),
                     key=lambda p: str(p))
    built: dict[str, bytes] = {}
    docs: dict[str, dict] = {}
    for p in sources:
        src = load_source(p, src_root)
        if "kind" not in src.meta:
            raise BuildError(f"{src.rel}: %kind missing")
        data = render(src, src_root)
        built[src.rel] = data
        docs[src.rel] = gold_document(src, data)
    answers = json.loads((src_root / "answers.json").read_text(encoding="utf-8"))
    portfolio = json.loads((src_root / "portfolio.json").read_text(encoding="utf-8"))
    for c in portfolio["contracts"]:
        if c.get("terminated") and c["terminated"]["document"] not in docs:
            raise BuildError(f"{c['ref']}: termination document missing")
    if check_only:  # the committed files must be what the sources build
        stale = [rel for rel, data in built.items()
                 if not (out / rel).exists() or (out / rel).read_bytes() != data]
        if stale:
            raise BuildError(f"{name}: out of date, rebuild: {', '.join(stale)}")
    if not check_only:
        for sub in ("contracts", "correspondence", "gold"):
            shutil.rmtree(out / sub, ignore_errors=True)
        for rel, data in built.items():
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            (out / rel).write_bytes(data)
        for f in ("portfolio.json", "incidents.csv"):
            shutil.copyfile(src_root / f, out / f)
        (out / "gold").mkdir(parents=True, exist_ok=True)
        _dump(out / "gold" / "extract.json", {"documents": list(docs.values())})
        _dump(out / "gold" / "breaches.json", answers["breaches"])
        _dump(out / "gold" / "exclusion.json", answers["exclusion"])
        _dump(out / "gold" / "queries.json", answers["queries"])
        if "evidence" in answers:
            _dump(out / "gold" / "evidence.json", answers["evidence"])
        _dump(out / "gold" / "queries-input.json",
              [{"query": q["query"]} for q in answers["queries"]])
        if (src_root / "gold-README.md").exists():
            shutil.copyfile(src_root / "gold-README.md", out / "gold" / "README.md")
        check_answers(out, answers, docs)
    n = {k: sum(len(d.get(k, [])) for d in docs.values()) for k in ITEM_TAGS.values()}
    print(f"{name}: {len(docs)} documents, {n['penalties']} penalties, "
          f"{n['deadlines']} deadlines, {n['obligations']} obligations, "
          f"{len(answers['breaches']['findings'])} findings -> {out.relative_to(REPO)}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="validate only, write nothing")
    ap.add_argument("names", nargs="*", default=list(PORTFOLIOS))
    args = ap.parse_args(argv)
    try:
        for name in args.names:
            build(name, args.check)
    except BuildError as exc:
        print(f"build_demo: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
