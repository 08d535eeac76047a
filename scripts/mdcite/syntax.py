"""The Pandoc citation and cross-reference syntax, read once for everyone.

``read`` is the one reader of citations: ``mdcite check`` runs it over a page's text and the
Markdown extension over each block's text, so the two cannot disagree about what is cited. It
follows Pandoc's Markdown reader (``Text.Pandoc.Readers.Markdown``: ``cite``, ``normalCite``,
``textualCite``, ``citeKey``); where it departs on purpose, the group carries a ``problem`` that
the caller reports with its location (CONTRIBUTING.md lists those departures)."""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from dataclasses import dataclass, field
from operator import attrgetter

NORMAL, IN_TEXT, SUPPRESS = "NormalCitation", "AuthorInText", "SuppressAuthor"
CROSSREF_PREFIXES = ("sec-", "art-", "fig-", "tbl-")

# A key as Pandoc reads it: a letter, digit or '_' (or '*'), then letters, digits, '_' and single
# internal punctuation; ':' and '/' may also stand before a '/' (as in https://).
# (Written for speed: each run of letters and digits in one step, and no step taken back.)
# Everything after a key's first character, with the punctuation it may hold between two words.
_KEY_REST = r"\w*+(?:(?:[{}](?=\w)|[:/](?=/))\w*+)*+"
KEY_RE = re.compile(r"[\w*]" + _KEY_REST.format(":.#$%&+?<>~/-"))
# What a key may hold besides letters and digits (see KEY_RE).
KEY_PUNCTUATION = "_*:.#$%&+?<>~/-"
# One item of a plain group ("[@a]", "[see -@b, p. 4; @c]"), up to its ';' or ']': spaces, a
# prefix that ends with a space, the key, and a suffix, whose words hold nothing that the full
# reading (``_group_read``) weighs: no code, HTML, escape, bracket, emphasis, quote, '^', '@' or
# line break, and no '<' or '>' or '*' in the key. Most citations are such groups; one regular
# expression reads them, as the full reading would (a test compares the two on generated groups).
_PLAIN_WORDS = r"[^\\`<>\[\];@*_'\"\n^]*"
_PLAIN_KEY = r"\w" + _KEY_REST.format(":.#$%&+?~/-")  # KEY_RE without '*' first or '<', '>'
PLAIN_ITEM_RE = re.compile(rf"[ \t]*((?:{_PLAIN_WORDS} )?)(-?)@({_PLAIN_KEY})({_PLAIN_WORDS})([;\]])")
# Between an in-text key and its bracket: spaces and at most one line break.
SPNL_RE = re.compile(r"[ \t]*(?:\n[ \t]*)?")
# What the reader stops at; everything else is text it jumps over in one step.
SPECIAL_RE = re.compile(r"[\\`<\[\]@]")
SPECIAL_CHARS = "\\`<[]@"  # the characters of SPECIAL_RE (a test holds the two together)
BRACKET_STOP_RE = re.compile(r"[\\`<\[\]]")  # SPECIAL_RE but '@', which a bracket's end need not stop at
AFFIX_STOP_RE = re.compile(r"[\\`<\[\];@]")
BLANK_LINE_RE = re.compile(r"\n[ \t]*\n")
HTML_RE = re.compile(
    r"<(?:!--.*?-->"  # a comment
    r"|[A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*>"  # an autolink
    r"|[^\s<>@\\]+@[^\s<>@\\]+>"  # an e-mail autolink
    r"|/?[A-Za-z][A-Za-z0-9-]*(?:\s+[^\s\"'=<>`/]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'=<>`]+))?)*\s*/?>"  # a tag
    r"|![A-Za-z][^>]*>|\?.*?\?>)",  # a declaration or processing instruction
    re.DOTALL)
# "(url)" or "[label]" after a link's text; a label may run over a line break.
LINK_TARGET_AFTER_RE = re.compile(r"\((?:[^()\\\n]|\\.|\n(?![ \t]*\n)|\([^()\n]*\))*\)|\[(?:[^\[\]\n]|\n(?![ \t]*\n))*\]")
ATTRIBUTES_AFTER_RE = re.compile(  # "{#id .class key=value}", even "{}" (Pandoc's attributes: a span)
    r"\{[ \t]*(?:(?:#[^\s{}.#]+|\.[^\s{}.#=]+|[\w:-]+=(?:\"[^\"\n]*\"|'[^'\n]*'|[^\s\"'{}]+))[ \t]*)*\}")
# A suffix that starts like a locator ("p. 4", "33", "chap. 2", "§ 3") is printed after a comma,
# as citeproc does; any other suffix ("and passim") follows the year after a space.
LOCATOR_RE = re.compile(
    r"(?:\d|[¶§]|(?:p|pp|page|pages|ch|chap|chaps|chapter|chapters|bk|bks|book|books|col|cols|column|"
    r"columns|fig|figs|figure|figures|fol|fols|folio|folios|no|nos|number|numbers|l|ll|line|lines|"
    r"n|nn|note|notes|op|opp|opus|opera|para|paras|paragraph|paragraphs|pt|pts|part|parts|sec|secs|"
    r"section|sections|s\.v|s\.vv|sub verbo|v|vv|verse|verses|vol|vols|volume|volumes)\.?(?=[\s\d]|$))",
    re.IGNORECASE)
CODE_OR_ESCAPE_RE = re.compile(r"(`+).*?(?<!`)\1(?!`)|\\.", re.DOTALL)
EMPHASIS_RUN_RE = re.compile(r"\*+|_+")
# A line break right after a non-space and right before a ']' (outside code and escapes).
BREAK_BEFORE_CLOSE_RE = re.compile(r"(`+).*?(?<!`)\1(?!`)|\\.|(?<=\S)\n(?=\])", re.DOTALL)
# A link's "(address "title)" whose title quote never closes: Pandoc reads no link there, while
# Python-Markdown does (and takes the rest for the address).
UNCLOSED_TITLE_RE = re.compile(r"\([^\S\n]*\n?[^\S\n]*\S+\s+([\"'])(?:(?!\1)[\s\S])*\)")
TEX_COMMAND_RE = re.compile(r"\\[A-Za-z]+")
# The word of a TeX command that Pandoc takes whole as raw TeX: its letters, and the digits
# after them unless a letter follows ("\a3@v"; in "\a3x" only "\a" is TeX). Found by fuzzing.
TEX_WORD_RE = re.compile(r"[A-Za-z]+[0-9]*")
NOTE_REF_RE = re.compile(r"\[\^[^\s\]]+\]")
# A comment at the start of a line: Python-Markdown ends the paragraph there (a block of its own).
LINE_COMMENT_RE = re.compile(r"\n {0,3}<!--")

FENCE_RE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})")
INLINE_CODE_RE = re.compile(r"(?P<ticks>`+)(?:.+?)(?P=ticks)")
COMMENT_RE = re.compile(r"<!--.*?-->")
LINK_TARGET_RE = re.compile(r"(?<=\])\([^)\s]*(?:\s+\"[^\"]*\")?\)")  # "](url)" of a Markdown link
# A link definition as Python-Markdown reads it ("[label]: url" and an optional title).
LINK_DEFINITION_RE = re.compile(
    r"^[ ]{0,3}\[(?P<label>[^\[\]]*)\]:[ ]*(?P<url>\S+)[ ]*(?:([\"'])(?:.*)\3[ ]*|\((?:.*)\)[ ]*)?$")
HEADING_RE = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.*?)\s*(?:\{(?P<attrs>[^{}]*)\})?\s*#*\s*$")
ATTR_RE = re.compile(r"""#(?P<id>[\w-]+)|\.(?P<cls>[\w-]+)|(?P<k>[\w-]+)=(?:"(?P<qv>[^"]*)"|'(?P<sv>[^']*)'|(?P<v>\S+))""")
PLACEHOLDER_RE = re.compile(r"^\s*\[\[(?P<name>[a-z-]+)\]\]\s*$")
# A definition-list term with an attribute list, and the line that opens a definition (as
# Python-Markdown's def_list and attr_list read them).
TERM_RE = re.compile(r"^ {0,3}(?P<text>[^\s#:>|<].*?)\s+\{:?(?P<attrs>[^{}]*)\}\s*$")
DEFINITION_RE = re.compile(r"^ {0,3}:[ \t]+\S")


NESTED_CITATION = "a citation inside another citation's brackets; separate works with ';' as in [@a; @b]"
EMPHASIS_ACROSS = ("emphasis crosses the edge of a citation; open and close it within the prefix or the "
                   "locator, as in [*see* @key]")


@dataclass(frozen=True, order=True)
class CiteItem:
    """One work in a citation: ``[see @key, p. 4]`` has prefix "see", key, suffix ", p. 4".

    Prefix and suffix are the Markdown source as written; ``mode`` is Pandoc's citation mode."""

    key: str
    prefix: str = ""
    suffix: str = ""
    mode: str = NORMAL

    @property
    def suppress_author(self) -> bool:
        return self.mode == SUPPRESS

    @property
    def locator(self) -> str:
        """The suffix without its leading comma: "p. 4" for ``, p. 4``."""
        text = self.suffix.strip()
        return text[1:].strip() if text.startswith(",") else text

    def suffix_text(self) -> str:
        """The suffix as printed after the year: ", p. 4" for a locator, " and passim" otherwise."""
        text = self.suffix.strip()
        if not text:
            return ""
        if text.startswith(","):
            return ", " + text[1:].strip()
        if text.startswith("{") and "}" in text:  # Pandoc's braces that force a locator
            inner, _, rest = text[1:].partition("}")
            if not inner.strip():  # "{}": no locator, only what follows ("[@k{}, x]")
                return CiteItem(self.key, suffix=rest).suffix_text()
            return ", " + inner + rest
        return (", " if LOCATOR_RE.match(text) else " ") + text


@dataclass
class Cite:
    """One citation as Pandoc reads it (one ``Cite`` element): where it is and what it cites.

    ``group`` is the offset of the bracket of an in-text citation's bracketed part (-1 if none);
    ``in_link`` marks a citation inside the text of a link, which must not become a link itself."""

    start: int
    end: int
    items: tuple[CiteItem, ...]
    in_text: bool = False
    group: int = -1
    key_end: int = -1  # where an in-text citation's key ends (before any bracket)
    in_link: bool = False
    problem: str = ""

    @property
    def crossref(self) -> bool:
        """An in-text cross-reference such as ``@sec-x``, perhaps followed by a citation group."""
        return self.in_text and bool(self.items) and is_crossref(self.items[0].key)


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


# -- the reader ---------------------------------------------------------------------------------

def _escaped(text: str, i: int) -> bool:
    """Whether the character at i is escaped by a backslash (itself not escaped)."""
    n = 0
    while i - n - 1 >= 0 and text[i - n - 1] == "\\":
        n += 1
    return n % 2 == 1


def _after_string(text: str, i: int, cite_end: int) -> bool:
    """Pandoc's ``notAfterString``: a citation may not start right after a word, a period or a
    closing emphasis mark (so e-mail addresses stay text), but may right after another citation,
    and right after an emphasis mark that opens (``**@key**``) or closes nothing (``word**@key``)."""
    if i == 0 or i == cite_end:
        return False
    c = text[i - 1]
    if c.isalnum():
        # Except after "x@y": the word after an '@' that began no citation (letters, digits, '-'
        # and '_') is not a string here, as Pandoc reads "x@y@z" (found by differential fuzzing).
        j = _word_start(text, i)
        if j > 0 and text[j - 1] == "\\" and TEX_WORD_RE.fullmatch(text, j, i) and not _escaped(text, j - 1):
            return False  # "\o@key", "\a3@key": a TeX command to Pandoc (raw TeX), not a string
        return not _after_at(text, j)
    if c == ".":
        return _period_before(text, i)
    if c in "*_":
        return _closes_emphasis(text, i)
    return False


def _word_start(text: str, i: int) -> int:
    """Where the word that ends at i starts (letters, digits, '-', and '_' inside the word)."""
    j = i - 1
    while j > 0 and (text[j - 1].isalnum() or text[j - 1] == "-"
                     or (text[j - 1] == "_" and (text[j - 2:j - 1].isalnum() or text[j - 2:j - 1] == "@"))):
        j -= 1
    return j


def _after_at(text: str, j: int) -> bool:
    """Whether the word starting at j follows an '@' that began no citation ("x@y"; in "@a_b"
    the word is a key)."""
    return (j > 0 and text[j - 1] == "@" and not _escaped(text, j - 1)
            and (_cite_start(text, j - 1, -1) is None or _key_at(text, j) is None))


def _closes_emphasis(text: str, i: int) -> bool:
    """Whether the run of '*' or '_' that ends at i closes emphasis opened earlier in its
    paragraph, there and not before (Pandoc then counts the position as after a string)."""
    if _escaped(text, i - 1):
        return False
    start = text.rfind("\n\n", 0, i) + 1
    if "[" in text[start:i]:  # inside a bracket that closes after i, only the bracket's text counts
        opened: list[int] = []
        for k, c in enumerate(CODE_OR_ESCAPE_RE.sub(_as_text, text[start:i]), start):
            if c == "[":
                opened.append(k)
            elif c == "]" and opened:
                opened.pop()
        end = _paragraph_end(text, i)
        start = next((k + 1 for k in reversed(opened) if _bracket_close(text, k, end) >= i), start)
    return _emphasis(text[start:i] + " ")[1] == i - start


def _bracket_text_masked(bare: str) -> str:
    """``bare`` with the text of each bracket that closes blanked out (as neither a space nor a
    string): Pandoc reads a '[…]' as one piece (a link, a citation, or its text in brackets), so
    emphasis pairs inside it or outside it, never across its edge (found by differential fuzzing:
    in "[_]_@b" no emphasis closes before '@b')."""
    if "[" not in bare:
        return bare
    out, opened = list(bare), []
    for k, c in enumerate(bare):
        if c == "[":
            opened.append(k)
        elif c == "]" and opened:
            j = opened.pop()
            if not opened:
                out[j + 1:k] = "\x01" * (k - j - 1)
    return "".join(out)


def _period_before(text: str, i: int) -> bool:
    """Whether the '.' right before i ends a string to Pandoc: a period does ("a.", " ."), but
    not an escaped one, nor the last of an ellipsis (Pandoc's ``smart`` takes "..." as one piece,
    in threes from the left, so "...." ends in a period again). Found by differential fuzzing."""
    j = i - 1
    while j > 0 and text[j - 1] == ".":
        j -= 1
    if _escaped(text, j):
        j += 1
    return (i - j) % 3 != 0


def _as_text(m: re.Match[str]) -> str:
    """Code or an escape, as the emphasis rules see it: neither a space nor a string (Pandoc's
    code and escapes leave no string behind, so a '_' may open right after them, and close
    right before them); but "\\ " is a space to them."""
    return "\x01\u00a0" if m.group(0) == "\\ " else "\x01" * len(m.group(0))


def _in_key(text: str, pos: int, end: int) -> bool:
    """Whether text[pos:end] lies inside a key after an '@' ("@a__b"), whether or not the '@'
    begins a citation: after a word ("x@_b_@c") Pandoc takes '@' and the key as text in one
    piece, so their underscores are no emphasis (found by differential fuzzing)."""
    j = pos
    while j > 0 and (text[j - 1].isalnum() or text[j - 1] in KEY_PUNCTUATION):
        j -= 1
    if j == 0 or text[j - 1] != "@" or _escaped(text, j - 1):
        return False
    key = _key_at(text, j)
    return key is not None and key[1] >= end


def _emphasis(text: str) -> tuple[list[str], int]:
    """The emphasis runs left open at the end of ``text`` and where the last closing one ends,
    paired as Pandoc's ``enclosure`` pairs them: a run opens before a non-space (a '_' not inside
    a word); after a non-space it closes the innermost open run of its mark if it is at least as
    long, even after a space, and what is left of it is a run of its own (``*a***@b`` closes at
    the first '*'); but inside a single mark a run of exactly two opens a strong of its own
    (``*a**b*``: Pandoc's ``one`` tries ``two`` there, which then takes the rest)."""
    bare = _bracket_text_masked(CODE_OR_ESCAPE_RE.sub(_as_text, text))
    open_runs: list[str] = []
    last_close = -1
    for m in EMPHASIS_RUN_RE.finditer(bare):
        mark, pos, end = m.group(0)[0], m.start(), m.end()
        if _in_key(bare, pos, end):
            continue  # "@3__t": part of a citation's key
        if mark == "*" and bare[pos - 1:pos] == "@" and _in_key(bare, pos, pos + 1):
            pos += 1  # "@**": the first '*' is the key ("@*"), the rest a run of its own
        after = bare[end:end + 1]
        while pos < end:
            before = bare[pos - 1:pos]
            # A '_' right after a string (a word, or a word's '.': "Z._") cannot open.
            in_word = ((before.isalnum() and not _after_at(bare, _word_start(bare, pos)))
                       or (before == "." and _period_before(bare, pos))
                       or (pos == last_close and mark == "_"))  # "__a___x": right after a close
            top = open_runs[-1] if open_runs else ""
            # A '_' closes before a non-letter: the next mark of a longer run counts ("__a___x"
            # closes "__a__"), except "_a___x", where "__" opens a strong first (Pandoc's ``one``).
            closer_next = "_" if end - pos > len(top) and (len(top) != 1 or end - pos != 3) else after
            if top == mark and end - pos == 2:
                open_runs.append(mark * 2)  # "*a**b": strong inside the emphasis, whatever follows
                pos = end
            elif top[:1] == mark and len(top) <= end - pos and (mark == "*" or not closer_next.isalnum()):
                open_runs.pop()
                pos = last_close = pos + len(top)
            elif len(top) == 3 and top[0] == mark and (mark == "*" or not after.isalnum()):
                open_runs[-1] = mark * (3 - (end - pos))  # "***c*": the inner emphasis closes
                pos = last_close = end
            elif mark == "_" and in_word and end - pos > 1:
                pos += 1  # inside a word: one '_' is text, the rest may open ("Z__c_" has "_c_")
            else:
                # A run of four or more is text to Pandoc's ``enclosure`` ("@a [****]").
                if after not in ("", " ", "\t") and (mark == "*" or not in_word) and end - pos <= 3:
                    open_runs.append(mark * (end - pos))
                pos = end
    return open_runs, last_close


def _key_at(text: str, i: int) -> tuple[str, int] | None:
    """The key that starts at i (just after the '@'), plain or braced, and where it ends."""
    m = KEY_RE.match(text, i)
    if m:
        return m.group(0), m.end()
    if i < len(text) and text[i] == "{":
        depth, j = 0, i
        while j < len(text):
            c = text[j]
            if c.isspace():
                return None
            depth += (c == "{") - (c == "}")
            if depth == 0:
                return text[i + 1:j], j + 1
            j += 1
    return None


def _cite_start(text: str, at: int, cite_end: int) -> tuple[int, str] | None:
    """If the '@' at ``at`` starts a citation key: the offset where the citation starts (at the
    '-' of ``-@key``) and whether it suppresses the author."""
    if at >= 1 and text[at - 1] == "-" and not (at >= 2 and text[at - 2] == "-") \
            and not _escaped(text, at - 1) and not _after_string(text, at - 1, cite_end):
        return at - 1, SUPPRESS
    if _after_string(text, at, cite_end) or _escaped(text, at):
        return None
    return at, ""


def _skip_code(text: str, i: int, limit: int) -> int:
    """Past the code span opening at i; if it never closes, past its first backtick only, since
    Pandoc then tries the rest of the run as an opening of its own ("``@c`" has code "@c")."""
    j = i
    while j < limit and text[j] == "`":
        j += 1
    ticks = j - i
    while True:
        k = text.find("`" * ticks, j, limit)
        if k < 0:
            return i + 1
        end = k + ticks
        if end < limit and text[end] == "`":  # a longer run: not the closing one
            while end < limit and text[end] == "`":
                end += 1
            j = end
            continue
        if BLANK_LINE_RE.search(text, i, k):
            return i + 1
        return end


def _skip_html(text: str, i: int, limit: int) -> int:
    """Past the comment, tag or autolink opening at i (Pandoc reads none of them as text)."""
    m = HTML_RE.match(text, i, limit)
    return m.end() if m else i + 1


def _bracket_close(text: str, i: int, limit: int) -> int:
    """The ']' that closes the '[' at i, nested brackets balanced; -1 if none in the paragraph."""
    depth, j = 0, i
    while True:
        m = BRACKET_STOP_RE.search(text, j, limit)
        if not m:
            return -1
        j = m.start()
        c = text[j]
        if c == "\\":
            j += 2
        elif c == "`":
            j = _skip_code(text, j, limit)
        elif c == "<":
            j = _skip_html(text, j, limit)
        elif c == "[":
            depth += 1
            j += 1
        elif c == "]":
            depth -= 1
            if depth == 0:
                return j
            j += 1
        else:
            j += 1


def _after_bracket(text: str, j: int) -> str:
    """What follows a closing bracket: "link" (a target or a reference), "span" (attributes)."""
    if j < len(text):
        if text[j] in "([" and text[j + 1:j + 2] != "^" and LINK_TARGET_AFTER_RE.match(text, j):
            return "link"
        if text[j] == "{" and ATTRIBUTES_AFTER_RE.match(text, j):
            return "span"
    return ""


def _has_cite(text: str, start: int, end: int) -> bool:
    """Whether a citation key starts anywhere in text[start:end] (outside code and markup)."""
    return any(True for _ in _key_starts(text, start, end))


def _key_starts(text: str, start: int, end: int):
    i = start
    while True:
        m = SPECIAL_RE.search(text, i, end)
        if not m:
            return
        i = m.start()
        c = text[i]
        if c == "\\":
            i += 2
        elif c == "`":
            i = _skip_code(text, i, end)
        elif c == "<":
            i = _skip_html(text, i, end)
        elif c == "@":
            if _cite_start(text, i, -1) and _key_at(text, i + 1):
                yield i
            i += 1
        else:
            i += 1


def _emphasis_open(prefix: str, suffix: str) -> bool:
    """Emphasis that crosses the citation's edge: left open in the prefix, or in the suffix
    (Pandoc then reads the emphasis as one piece, and the bracket inside it as text). The key
    stands right after the prefix and right before the suffix as written (a sentinel 'k' here);
    the suffix ends with the ';' or ']' after it, before which a '*' opens (``[@a, x *]``)."""
    if "*" not in prefix and "_" not in prefix and "*" not in suffix and "_" not in suffix:
        return False  # the common case, told without building the two texts
    return any(("*" in affix or "_" in affix) and bool(_emphasis(affix)[0])
               for affix in (prefix + "k", "k" + suffix))


def _quote_open(suffix: str) -> set[str]:
    """The quotes that open in a suffix (written right after its key) and do not close in it:
    a quote opens before a non-space, and not after a letter or digit (an apostrophe), except
    right after the key (``[@y']'``) or after the word of an '@' that began no citation
    (``[@a, x@y']'``); it closes after a non-space. The suffix ends with the ';'
    or ']' after it. (A prefix is read the same way, written with the '@' of its key after it.)"""
    if "'" not in suffix and '"' not in suffix:
        return set()
    bare = CODE_OR_ESCAPE_RE.sub(lambda m: "x" * len(m.group(0)), suffix)
    open_quotes: list[str] = []
    for pos, c in enumerate(bare):
        if c not in "'\"":
            continue
        before, after = bare[pos - 1:pos], bare[pos + 1:pos + 2]
        if open_quotes and open_quotes[-1] == c and before and not before.isspace():
            open_quotes.pop()
        elif after and not after.isspace() and (pos == 0 or not before.isalnum()
                                                or _after_at(bare, _word_start(bare, pos))):
            open_quotes.append(c)  # after "x@y" too: no string to Pandoc (see _after_string)
    return set(open_quotes)


def _scan_affix(text: str, i: int, close: int, stop_at_key: bool, key_end: int = -1) -> tuple[int, str]:
    """From i, the offset of the next ';', ']' (at ``close``) or (when asked) citation key, jumping
    over escapes, code, HTML and bracketed text; and a problem found on the way. ``key_end`` is
    where the item's key ends: a key is no string, so a key may follow it at once (``@a.b@c``)."""
    problem = ""
    while True:
        m = AFFIX_STOP_RE.search(text, i, close)
        if not m:
            return close, problem
        i = m.start()
        c = text[i]
        if c == "\\":
            i += 2
        elif c == "`":
            i = _skip_code(text, i, close)
        elif c == "<":
            i = _skip_html(text, i, close)
        elif c == "[":
            inner = _bracket_close(text, i, close)
            if inner < 0:
                return i, "an unmatched '[' inside a citation; escape it as \\["
            if _key_after_close(text, inner) > 0 and not problem:
                problem = ("a ']' right before a key, as in '[see]@key]', makes Pandoc read one citation with "
                           "the bracket's text as its prefix; write [see @key], or escape the brackets as \\[ and \\]")
            if _has_cite(text, i + 1, inner) and not problem:
                problem = NESTED_CITATION
            i = inner + 1
            if _after_bracket(text, i) == "link":
                i = LINK_TARGET_AFTER_RE.match(text, i).end()
        elif c == ";":
            return i, problem
        elif c == "@":
            start = _cite_start(text, i, key_end)
            if start is not None:
                if _key_at(text, i + 1):
                    if stop_at_key:
                        return start[0], problem
                    if not problem:
                        problem = "two keys in one citation item; separate works with ';' as in [@a; @b]"
                elif text[i + 1:i + 2] in ("]", ";", ",", ""):
                    if not problem:
                        problem = "citation with an empty key; write [@key] with a key from references.bib"
            i += 1
        else:  # a stray ']' cannot happen before close
            i += 1


def _read_items(text: str, i: int, close: int, keyless_first: bool) -> tuple[list[CiteItem], str, bool]:
    """The items of a bracket from i to ``close``; (items, problem, whether any key was found).

    With ``keyless_first`` the text up to the first ';' is the suffix of an in-text citation
    (Pandoc's ``bareloc``) and is returned as an item with an empty key."""
    items: list[CiteItem] = []
    problem = ""
    found = False
    first = True
    while True:
        i = SPNL_RE.match(text, i).end()
        emphasis: tuple[str, str] | None = None  # the item's prefix and suffix as written
        if first and keyless_first:
            stop, trouble = _scan_affix(text, i, close, stop_at_key=False)
            items.append(CiteItem(key="", suffix=_affix(text[i:stop])))
            emphasis = ("", " " + text[i:stop + 1])
            problem = problem or trouble
        else:
            stop, trouble = _scan_affix(text, i, close, stop_at_key=True)
            problem = problem or trouble
            if text[stop] == "[":  # a '[' that does not close (the problem says so): no key follows
                return items, problem, found
            prefix = text[i:stop]
            if stop >= close or text[stop] == ";":
                if _empty_key(prefix):
                    found = True
                    problem = problem or "citation with an empty key; write [@key] with a key from references.bib"
                elif not prefix.strip():
                    problem = problem or "empty item in a citation; remove the extra ';'"
                else:
                    problem = problem or (f"'{' '.join(prefix.split())}' has no '@key'; "
                                          "write each work as @key, separated by ';'")
            else:
                found = True
                mode = SUPPRESS if text[stop] == "-" else NORMAL
                at = stop + (mode == SUPPRESS)
                key, after = _key_at(text, at + 1)
                suffix_end, trouble = _scan_affix(text, after, close, stop_at_key=False, key_end=after)
                problem = problem or trouble
                if not key:
                    problem = problem or "citation with an empty key; write [@key] with a key from references.bib"
                elif is_crossref(key):
                    problem = problem or f"'@{key}' is a cross-reference; write it bare, outside brackets"
                items.append(CiteItem(key=key, prefix=_affix(prefix.strip()), suffix=_affix(text[after:suffix_end].strip()),
                                      mode=mode))
                emphasis = (prefix, text[after:suffix_end + 1])
                stop = suffix_end
        if emphasis is not None and _emphasis_open(*emphasis):
            problem = problem or EMPHASIS_ACROSS
        # The quotes first: most suffixes open none, and the rest of the paragraph is long.
        if emphasis is not None and (quotes := _quote_open(emphasis[1])) \
                and any(q in text[close + 1:_paragraph_end(text, close)] for q in quotes):
            problem = problem or ("a quote opened in a citation's suffix closes after its ']'; Pandoc "
                                  "then reads the bracket as text: close the quote inside, or write ’")
        if emphasis is not None and emphasis[0] and (opened := _quote_open(emphasis[0] + "@")) and opened & set(
                text[i + len(emphasis[0]):_paragraph_end(text, close)]):
            problem = problem or ("a quote opened in a citation's prefix closes after its key; Pandoc "
                                  "then reads the key inside the quotation and the bracket as text: close "
                                  "the quote before the key, or write ’")
        first = False
        if stop >= close:
            return items, problem, found
        i = stop + 1  # past the ';'


def _affix(source: str) -> str:
    """A prefix or suffix as written, but without a line break that ends the text of a bracket
    in it, right after a non-space ("[a⏎]", "[⏎]"): Pandoc reads a bracket that is no link as its
    text on its own, where a closing line break is nothing, and shows "[a]" (Python-Markdown
    would show "[a ]"). Found by differential fuzzing."""
    if "\n]" not in source:
        return source
    return BREAK_BEFORE_CLOSE_RE.sub(lambda m: "" if m.group(0) == "\n" else m.group(0), source)


def _empty_key(prefix: str) -> bool:
    """``[@]``, ``[see @; …]``: an '@' that stands where a key should follow."""
    stripped = prefix.rstrip()
    return stripped.endswith("@") and not _after_string(stripped, len(stripped) - 1, -1)


def _paragraph_end(text: str, i: int) -> int:
    m = BLANK_LINE_RE.search(text, i)
    return m.start() if m else len(text)


def _group_at(text: str, i: int, keyless_first: bool = False, alone: bool = False) -> Cite | None:
    """The bracketed citation that opens at i (Pandoc's ``normalCite``, or ``bareloc`` after an
    in-text key), or None where the bracket is text, a link or a span. With ``alone``, the bracket
    is read whatever follows it, as Pandoc reads again an undefined reference's brackets."""
    if not keyless_first and (plain := _plain_group(text, i)) is not None:
        items, end = plain
        return None if not alone and _after_bracket(text, end) else Cite(i, end, items)
    return _group_read(text, i, keyless_first, alone)


def _plain_group(text: str, i: int) -> tuple[tuple[CiteItem, ...], int] | None:
    """The items of the bracket at i and where it ends, if it is a plain group (see
    PLAIN_ITEM_RE), read as ``_group_read`` reads it; else None."""
    items = []
    while (m := PLAIN_ITEM_RE.match(text, i + 1)) is not None:
        prefix, dash, key, suffix, stop = m.groups()
        if is_crossref(key):
            return None
        items.append(CiteItem(key=key, prefix=prefix.strip(), suffix=suffix.strip(), mode=SUPPRESS if dash else NORMAL))
        i = m.end() - 1
        if stop == "]":
            return tuple(items), i + 1
    return None


def _group_read(text: str, i: int, keyless_first: bool = False, alone: bool = False) -> Cite | None:
    """``_group_at`` for every bracket, read in full."""
    if NOTE_REF_RE.match(text, i) or (keyless_first and text[i + 1:i + 2] == "^"):
        return None  # "[^label]": a note reference; and Pandoc's locator never opens with '^'
    close = _bracket_close(text, i, _paragraph_end(text, i))
    if close < 0 or (not alone and _after_bracket(text, close + 1)):
        return None
    items, problem, found = _read_items(text, i + 1, close, keyless_first)
    if not found and (swallowed := _key_after_close(text, close)) > 0:
        return Cite(i, swallowed, (), problem=(
            "a ']' right before a key, as in '[see]@key]', makes Pandoc read one citation with the "
            "bracket's text as its prefix; write [see @key], or escape the brackets as \\[ and \\]"))
    if not found and not keyless_first and (held := _close_held(text, i, close)) > 0:
        return Cite(i, held, (), problem=(
            "a quote or emphasis opened in a bracket holds its ']', and a key and a ']' follow: Pandoc "
            "reads one citation from the '[' to that ']'; close the quote or emphasis inside the "
            "bracket, or escape the bracket as \\[ and \\]"))
    if not found and (problem or not keyless_first) and not (keyless_first and _read_on(text, i, close, problem)):
        return None  # no key at all: text, as in Pandoc ("@a [sic; really]")
    return Cite(i, close + 1, tuple(items), problem=problem)


def _close_held(text: str, i: int, close: int) -> int:
    """Pandoc's prefix is read inline by inline up to a ']' or a key, so a quote or an emphasis
    opened in the bracket at i and closed after its ']' holds that ']' (``["]"@1]``, ``[*a]* @1]``:
    one citation). Where the bracket (with no key) leaves one open, and its mark, a key and a ']'
    follow in the paragraph, the end of what Pandoc may read as one citation; else -1. Found by
    differential fuzzing."""
    body = text[i + 1:close + 1]
    if not any(c in body for c in "\"'*_"):  # most brackets hold none of them
        return -1
    marks = _quote_open(body) | {run[0] for run in _emphasis(body)[0]}
    end = _paragraph_end(text, close)
    if not marks or not any(mark in text[close + 1:end] for mark in marks):
        return -1
    # The ']' that would end the citation: the first after close that closes no bracket opened
    # after it (in '["]" [@k]' the group '[@k]' is Pandoc's own); a key must stand before it,
    # outside such brackets, or right after it ('["]"]@k]', as in '[see]@k]').
    depth, stop = 0, -1
    for j in range(close + 1, end):
        depth += (text[j] == "[") - (text[j] == "]")
        if depth < 0:
            stop = j
            break
    if stop < 0:
        return -1
    if any(text.count("[", close + 1, at) == text.count("]", close + 1, at) for at in _key_starts(text, close + 1, stop)):
        return stop + 1
    return _key_after_close(text, stop)


def _read_on(text: str, i: int, close: int, problem: str) -> bool:
    """Whether Pandoc may still read the bracket at i, after an in-text key, as its locator
    though ours has ``problem``: it holds a citation ("@b [[@d]]"), or emphasis left open in it
    whose mark comes again after the ']' ("@a [**]**]": the emphasis may hold the ']'). Then
    the bracket is refused, not read as text (found by differential fuzzing)."""
    if problem == NESTED_CITATION:
        return True
    if problem != EMPHASIS_ACROSS:
        return False
    marks = {run[0] for run in _emphasis("k " + text[i + 1:close + 1])[0]}
    return bool(marks & set(text[close + 1:_paragraph_end(text, close)]))


def link_label(label: str) -> str:
    """A reference link's label as Pandoc and Python-Markdown match it: case and spacing aside."""
    return " ".join(label.split()).lower()


def _defined_link(text: str, j: int, links: frozenset[str]) -> bool:
    """Whether the bracket at j is a reference link defined on the page (``[link]``)."""
    if not links:
        return False
    close = _bracket_close(text, j, _paragraph_end(text, j))
    return close > j and link_label(text[j + 1:close]) in links


def _key_after_close(text: str, close: int) -> int:
    """Pandoc's prefix ends at the first ']' and lets a key follow it: ``[see]@key]`` is one
    citation. Where that is so, the end of what Pandoc reads as a citation; else -1."""
    at = close + 1 + (text[close + 1:close + 3] == "-@")
    if text[at:at + 1] != "@" or not _key_at(text, at + 1):
        return -1
    end = text.find("]", _key_at(text, at + 1)[1], _paragraph_end(text, at))
    return end + 1 if end >= 0 else -1


def _image_fallback(text: str, i: int, links: frozenset[str]) -> Cite | None:
    """``![@a][label]`` with ``label`` undefined on the page, or ``![@a]{.c}``: no image to
    Pandoc (only an address or a defined reference makes one), which reads "[@a]" again from the
    start, a citation group (found by differential fuzzing: ``![@k][]``)."""
    if _escaped(text, i - 1):
        return None
    close = _bracket_close(text, i, _paragraph_end(text, i))
    if close < 0 or (_after_bracket(text, close + 1) == "link"
                     and (text[close + 1] == "(" or _reference(text, i, close + 1, links))):
        return None
    return _group_at(text, i, alone=True)


def _reference(text: str, opened: int, i: int, links: frozenset[str]) -> bool:
    """Whether "[text][label]" (its text opening at ``opened``, its label at i) is a link: the
    label, or the text for "[text][]", is defined on the page, and the label holds no citation."""
    if _group_at(text, i):
        return False
    label = text[i + 1:LINK_TARGET_AFTER_RE.match(text, i).end() - 1] or text[opened + 1:i - 1]
    return link_label(label) in links


def _in_text_at(text: str, at: int, cite_end: int, links: frozenset[str] = frozenset()) -> Cite | None:
    """The in-text citation whose '@' is at ``at`` (Pandoc's ``textualCite``), with the bracketed
    locator or works that may follow it."""
    start = _cite_start(text, at, cite_end)
    if start is None:
        return None
    begin, suppress = start
    found = _key_at(text, at + 1)
    if found is None:
        return None
    key, end = found
    first = CiteItem(key=key, mode=suppress or IN_TEXT)
    cite = Cite(begin, end, (first,), in_text=True, key_end=end)
    if suppress and is_crossref(key):
        cite.problem = f"'-@{key}' cannot leave out an author: a cross-reference has none; write @{key}"
    j = SPNL_RE.match(text, end).end()
    if j < len(text) and text[j] == "[" and not _defined_link(text, j, links):
        # Pandoc tries works in brackets first ("@a [@b]", "@a [p. 3 @b]"), then a locator and
        # works ("@a [p. 3; @b]"); a malformed bracket with a key in it is reported, not dropped.
        normal = _group_at(text, j)
        located = None if (normal and not normal.problem) else _group_at(text, j, keyless_first=True)
        if located and not (normal and not normal.problem) and text[located.end:located.end + 1] in ("[", "(", "{"):
            return cite  # Pandoc's locator: not before a '[', '(' or '{' ("@a [p. 4](x" is text)
        if normal and (normal.problem and located and not located.problem):
            normal = None
        if normal is not None:
            cite.items = (first, *normal.items)
            group = normal
        elif located is not None:
            head, *rest = located.items
            cite.items = (CiteItem(key=key, suffix=head.suffix, mode=first.mode), *rest)
            group = located
            if is_crossref(key) and not group.problem:
                cite.problem = (f"'@{key}' is a cross-reference and takes no locator; "
                                "move the bracket's text out of the brackets")
        else:
            return cite
        cite.problem = cite.problem or group.problem
        cite.group, cite.end = j, group.end
    return cite


def _special_offsets(text: str) -> list[int]:
    """Where the characters of SPECIAL_RE stand in text, in order: str.find goes over a page's
    long prose many times faster than a regular expression's search does."""
    found = []
    for c in SPECIAL_CHARS:
        j = text.find(c)
        while j >= 0:
            found.append(j)
            j = text.find(c, j + 1)
    found.sort()
    return found


@functools.lru_cache(maxsize=4096)
def read(text: str, links: frozenset[str] = frozenset()) -> tuple[Cite, ...]:
    """Every citation in a block or page of Markdown, as Pandoc reads it, in order.

    Code spans, HTML comments and tags, autolinks and link addresses hold none; a citation in a
    link's text is marked ``in_link``. ``links`` are the labels of the page's link definitions
    (``link_label``): ``@key [label]`` is then a citation and a link, not a locator. Cached: the
    extension reads a block again after each citation it replaces, and check and build read the
    same text."""
    if "@" not in text:
        return ()
    cites: list[Cite] = []
    brackets: list[tuple[int, int, bool]] = []  # open '[': offset, citations before it, image?
    cite_end = -1
    i, n = 0, len(text)
    stops = _special_offsets(text)
    while True:
        k = bisect.bisect_left(stops, i)  # SPECIAL_RE.search(text, i), faster
        if k == len(stops):
            break
        i = stops[k]
        c = text[i]
        if c == "\\":
            tex = _tex_command(text, i)
            if tex is not None:
                cites.append(tex)
                i = cite_end = tex.end
                continue
            i += 2
        elif c == "`":
            i = _skip_code(text, i, n)
        elif c == "<":
            i = _skip_html(text, i, n)
        elif c == "[":
            note = NOTE_REF_RE.match(text, i)
            if note:  # "[^label]": a note reference to Pandoc, whose label holds no citation
                i = note.end()
                continue
            group = None if (i and text[i - 1] == "^") else _group_at(text, i)
            if group is None and i and text[i - 1] == "!":  # (rare: most '![' are images)
                group = _image_fallback(text, i, links)
            if group is not None:
                cites.append(group)
                i = cite_end = group.end
                continue
            brackets.append((i, len(cites), i > 0 and text[i - 1] == "!" and not _escaped(text, i - 1)))
            i += 1
        elif c == "]":
            i += 1
            if not brackets:
                continue
            opened, before, image = brackets.pop()
            # "[text][label]" is a reference link if the label is defined on the page, and
            # "[@a][@b]" ends with a group (as in Pandoc, where a label with a key is a citation).
            after = _after_bracket(text, i)
            if after == "link" and text[i] == "[" and not _reference(text, opened, i, links):
                # "[x][@k]" with "@k" undefined: Pandoc reads the label again on its own, so a
                # citation group whatever follows it ("[][@k][]"; found by differential fuzzing).
                label = _group_at(text, i, alone=True)
                if label is not None:
                    cites.append(label)
                    i = cite_end = label.end
                continue
            if after == "link":
                for cite in cites[before:]:
                    cite.in_link = True
                    if image and not cite.problem:
                        cite.problem = ("a citation inside an image's description; cite the work in the "
                                        "caption or the sentence instead")
                target = LINK_TARGET_AFTER_RE.match(text, i)
                if UNCLOSED_TITLE_RE.fullmatch(target.group(0)) and _has_cite(text, i + 1, target.end() - 1):
                    cites.append(Cite(i, target.end(), (), problem=(
                        "a link whose title has no closing quote, '(address \"title)', is no link to "
                        "Pandoc, which reads the citation in it; close the quote")))
                i = target.end()
        else:  # "@"
            cite = _in_text_at(text, i, cite_end, links)
            if cite is None:
                i += 1
                continue
            if _example_marker(text, cite) and not cite.problem:
                cite.problem = ("'(@label)' at the start of a block is a Pandoc example-list marker, which "
                                "this site does not support; write the citation inside the sentence")
            cites.append(cite)
            i = cite_end = cite.end
    for cite in cites if "<" in text and "<!--" in text else ():  # (most texts hold no comment)
        if not cite.problem and LINE_COMMENT_RE.search(text, cite.start, cite.end):
            cite.problem = ("an HTML comment at the start of a line inside a citation ends the paragraph "
                            "(Python-Markdown reads the comment as a block of its own); move the comment "
                            "to the end of the line")
    return tuple(cites)


def _tex_command(text: str, i: int) -> Cite | None:
    """``\\cmd[@key]``, ``\\cmd {@key}``: a TeX command whose argument holds a citation. Pandoc
    reads it as raw TeX and drops it with the citation; Python-Markdown shows the backslash and
    the citation. Refused (a problem), since a backslash before a letter is a typo on a page; so
    is one whose argument does not close in its paragraph, citation or not (Pandoc's runs on)."""
    m = TEX_COMMAND_RE.match(text, i)
    if m is None:
        return None
    end, limit = m.end(), _paragraph_end(text, i)
    # Spaces and a line break may stand before each argument ("\\a [@a]", Pandoc's ``sp``).
    while (start := SPNL_RE.match(text, end, limit).end()) < limit and text[start] in "[{":
        if text[start] == "[":
            close = _bracket_close(text, start, limit)
        else:
            depth, close = 0, -1
            for j in range(start, limit):
                depth += (text[j] == "{") - (text[j] == "}")
                if depth == 0:
                    close = j
                    break
        if close < 0 and _has_cite(text, m.end(), limit):
            end = limit  # "\s [@a": refused below, as a citation in the argument
            break
        if close < 0:
            # Pandoc's argument runs on to the next ']' or '}' on the page, paragraphs later, and
            # drops all of it (link definitions and citations too: "@a [link]\s[" makes "link" a
            # locator, its definition gone). Found by differential fuzzing.
            return Cite(i, limit, (), problem=(
                f"'{m.group(0)}{text[start]}' is a TeX command to Pandoc whose argument does not close in "
                "its paragraph: Pandoc drops all that follows, up to the next closing bracket on the page, "
                "with it; remove the backslash"))
        end = close + 1
    if end == m.end() or not _has_cite(text, m.end(), end):
        return None
    return Cite(i, end, (), problem=(
        f"'{m.group(0)}' before a citation is a TeX command to Pandoc, which drops it with its "
        "argument and the citation in it; remove the backslash"))


def _example_marker(text: str, cite: Cite) -> bool:
    """``(@label)`` opening a block: a numbered example in Pandoc, not a citation."""
    b = cite.start - 1
    if b < 0 or text[b] != "(" or text[cite.end:cite.end + 1] != ")" or len(cite.items) != 1:
        return False
    if text[cite.end + 1:cite.end + 2] not in ("", " ", "\t", "\n"):
        return False
    line = text.rfind("\n", 0, b) + 1
    if text[line:b].strip(" ") or b - line > 3:
        return False
    return line == 0 or not text[text.rfind("\n", 0, line - 1) + 1:line - 1].strip()
def parse_group(body: str) -> tuple[tuple[CiteItem, ...], str]:
    """The items of a bracketed group's text (without its brackets), and its problem or ""."""
    cite = _group_at("[" + body + "]", 0)
    if cite is None:
        return (), f"'{body.strip()}' has no '@key'; write each work as @key, separated by ';'"
    return cite.items, cite.problem


def tokens_of(cite: Cite) -> list[tuple[str, int, list[CiteItem], str]]:
    """The reading as the engine uses it: (kind, offset, works, label) for each token.

    A cross-reference followed by a bracket (``@sec-x [@a]``, one citation to Pandoc) is a link
    to the section and a separate citation group, as pandoc-crossref reads it."""
    if not cite.in_text or not cite.items:
        return [("group", cite.start, list(cite.items), "")]
    first = cite.items[0]
    if cite.crossref:
        found = [("crossref", cite.start, [], first.key)]
        if len(cite.items) > 1:
            found.append(("group", cite.group, list(cite.items[1:]), ""))
        return found
    return [("intext", cite.start, list(cite.items), first.key)]


def _mask(text: str, pattern: re.Pattern[str]) -> str:
    return pattern.sub(lambda m: " " * len(m.group(0)), text)


# A line after which indented blocks belong to a container, not to code: a list item, an
# admonition or collapsible block, a content tab, a definition, a footnote (Python-Markdown's
# ListIndentProcessor and the extensions' own block processors take them first).
CONTAINER_RE = re.compile(r"^ {0,3}(?:[-*+][ \t]|\d+[.)][ \t]|!!!|\?\?\?|===|:[ \t]|\[\^[^\]]+\]:)")
INDENTED_RE = re.compile(r"^(?: {4}|\t)")


def fence_mask(lines: list[str], definitions: bool = True, code: dict[int, bool] | None = None) -> list[str]:
    """Blank out fenced and indented code blocks and link definitions, keeping lines and columns:
    block structure that the reader, which sees one block's text at a time in the build, cannot
    know from inline syntax (Python-Markdown removes all three before it reads a block's inlines).

    ``code`` is Python-Markdown's own answer for the indented lines that hold an '@' (0-based line:
    whether it is code; ``blocks.indented_code``), and decides for them. Other indented lines are
    code as Python-Markdown's CodeBlockProcessor mostly reads them: after a blank line, and not
    inside a container (a list's continuation paragraphs, an admonition, a tab)."""
    out: list[str] = []
    fence = ""
    blank_before, container, indented_code = True, False, False
    code = code or {}
    for n, line in enumerate(lines):
        if fence:
            if line.strip().startswith(fence):
                fence = ""
            out.append(" " * len(line))
            continue
        if not line.strip():
            blank_before = True
            out.append(line)
            continue
        if INDENTED_RE.match(line):
            if code.get(n, indented_code or (blank_before and not container)):
                indented_code, blank_before = True, False
                out.append(" " * len(line))
                continue
        else:
            indented_code = False
            starts = bool(CONTAINER_RE.match(line))
            container = starts if blank_before else (container or starts)
            if code.get(n):  # code inside a blockquote, "> ␣␣␣␣code"
                blank_before = False
                out.append(" " * len(line))
                continue
        blank_before = False
        if definitions and ":" in line and "]:" in line and LINK_DEFINITION_RE.match(line):  # (see code_mask)
            out.append(" " * len(line))
            continue
        m = FENCE_RE.match(line) if "`" in line or "~" in line else None  # (a fence needs one of them)
        if m:
            fence = m.group("fence")
            out.append(" " * len(line))
            continue
        out.append(line)
    return out


def code_mask(lines: list[str], link_targets: bool = True, code: dict[int, bool] | None = None,
              fenced: list[str] | None = None) -> list[str]:
    """Blank out fenced and indented code blocks (``code`` as in ``fence_mask``), inline code and
    HTML comments (and, unless asked not to, the addresses of Markdown links), keeping columns.
    ``fenced``: ``fence_mask(lines, definitions=False, code=code)``, when the caller has it."""
    out: list[str] = []
    in_comment = False
    for line in fenced if fenced is not None else fence_mask(lines, definitions=False, code=code):
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
        # One character is looked for first: Python finds one many times faster than two.
        comment = "<" in masked and "<!--" in masked
        if comment:
            masked = _mask(masked, COMMENT_RE)
        if link_targets and "(" in masked and "](" in masked:
            masked = _mask(masked, LINK_TARGET_RE)
        start = masked.find("<!--") if comment else -1
        if start >= 0:
            in_comment = True
            masked = masked[:start] + " " * (len(masked) - start)
        out.append(masked)
    return out


def link_labels(lines: list[str], code: dict[int, bool] | None = None,
                fenced: list[str] | None = None) -> frozenset[str]:
    """The labels of the link definitions in a page (outside code); ``fenced`` as in ``code_mask``."""
    if fenced is None:
        fenced = fence_mask(lines, definitions=False, code=code)
    return frozenset(link_label(m.group("label")) for line in fenced
                     if ":" in line and "]:" in line and (m := LINK_DEFINITION_RE.match(line)))


def _definitions_blanked(fenced: list[str]) -> list[str]:
    """``fence_mask(lines)`` from ``fence_mask(lines, definitions=False)``: a link definition
    never opens a fence and is never code, so blanking it changes no other line."""
    return [" " * len(line) if ":" in line and "]:" in line and LINK_DEFINITION_RE.match(line) else line
            for line in fenced]


def block_start(reading: tuple[str, tuple[Cite, ...]], block: str) -> int | None:
    """Where ``block`` starts in the text of the page's reading, when that reading is also the
    block's, else None: the block must be whole lines of the page's text (a paragraph, as
    Python-Markdown hands it to inline patterns) and no citation may cross its edges. Then the
    page's citations inside it are the reading of the block alone, moved by its start, since a
    citation never spans a blank line and what precedes a line's start does not change how the
    line is read."""
    text, cites = reading
    if not block:
        return None
    at = text.find(block)
    while at > 0 and text[at - 1] != "\n":
        at = text.find(block, at + 1)
    end = at + len(block)
    if at < 0 or (end < len(text) and text[end] != "\n"):
        return None
    # The page's citations are in order and never overlap (the reader moves past each one it
    # finds): the only ones that may cross an edge are the first that ends after the block's start
    # and the last that starts before its end, found by bisection, not by a walk over all of them.
    first = bisect.bisect_right(cites, at, key=_END)
    if first < len(cites) and cites[first].start < at < cites[first].end:
        return None
    last = bisect.bisect_left(cites, end, lo=first, key=_START) - 1
    if last >= first and cites[last].end > end:
        return None
    return at


_START, _END = attrgetter("start"), attrgetter("end")


def read_lines(lines: list[str], code: dict[int, bool] | None = None,
               fenced: list[str] | None = None) -> tuple[str, tuple[Cite, ...]]:
    """A page's text as the reader sees it (code and link definitions blanked), its citations.
    ``code``: Python-Markdown's answer for indented lines (see ``fence_mask``); ``fenced`` as in
    ``code_mask``. (One fence_mask serves the text and the labels: it goes line by line.)"""
    if fenced is None:
        fenced = fence_mask(lines, definitions=False, code=code)
    text = "\n".join(_definitions_blanked(fenced))
    return text, read(text, link_labels(lines, code, fenced))


def dropped_citations(lines: list[str]) -> list[Token]:
    """``[^1]: @key`` and ``[@key]: …``: citations to Pandoc, but link definitions to
    Python-Markdown, which drops them; reported, since they would vanish without a word."""
    found = []
    for n, line in enumerate(lines, start=1):
        m = LINK_DEFINITION_RE.match(line) if "@" in line and ":" in line and "]:" in line else None
        if m is None:
            continue
        label = m.group("label")
        if label.startswith("^") and read(m.group("url")):
            found.append(Token("group", n, m.start("url") + 1, problem=(
                "a footnote that holds only a citation is read as a link definition and dropped; "
                "this site has no footnotes: put the citation in the sentence it supports")))
        elif read(f"[{label}]"):
            found.append(Token("group", n, m.start("label"), problem=(
                "a line that starts with a citation and a colon, '[@key]: …', is read as a link "
                "definition and dropped; start the sentence with a word")))
    return found


def scan(lines: list[str], code: dict[int, bool] | None = None,
         reading: tuple[str, tuple[Cite, ...]] | None = None, fenced: list[str] | None = None) -> list[Token]:
    """Every citation and cross-reference in a page, with 1-based line and column; ``code`` is
    Python-Markdown's answer for indented lines (see ``fence_mask``); ``reading`` the page's
    ``read_lines`` reading and ``fenced`` as in ``code_mask``, when the caller has them."""
    if fenced is None:
        fenced = fence_mask(lines, definitions=False, code=code)
    text, cites = reading or read_lines(lines, code, fenced)
    tokens: list[Token] = dropped_citations(fenced)
    if not cites:
        return tokens
    starts = list(itertools.accumulate((len(line) + 1 for line in text.split("\n")[:-1]), initial=0))
    for cite in cites:
        for kind, offset, items, label in tokens_of(cite):
            line = bisect.bisect_right(starts, offset)
            tokens.append(Token(kind, line, offset - starts[line - 1] + 1, items=items, label=label,
                                problem=cite.problem))
            if cite.problem:
                break  # one report per citation
    return tokens


def parse_attrs(attrs: str) -> dict[str, str]:
    """The id and key="value" pairs of an attribute list such as ``#sec-x data-kind="y"``."""
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
