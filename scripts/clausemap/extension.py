"""The clause-map extension: article labels, status badges, topic tags and their generated blocks.

Loaded after ``mdcite.extension``, whose ``CitationsExtension`` it extends in two ways the
engine offers: a family of labels (``add_label_kind``) and makers of ``[[name]]`` blocks
(``blocks``); plus one tree processor of its own. ``label_kinds(options)`` gives ``mdcite check``
the same family from mkdocs.yml's options, so that check and build agree.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections import Counter
from dataclasses import dataclass

from markdown import Extension
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from mdcite.extension import CitationsExtension
from mdcite.labelkinds import LabelKind

STATUS_ORDER = ("verified", "reported", "unverified")
DEFAULT_STATUS_LABELS = {"verified": "Verified", "reported": "Reported", "unverified": "Not yet verified"}
# Elements that can be a clause-map entry with a status: a heading, or a term of a compact list.
ENTRY_TAG_RE = re.compile(r"h[1-6]|dt")


@dataclass(frozen=True)
class ArticleLabels(LabelKind):
    """``art-1`` … ``art-N`` and ``art-preamble``: the articles of the text the clause map covers."""

    count: int = 47
    # (status, display name) pairs: the hover title of a cross-reference names the status.
    status_labels: tuple[tuple[str, str], ...] = tuple(DEFAULT_STATUS_LABELS.items())

    def definition_problem(self, label_id: str) -> str:
        if label_id != "art-preamble" and not 1 <= int(label_id[4:]) <= self.count:
            return f"article label '{label_id}' is outside 1–{self.count}"
        return ""

    def reference_problem(self, label_id: str) -> str:
        number = label_id[4:]
        if label_id == "art-preamble" or (number.isdigit() and 1 <= int(number) <= self.count):
            return ""
        return (f"'@{label_id}' is not an article of the treaty; articles run from 1 to {self.count} "
                "(or use @art-preamble)")

    def generated_anchors(self, page) -> set[str]:
        """``[[tag-index]]`` gives each tag of the page's entries a heading ``tag-…``."""
        if "[[tag-index]]" not in page.body:
            return set()
        return {f"tag-{tag}" for _, _, _, attrs in page.headings for tag in attrs.get("data-tags", "").split()}

    def link_text(self, label, in_link: bool) -> tuple[str, str]:
        text = "Preamble" if label.id == "art-preamble" else f"Article {label.id[4:]}"
        title = label.title
        status = label.attrs.get("data-status")
        if status:
            title += f" ({dict(self.status_labels).get(status, status).lower()})"
        return text, title


def article_labels(count: int, status_labels: dict[str, str]) -> ArticleLabels:
    return ArticleLabels("art-", r"art-(?:preamble|\d+)", "art-3", "label a clause-map entry with {#ID}",
                         count=int(count), status_labels=tuple({**DEFAULT_STATUS_LABELS, **status_labels}.items()))


def label_kinds(options: dict) -> tuple[LabelKind, ...]:
    """The family this extension adds, from its options in mkdocs.yml (for ``mdcite check``)."""
    return (article_labels(options.get("article_count", 47), options.get("status_labels") or {}),)


def is_entry(el: etree.Element) -> bool:
    return bool(ENTRY_TAG_RE.fullmatch(el.tag) and el.get("data-status"))


def entry_title(entry: etree.Element) -> str:
    """An entry's own text, without the status badge and link that decorate it."""
    parts = [entry.text or ""]
    for child in entry:
        if child.get("class") not in ("entry-meta", "headerlink"):
            parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return "".join(parts).strip()


class StatusBadges(Treeprocessor):
    """Follow each entry with a ``data-status`` by its status badge and topic tags (a heading) or
    end it with them (a term of a compact list, which also gets the permanent link that the toc
    extension gives headings only). Runs before the engine's cite blocks (6), which go right
    after a section's heading, above its badges, as before the split."""

    def __init__(self, md, ext: ClauseMapExtension):
        super().__init__(md)
        self.ext = ext

    def run(self, root):
        page = self.ext.citations.state.page
        if page is None or "data-status" not in page.body:  # a walk of the whole tree, only where asked
            return
        labels = self.ext.status_labels()
        for parent in list(root.iter()):
            for entry in list(parent):
                if is_entry(entry):
                    self.decorate(parent, entry, labels)

    def decorate(self, parent, entry, labels) -> None:
        status = entry.get("data-status")
        meta = etree.Element("p", {"class": "entry-meta"})
        badge = etree.SubElement(meta, "span", {"class": f"status-badge status-{status}", "data-status": status})
        badge.text = labels.get(status, status)
        for tag in (entry.get("data-tags") or "").split():
            badge.tail = " "
            badge = etree.SubElement(meta, "a", {"class": "entry-tag", "href": f"#tag-{tag}"})
            badge.text = self.ext.tag_label(tag)
        if entry.tag != "dt":
            parent.insert(list(parent).index(entry) + 1, meta)
            return
        meta.tag = "span"
        if len(entry):
            entry[-1].tail = (entry[-1].tail or "").rstrip() + " "
        else:
            entry.text = (entry.text or "").rstrip() + " "
        entry.append(meta)
        if entry.get("id"):
            meta.tail = " "
            link = etree.SubElement(entry, "a", {"class": "headerlink", "href": f"#{entry.get('id')}",
                                                 "title": "Permanent link to this entry"})
            link.text = "¶"


class ClauseMapExtension(Extension):
    def __init__(self, **kwargs):
        self.config = {
            "article_count": [47, "Numbered articles that @art-N may point to: 1 to this"],
            "tag_labels": [{}, "Display names of the data-tags used by clause-map entries"],
            "status_labels": [dict(DEFAULT_STATUS_LABELS), "Display names of data-status"],
        }
        super().__init__(**kwargs)

    def extendMarkdown(self, md):
        citations = next((ext for ext in md.registeredExtensions if isinstance(ext, CitationsExtension)), None)
        if citations is None:
            raise ValueError("clausemap.extension needs mdcite.extension: list it first in markdown_extensions")
        self.citations = citations
        citations.add_label_kind(article_labels(self.getConfig("article_count"), self.getConfig("status_labels")))
        citations.blocks["status-summary"] = self.status_summary
        citations.blocks["tag-index"] = self.tag_index
        # After attr_list (8), which sets the entries' data-status, and the engine's generated blocks
        # (7.8), whose summary and index read the entries undecorated; before its cite blocks (6).
        md.treeprocessors.register(StatusBadges(md, self), "clausemap_statuses", 7.6)
        md.registerExtension(self)

    def status_labels(self) -> dict[str, str]:
        return {**DEFAULT_STATUS_LABELS, **self.getConfig("status_labels")}

    def tag_label(self, tag: str) -> str:
        return self.getConfig("tag_labels").get(tag) or tag.replace("-", " ").capitalize()

    def status_summary(self, root) -> etree.Element:
        """``[[status-summary]]``: how many entries of the page have each status."""
        counts = Counter(el.get("data-status") for el in root.iter() if is_entry(el))
        labels = self.status_labels()
        ul = etree.Element("ul", {"class": "status-summary"})
        for status in list(STATUS_ORDER) + sorted(set(counts) - set(STATUS_ORDER)):
            li = etree.SubElement(ul, "li")
            badge = etree.SubElement(li, "span", {"class": f"status-badge status-{status}", "data-status": status})
            badge.text = labels.get(status, status)
            badge.tail = f": {counts.get(status, 0)} of {sum(counts.values())} entries"
        return ul

    def tag_index(self, root) -> etree.Element:
        """``[[tag-index]]``: the page's entries under each topic tag, tags in the configured order."""
        by_tag: dict[str, list[etree.Element]] = {}
        for entry in (el for el in root.iter() if is_entry(el)):
            for tag in (entry.get("data-tags") or "").split():
                by_tag.setdefault(tag, []).append(entry)
        div = etree.Element("div", {"class": "tag-index"})
        for tag in dict.fromkeys([*self.getConfig("tag_labels"), *sorted(by_tag)]):
            if tag not in by_tag:
                continue
            h3 = etree.SubElement(div, "h3", {"id": f"tag-{tag}"})
            h3.text = self.tag_label(tag)
            ul = etree.SubElement(div, "ul")
            for entry in by_tag[tag]:
                a = etree.SubElement(etree.SubElement(ul, "li"), "a", {"href": "#" + entry.get("id", "")})
                a.text = AtomicString(entry_title(entry))
        return div


def makeExtension(**kwargs):
    return ClauseMapExtension(**kwargs)
