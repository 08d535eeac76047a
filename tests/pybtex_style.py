"""The oracle for mdcite.style: the author-date style as pybtex templates, as the engine formatted
entries until it formatted them with plain strings (tests/test_bibliography_fast.py compares the two
on every entry of the real and a synthetic bibliography).

Names, year labels (with 2025a/2025b disambiguation) and full dates are computed once per entry
by the bibliography and handed to the templates as ``value(...)``; everything else is a field.
"""

from __future__ import annotations

import re

from pybtex.richtext import BaseText, Tag, Text
from pybtex.style.template import (
    FieldIsMissing,
    first_of,
    href,
    join,
    node,
    optional,
    sentence,
    tag,
    words,
)

from mdcite.iri import readable_url

# Hebrew, Arabic, Syriac, Thaana, N'Ko and the Arabic presentation forms: right-to-left scripts.
RTL_RE = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefe]")
# Text with none of these is plain: it needs no trip through the (slow) LaTeX decoder.
LATEX_RE = re.compile(r"[\\{}~$%]|--|``|''|,,|[!?]`")  # every piece of LaTeX latexcodec decodes


def from_latex(value: str) -> Text:
    """pybtex's Text.from_latex, skipped for the common case of text with no LaTeX in it."""
    return Text.from_latex(value) if LATEX_RE.search(value) else Text(value)


@node
def field(children, context, name, apply_func=None, raw=False):
    """pybtex's ``field`` with the plain-text shortcut: same result, a fraction of the time."""
    if children:
        raise ValueError(children)
    entry = context["entry"]
    try:
        found = entry._find_field(name, bib_data=context.get("bib_data"))
    except KeyError:
        raise FieldIsMissing(name, entry) from None
    found = found if raw else from_latex(found)
    return apply_func(found) if apply_func else found


@node
def optional_field(children, data, *args, **kwargs):
    if children:
        raise ValueError(children)
    return optional[field(*args, **kwargs)].format_data(data)


@node
def value(children, context, name):
    """A value computed by the bibliography (creators, year label, full date)."""
    found = context["computed"].get(name)
    if not found:
        raise FieldIsMissing(name, context["entry"])
    return found if isinstance(found, BaseText) else Text(found)


@node
def isolated(children, context):
    """Text in a right-to-left script in a <bdi>, so that the punctuation and date after it keep
    their place in the line; any other text as it is."""
    text = join[children].format_data(context)
    return Text(Tag("bdi", text)) if RTL_RE.search(str(text)) else text


@node
def quoted(children, context):
    """Chicago puts the closing period inside the quotation marks."""
    text = join[children].format_data(context)
    return Text("\u201c", text.add_period(), "\u201d") if text else Text()


# Titles, names, containers and addresses in a right-to-left script are isolated (<bdi>): a title
# in Arabic or Persian must not pull the date or punctuation after it into its run.
creators = sentence(add_period=True)[isolated[value("creators")]]
year = sentence[value("yearlabel")]
title_quoted = quoted[isolated[field("title")]]
title_italic = sentence[tag("em")[isolated[field("title")]]]
link = optional[sentence[href(field("url", raw=True))[isolated[field("url", raw=True, apply_func=readable_url)]]]]
note = optional[sentence[field("note")]]
accessed = optional[sentence[words["Accessed", value("accessed")]]]
container_date = optional[value("fulldate")]
publisher_place = first_of[
    optional[join(sep=": ")[field("address"), field("publisher")]],
    optional_field("publisher"),
]


def entry_template(*middle):
    """Creators. Year. <middle>. Note. URL."""
    return join(sep=" ")[creators, year, *middle, note, link]


TEMPLATES = {
    "online": entry_template(
        title_quoted,
        optional[sentence[join(sep=", ")[optional[tag("em")[isolated[value("site")]]], container_date]]],
        accessed,
    ),
    "article": entry_template(
        title_quoted,
        sentence[
            words[
                tag("em")[isolated[first_of[optional_field("journaltitle"), optional_field("journal")]]],
                optional[join[field("volume"), optional["(", field("number"), ")"]]],
            ],
            optional[field("pages")],
            container_date,
        ],
        optional[sentence[join["https://doi.org/", field("doi", raw=True)]]],
    ),
    "book": entry_template(
        title_italic,
        optional[sentence[words["Edited by", value("editors")]]],
        optional[sentence[publisher_place]],
    ),
    "incollection": entry_template(
        title_quoted,
        sentence[
            words["In", tag("em")[isolated[field("booktitle")]]],
            optional[words["edited by", value("editors")]],
            optional[field("pages")],
        ],
        optional[sentence[publisher_place]],
    ),
    "report": entry_template(
        title_italic,
        optional[sentence[words[field("type"), optional_field("number")]]],
        optional[sentence[join(sep=", ")[field("institution"), container_date]]],
    ),
    "misc": entry_template(
        title_italic,
        optional[
            sentence[
                join(sep=", ")[
                    first_of[
                        optional_field("howpublished"),
                        optional[value("site")],
                    ],
                    container_date,
                ]
            ]
        ],
    ),
}


def format_entry(entry, computed: dict) -> Text:
    """Rich text of one reference-list entry, rendered later as HTML or plain text."""
    template = TEMPLATES[entry.type.lower()]
    return template.format_data({"entry": entry, "computed": computed})
