"""The readable form of a web address (an IRI), for the reference list to print.

A Cyrillic or Persian address arrives from ``references.bib`` percent-encoded: ``%D0%94%D0%BE…``,
a dozen lines of escapes on a phone that no reader can check against the page's own title.
Browsers' address bars, Wikipedia and Zotero show such an address decoded and link the encoded one.

The engine does the same: the ``href`` and every export keep the exact URL, and the text shown
decodes only what cannot be mistaken for something else. An escape that decodes to an ASCII
character (``%2F``, ``%20``, ``%25``, a control) stays encoded, because showing it decoded would
print a different address (``a%2Fb`` is not ``a/b``). So do bytes that are not valid UTF-8, and
characters that would show as nothing or as blank space (controls, format characters such as the
bidirectional overrides and the zero-width space, separators, U+FFFD): the text shown must name one
address only. The zero-width joiners that Persian spelling needs are the exception.
"""

from __future__ import annotations

import re
import unicodedata

# A run of percent-escapes: a multi-byte character is always several escapes in a row.
ESCAPES_RE = re.compile(r"(?:%[0-9A-Fa-f]{2})+")


def _sequence_length(lead: int) -> int:
    """How many bytes the UTF-8 sequence that starts with ``lead`` takes; 0 when no non-ASCII
    character starts with it (ASCII, a continuation byte, or a byte UTF-8 never uses)."""
    if 0xC2 <= lead <= 0xDF:
        return 2
    if 0xE0 <= lead <= 0xEF:
        return 3
    if 0xF0 <= lead <= 0xF4:
        return 4
    return 0


# The zero-width non-joiner and joiner are format characters that Persian and Indic spelling need
# (``لازم‌الاجرا``): shown decoded, as browsers' address bars show them; no other is.
JOINERS = "\u200c\u200d"


def _shows_as_itself(char: str) -> bool:
    """A character a reader sees, and cannot take for another: no control, format character
    (but the joiners), separator (space of any width) or replacement character."""
    return char in JOINERS or (char != "\ufffd" and unicodedata.category(char)[0] not in "CZ")


def _decode_run(run: str) -> str:
    """One run of escapes with every valid, visible non-ASCII character decoded and every other
    escape as it was written (its hex digits in their original case)."""
    data = bytes.fromhex(run.replace("%", ""))
    out: list[str] = []
    i = 0
    while i < len(data):
        length = _sequence_length(data[i])
        if length and i + length <= len(data):
            try:
                char = data[i:i + length].decode("utf-8")
            except UnicodeDecodeError:  # an overlong form, a surrogate, a bad continuation byte
                char = ""
            if char and _shows_as_itself(char):
                out.append(char)
                i += length
                continue
        out.append(run[3 * i:3 * i + 3])
        i += 1
    return "".join(out)


def readable_url(url: str) -> str:
    """``url`` with its percent-encoded non-ASCII text decoded, for showing; the same address.

    >>> readable_url("https://ru.wikipedia.org/wiki/%D0%94%D0%BE%D0%B3%D0%BE%D0%B2%D0%BE%D1%80")
    'https://ru.wikipedia.org/wiki/Договор'
    >>> readable_url("https://example.org/a%2Fb%20c")
    'https://example.org/a%2Fb%20c'
    """
    return ESCAPES_RE.sub(lambda m: _decode_run(m.group(0)), url) if "%" in url else url
