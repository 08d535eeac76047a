"""The HTML of passages: under each work of a page's reference list, and counted on the
bibliography page.

Every passage is one ``<blockquote class="evidence">`` with ``data-key``, ``data-section``,
``lang``, ``dir`` and ``cite`` (the work's URL), the hook that previews (assets/cite.js), print,
the PDF and tests read. The text is untrusted, so every value is escaped here; the result is
finished HTML that no later step parses as Markdown.
"""

from __future__ import annotations

from html import escape

from .evidence import TOP, Passage

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
# Longer than this (original and translation together), a passage starts collapsed on screen.
LONG_CHARACTERS = 600


def human_date(day) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def paragraphs(text: str) -> str:
    """A blank line separates paragraphs; a single line break is a space, so that an editor may
    wrap a long passage in the YAML without changing it."""
    parts = [" ".join(block.split()) for block in text.split("\n\n")]
    return "".join(f"<p>{escape(part, quote=False)}</p>" for part in parts if part)


def where_html(passage: Passage, section_title: str) -> str:
    """"Supports <section> · <locator> · read on <date> (in this copy)"."""
    if passage.section == TOP:
        target = "the opening of the page"
    else:
        target = f'<a href="#{escape(passage.section)}">{escape(section_title, quote=False)}</a>'
    parts = [f'<span class="evidence-for">Supports {target}</span>']
    if passage.locator:
        parts.append(f'<span class="evidence-locator">{escape(passage.locator, quote=False)}</span>')
    read = (f'read on <time datetime="{passage.read.isoformat()}">{human_date(passage.read)}</time>')
    if passage.copy:
        read += f' in <a href="{escape(passage.copy)}" rel="nofollow">this copy</a>'
    parts.append(f'<span class="evidence-read">{read}</span>')
    return " · ".join(parts)


def passage_html(passage: Passage, url: str, section_title: str) -> str:
    """One passage: where it applies and when it was read, the original, then the translation."""
    attrs = (f'class="evidence" data-key="{escape(passage.key)}" data-section="{escape(passage.section)}" '
             f'lang="{escape(passage.lang)}" dir="{passage.direction}"')
    if url:
        attrs += f' cite="{escape(url)}"'
    quote = f"<blockquote {attrs}>{paragraphs(passage.text)}</blockquote>"
    translation = ""
    if passage.translation:
        translation = ('<div class="evidence-translation" lang="en" dir="ltr">'
                       '<p class="evidence-label">The editors’ translation:</p>'
                       f"{paragraphs(passage.translation)}</div>")
    where = where_html(passage, section_title)
    item = f'data-section="{escape(passage.section)}"'
    if len(passage.text) + len(passage.translation) > LONG_CHARACTERS:
        # The summary holds plain words only: a link inside it would be a control inside a control.
        words = len(passage.text.split())
        label = "the opening of the page" if passage.section == TOP else f"“{section_title}”"
        return (f'<details class="evidence-item" {item}><summary class="evidence-toggle">'
                f"Passage supporting {escape(label, quote=False)} ({words} words)</summary>"
                f'<p class="evidence-where">{where}</p>{quote}{translation}</details>')
    return f'<div class="evidence-item" {item}><p class="evidence-where">{where}</p>{quote}{translation}</div>'


# Prefix of the id of a reference's own text. It cannot be any entry's "ref-KEY", whatever the key:
# the two differ at their fourth character ("t", "-") before any key begins.
TEXT_ID_PREFIX = "reftext-"


def reference_text(ref) -> str:
    """A work's reference alone, apart from the passages listed under it in the same entry: the
    element a citation is described by (``aria-describedby``, assets/cite.js), so that a screen
    reader hears the reference, not every passage of the work, each time the citation has focus."""
    return f'<span class="reference-text" id="{TEXT_ID_PREFIX}{escape(ref.key)}">{ref.html}</span>'


def work_passages_html(passages: list[Passage], url: str, sections: dict[str, str]) -> str:
    """The passages of one work on one page, in the order of the page's sections."""
    if not passages:
        return ""
    order = {sid: n for n, sid in enumerate(sections)}
    ordered = sorted(passages, key=lambda p: order.get(p.section, len(order)))
    items = "".join(passage_html(p, url, sections.get(p.section, p.section)) for p in ordered)
    return f'<div class="evidence-list">{items}</div>'


def count_html(count: int) -> str:
    """The bibliography's note of how many passages of a work the site quotes."""
    if not count:
        return ' <span class="evidence-count" data-count="0">No passage quoted on this site yet.</span>'
    what = "passage" if count == 1 else "passages"
    return f' <span class="evidence-count" data-count="{count}">{count} {what} quoted on this site.</span>'
