"""The Pandoc citation and cross-reference syntax: one set of patterns, used by the Markdown
extension to render and by the scanner to find every use with its line and column."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

KEY = r"[\w](?:[\w:.#$%&+?<>~/-]*[\w])?"
# A bracketed group holding at least one '@', not a link ("[..](" or "[..][") and not nested.
# Both patterns start with their literal and look behind it (not the other way round): a pattern
# that opens with a literal is searched for quickly; one that opens with a lookbehind is tried at
# every character, which made these two patterns a sixth of the engine's time per page.
GROUP_RE = re.compile(r"\[(?<![\\!\]]\[)(?P<body>[^\[\]\n]*?@[^\[\]\n]*?)\](?![(\[:])")
ITEM_RE = re.compile(
    rf"^(?P<prefix>.*?)(?P<suppress>-?)@(?P<key>{KEY})?(?P<suffix>.*)$", re.DOTALL
)
# A bare @label: cross-reference (sec-/art-/fig-/tbl-) or in-text citation. Not after a word character,
# so e-mail addresses and escaped "\@" stay text.
BARE_RE = re.compile(rf"@(?<![\w@\\`]@)(?P<key>{KEY})")
CROSSREF_PREFIXES = ("sec-", "art-", "fig-", "tbl-")
FENCE_RE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})")
INLINE_CODE_RE = re.compile(r"(?P<ticks>`+)(?:.+?)(?P=ticks)")
COMMENT_RE = re.compile(r"<!--.*?-->")
LINK_TARGET_RE = re.compile(r"(?<=\])\([^)\s]*(?:\s+\"[^\"]*\")?\)")  # "](url)" of a Markdown link
HEADING_RE = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.*?)\s*(?:\{(?P<attrs>[^{}]*)\})?\s*#*\s*$")
ATTR_RE = re.compile(r"""#(?P<id>[\w-]+)|\.(?P<cls>[\w-]+)|(?P<k>[\w-]+)=(?:"(?P<qv>[^"]*)"|'(?P<sv>[^']*)'|(?P<v>\S+))""")
PLACEHOLDER_RE = re.compile(r"^\s*\[\[(?P<name>[a-z-]+)\]\]\s*$")
# A definition-list term with an attribute list, and the line that opens a definition (as
# Python-Markdown's def_list and attr_list read them).
TERM_RE = re.compile(r"^ {0,3}(?P<text>[^\s#:>|<].*?)\s+\{:?(?P<attrs>[^{}]*)\}\s*$")
DEFINITION_RE = re.compile(r"^ {0,3}:[ \t]+\S")


@dataclass(frozen=True)
class CiteItem:
    """One work in a citation: ``[see @key, p. 4]`` has prefix "see", key, locator "p. 4"."""

    key: str
    prefix: str = ""
    locator: str = ""
    suppress_author: bool = False


@dataclass
class Token:
    """A citation group, an in-text citation or a cross-reference found in the source."""

    kind: str  # "group", "intext" or "crossref"
    line: int  # 1-based, within the text scanned
    col: int  # 1-based
    items: list[CiteItem] = field(default_factory=list)
    label: str = ""
    problem: str = ""  # set when the syntax is malformed


def is_crossref(key: str) -> bool:
    return key.startswith(CROSSREF_PREFIXES)


@functools.lru_cache(maxsize=16384)
def parse_group(body: str) -> tuple[tuple[CiteItem, ...], str]:
    """Split a bracketed citation body into items; return (items, problem or "").

    Cached: the scan of the docs and the rendering of each page read every citation twice."""
    items, problem = _parse_group(body)
    return tuple(items), problem


def _parse_group(body: str) -> tuple[list[CiteItem], str]:
    items: list[CiteItem] = []
    for raw in body.split(";"):
        if not raw.strip():
            return items, "empty item in a citation; remove the extra ';'"
        m = ITEM_RE.match(raw)
        if not m:
            return items, f"'{raw.strip()}' has no '@key'; write each work as @key, separated by ';'"
        key = m.group("key")
        if not key:
            return items, "citation with an empty key; write [@key] with a key from references.bib"
        suffix = m.group("suffix")
        if "@" in suffix:
            return items, "two keys in one citation item; separate works with ';' as in [@a; @b]"
        if is_crossref(key):
            return items, f"'@{key}' is a cross-reference; write it bare, outside brackets"
        locator = suffix.strip()
        if locator.startswith(","):
            locator = locator[1:].strip()
        items.append(
            CiteItem(
                key=key,
                prefix=m.group("prefix").strip(),
                locator=locator,
                suppress_author=bool(m.group("suppress")),
            )
        )
    return items, ""


def _mask(text: str, pattern: re.Pattern[str]) -> str:
    return pattern.sub(lambda m: " " * len(m.group(0)), text)


def code_mask(lines: list[str], link_targets: bool = True) -> list[str]:
    """Blank out fenced code blocks, inline code and HTML comments (and, unless asked not to,
    the addresses of Markdown links), keeping columns."""
    out: list[str] = []
    fence = ""
    in_comment = False
    for line in lines:
        if fence:
            if line.strip().startswith(fence):
                fence = ""
            out.append(" " * len(line))
            continue
        m = FENCE_RE.match(line)
        if m:
            fence = m.group("fence")
            out.append(" " * len(line))
            continue
        masked = line
        if in_comment:
            end = masked.find("-->")
            if end < 0:
                out.append(" " * len(line))
                continue
            masked = " " * (end + 3) + masked[end + 3 :]
            in_comment = False
        # Each pattern needs its opening characters; most lines have none (and a scan is per line).
        if "`" in masked:
            masked = _mask(masked, INLINE_CODE_RE)
        if "<!--" in masked:
            masked = _mask(masked, COMMENT_RE)
        if link_targets and "](" in masked:
            masked = _mask(masked, LINK_TARGET_RE)
        start = masked.find("<!--")
        if start >= 0:
            in_comment = True
            masked = masked[:start] + " " * (len(masked) - start)
        out.append(masked)
    return out


def scan(lines: list[str]) -> list[Token]:
    """Every citation and cross-reference in the text, with 1-based line and column."""
    tokens: list[Token] = []
    for n, line in enumerate(code_mask(lines), start=1):
        if "@" not in line:
            continue
        taken = [False] * len(line)
        for m in GROUP_RE.finditer(line):
            items, problem = parse_group(m.group("body"))
            tokens.append(Token("group", n, m.start() + 1, items=items, problem=problem))
            for i in range(m.start(), m.end()):
                taken[i] = True
        for m in BARE_RE.finditer(line):
            if taken[m.start()]:
                continue
            key = m.group("key")
            kind = "crossref" if is_crossref(key) else "intext"
            item = [] if kind == "crossref" else [CiteItem(key=key)]
            tokens.append(Token(kind, n, m.start() + 1, items=item, label=key))
    return tokens


def parse_attrs(attrs: str) -> dict[str, str]:
    """The id and key="value" pairs of an attribute list such as ``#art-3 data-status="x"``."""
    result: dict[str, str] = {}
    classes: list[str] = []
    for m in ATTR_RE.finditer(attrs or ""):
        if m.group("id"):
            result["id"] = m.group("id")
        elif m.group("cls"):
            classes.append(m.group("cls"))
        else:
            value = next(v for v in (m.group("qv"), m.group("sv"), m.group("v")) if v is not None)
            result[m.group("k")] = value
    if classes:
        result["class"] = " ".join(classes)
    return result


INLINE_MARKUP_RE = re.compile(r"\[([^\]]*)\]\([^)]*\)|[*_`]")


def plain_heading(text: str) -> str:
    """Heading text without Markdown emphasis, code ticks or link targets."""
    return INLINE_MARKUP_RE.sub(lambda m: m.group(1) or "", text).strip()


def is_definition_term(lines: list[str], i: int) -> bool:
    """Whether line ``i`` is a term of a definition list: the lines of its paragraph after it,
    then at most one blank line, lead to a line that opens a definition (``:   …``)."""
    j = i + 1
    while j < len(lines) and lines[j].strip() and not DEFINITION_RE.match(lines[j]):
        j += 1
    if j < len(lines) and not lines[j].strip():
        j += 1
    return j < len(lines) and bool(DEFINITION_RE.match(lines[j]))
