"""HTML → plain text that keeps the reading structure: blocks on their own lines, table rows as
cells joined by " | ", list items as "- ", scripts and styles dropped."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup
from bs4.element import NavigableString, Tag

_BLOCKS = frozenset(
    {"p", "div", "section", "article", "header", "footer", "blockquote", "pre", "h1", "h2", "h3", "h4",
     "h5", "h6", "ul", "ol", "dl", "dt", "dd", "table", "address", "hr", "form", "fieldset", "main",
     "nav", "aside", "figure", "figcaption", "center"}
)
_DROP = ("script", "style", "head", "noscript", "template", "svg", "object", "iframe")
_SPACES = re.compile(r"[ \t\u00a0]+")


def _cell_text(cell: Tag) -> str:
    return _SPACES.sub(" ", cell.get_text(" ", strip=True))


def html_to_text(markup: str) -> str:
    soup = BeautifulSoup(markup, "lxml")
    for tag in soup(list(_DROP)):
        tag.decompose()
    for row in soup.find_all("tr"):
        cells = [_cell_text(c) for c in row.find_all(["td", "th"], recursive=False)]
        row.replace_with(NavigableString("\n" + " | ".join(cells) + "\n"))
    for br in soup.find_all("br"):
        br.replace_with(NavigableString("\n"))
    for item in soup.find_all("li"):
        item.insert_before(NavigableString("\n- "))  # the next item or the list's end closes the line
    for block in soup.find_all(list(_BLOCKS)):
        block.insert_before(NavigableString("\n"))
        block.insert_after(NavigableString("\n"))
    text = soup.get_text()
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    out = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", out).strip()
