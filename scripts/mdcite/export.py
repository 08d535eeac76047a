"""The bibliography in exchange formats: BibTeX, RIS, CSL-JSON and COinS (for Zotero)."""

from __future__ import annotations

import json
from urllib.parse import quote

from .bibliography import Reference

CSL_TYPES = {"online": "webpage", "article": "article-journal", "book": "book",
             "incollection": "chapter", "report": "report", "misc": "document"}
RIS_TYPES = {"online": "ELEC", "article": "JOUR", "book": "BOOK", "incollection": "CHAP",
             "report": "RPRT", "misc": "GEN"}


def creators(ref: Reference, role: str = "author") -> list[dict]:
    """CSL name objects: family/given for people, literal for organisations."""
    from .bibliography import latex_to_text

    result = []
    for person in ref.entry.persons.get(role, []):
        given = latex_to_text(" ".join(person.first_names + person.middle_names))
        family = latex_to_text(" ".join(person.prelast_names + person.last_names))
        result.append({"family": family, "given": given} if given else {"literal": family})
    if not result and role == "author":
        org = ref.fields.get("organization") or ref.fields.get("institution")
        if org:
            result.append({"literal": org})
    return result


def to_csl(refs: list[Reference]) -> list[dict]:
    items = []
    for ref in refs:
        f = ref.fields
        item: dict = {"id": ref.key, "type": CSL_TYPES[ref.type], "title": f.get("title", "")}
        authors = creators(ref)
        if authors:
            item["author"] = authors
        editors = creators(ref, "editor")
        if editors:
            item["editor"] = editors
        if ref.date_parts:
            item["issued"] = {"date-parts": [list(ref.date_parts)]}
        container = (f.get("journaltitle") or f.get("journal") or f.get("booktitle")
                     or f.get("organization") or f.get("howpublished"))
        if container:
            item["container-title"] = container
        publisher = f.get("publisher") or f.get("institution")
        if publisher:
            item["publisher"] = publisher
        for src, dst in (("url", "URL"), ("doi", "DOI"), ("volume", "volume"), ("number", "issue"),
                         ("pages", "page"), ("note", "note"), ("langid", "language"),
                         ("address", "publisher-place")):
            if f.get(src):
                item[dst] = f[src]
        if f.get("urldate"):
            from .bibliography import parse_date

            item["accessed"] = {"date-parts": [list(parse_date(f["urldate"]))]}
        items.append(item)
    return items


def csl_json(refs: list[Reference]) -> str:
    return json.dumps(to_csl(refs), ensure_ascii=False, indent=2) + "\n"


def ris(refs: list[Reference]) -> str:
    lines: list[str] = []
    for item, ref in zip(to_csl(refs), refs, strict=True):
        lines.append(f"TY  - {RIS_TYPES[ref.type]}")
        for name in item.get("author", []):
            lines.append("AU  - " + (name.get("literal") or f"{name['family']}, {name['given']}"))
        for name in item.get("editor", []):
            lines.append("A2  - " + (name.get("literal") or f"{name['family']}, {name['given']}"))
        lines.append(f"TI  - {item['title']}")
        if "container-title" in item:
            lines.append(f"T2  - {item['container-title']}")
        if ref.date_parts:
            lines.append(f"PY  - {ref.date_parts[0]}")
            lines.append("DA  - " + "/".join(f"{p:02d}" for p in ref.date_parts))
        for key, tag in (("publisher", "PB"), ("URL", "UR"), ("DOI", "DO"), ("volume", "VL"),
                         ("issue", "IS"), ("note", "N1"), ("language", "LA")):
            if key in item:
                lines.append(f"{tag}  - {item[key]}")
        lines.append(f"ID  - {ref.key}")
        lines.append("ER  - ")
        lines.append("")
    return "\n".join(lines)


def bibtex(refs: list[Reference]) -> str:
    """The entries as references.bib has them: each field's value exactly as written there.

    The values are LaTeX already (``\\&``, ``\\$``), and ``url`` and ``doi`` are verbatim; pybtex's
    writer would encode them once more as if they were plain text. Each entry starts a line with
    ``@`` and holds no other line that does, so a page's "download these works" can cut it out."""
    blocks = []
    for ref in refs:
        lines = [f"@{ref.entry.original_type}{{{ref.key},"]
        width = max((len(name) for name in ref.source), default=0)
        lines += [f"  {name.ljust(width)} = {{{value}}}," for name, value in ref.source.items()]
        blocks.append("\n".join(lines) + "\n}\n")
    return "\n".join(blocks)


def coins(ref: Reference) -> str:
    """The ContextObject that Zotero reads from a ``<span class="Z3988" title=…>`` on the
    bibliography page."""
    f = ref.fields
    genre = {"article": ("journal", "article"), "book": ("book", "book"),
             "incollection": ("book", "bookitem"), "report": ("book", "report")}
    fmt, kind = genre.get(ref.type, ("dc", ""))
    pairs: list[tuple[str, str]] = [("ctx_ver", "Z39.88-2004"),
                                    ("rft_val_fmt", f"info:ofi/fmt:kev:mtx:{fmt}")]
    if fmt == "dc":
        pairs.append(("rft.title", f.get("title", "")))
        pairs.append(("rft.type", "webpage" if ref.type == "online" else "document"))
        for name in creators(ref):
            pairs.append(("rft.creator", name.get("literal") or f"{name['family']}, {name['given']}"))
        if f.get("organization") or f.get("publisher"):
            pairs.append(("rft.publisher", f.get("organization") or f.get("publisher")))
    else:
        pairs.append(("rft.genre", kind))
        title_key = "rft.atitle" if kind in ("article", "bookitem") else "rft.btitle"
        pairs.append((title_key, f.get("title", "")))
        container = f.get("journaltitle") or f.get("journal") or f.get("booktitle")
        if container:
            pairs.append(("rft.jtitle" if kind == "article" else "rft.btitle", container))
        for name in creators(ref):
            if "literal" in name:
                pairs.append(("rft.aucorp", name["literal"]))
            else:
                pairs.append(("rft.aulast", name["family"]))
                pairs.append(("rft.aufirst", name["given"]))
        if f.get("publisher") or f.get("institution"):
            pairs.append(("rft.pub", f.get("publisher") or f.get("institution")))
    if ref.date_parts:
        pairs.append(("rft.date", "-".join(f"{p:02d}" if i else str(p)
                                           for i, p in enumerate(ref.date_parts))))
    if f.get("url"):
        pairs.append(("rft_id", f["url"]))
    # What urlencode(pairs, quote_via=quote) writes, without its checks of each name and value's type
    # (the bibliography page writes one of these for every work).
    return "&".join(f"{quote(name, safe='')}={quote(value, safe='')}" for name, value in pairs)
