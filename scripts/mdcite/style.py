"""An author-date style modelled on Chicago author-date, written as pybtex templates.

Names, year labels (with 2025a/2025b disambiguation) and full dates are computed once per entry
by the bibliography and handed to the templates as ``value(...)``; everything else is a field.
"""

from __future__ import annotations

import re

from pybtex.richtext import BaseText, Text
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

# Text with none of these is plain: it needs no trip through the (slow) LaTeX decoder.
LATEX_RE = re.compile(r"[\\{}~$]|--|``|''")


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
def quoted(children, context):
    """Chicago puts the closing period inside the quotation marks."""
    text = join[children].format_data(context)
    return Text("\u201c", text.add_period(), "\u201d") if text else Text()


creators = sentence(add_period=True)[value("creators")]
year = sentence[value("yearlabel")]
title_quoted = quoted[field("title")]
title_italic = sentence[tag("em")[field("title")]]
link = optional[sentence[href(field("url", raw=True))[field("url", raw=True)]]]
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
        optional[sentence[join(sep=", ")[optional[tag("em")[value("site")]], container_date]]],
        accessed,
    ),
    "article": entry_template(
        title_quoted,
        sentence[
            words[
                tag("em")[first_of[optional_field("journaltitle"), optional_field("journal")]],
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
            words["In", tag("em")[field("booktitle")]],
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
