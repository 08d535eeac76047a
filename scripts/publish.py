"""Build exactly what is deployed into one folder: the living site, every dated edition, the PDFs.

An edition is a git tag ``vYYYY.MM``. Each is checked out with ``git worktree`` and built by its
own sources (its own pages, bibliography, templates and engine) at ``editions/YYYY-MM/``, then
marked as archived: a banner with its date and a link to the same page of the living site, a
canonical link to itself and its own PDF. The living site then lists the editions on the
changelog page and offers the newest edition of each page in its "Cite this page" block.
A worktree rather than ``mike``: mike needs MkDocs itself (not Zensical) and commits to a
gh-pages branch, while Pages deploys a folder. Usage: ``python scripts/publish.py --out public``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import lxml.html
from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pdf  # noqa: E402  (scripts/pdf.py, beside this file)
from mdcite import config  # noqa: E402  (the engine, scripts/mdcite/: how mkdocs.yml is read)

EDITION_TAG = re.compile(r"^v(\d{4})\.(0[1-9]|1[0-2])$")
EDITIONS_DIR = "editions"
# The hooks an edition is marked by, found in the built HTML by an HTML parser (never by its exact
# markup, which each tag's templates may write differently).
CITE_BLOCK = '//details[@id="cite-this-page"]'  # "Cite this page"
CITE_VERSION = './/*[contains(concat(" ", normalize-space(@class), " "), " cite-version ")]'
CITE_NOTE = './/*[contains(concat(" ", normalize-space(@class), " "), " cite-note ")]'
EDITIONS_LIST = '//div[contains(concat(" ", normalize-space(@class), " "), " editions-list ")]'
# Points the banner's link at the reader's current #section, through the declared anchor moves;
# on load, on hash changes and at the click itself (so it also holds after instant navigation).
FOLLOW_HASH = ('<script>(function(){function f(a){var b=a.closest(".edition-banner"),'
               'm=JSON.parse(b.getAttribute("data-aliases")||"{}"),h=location.hash.slice(1);'
               'a.setAttribute("href",a.getAttribute("href").split("#")[0]+(h?"#"+(m[h]||h):""));}'
               'function all(){document.querySelectorAll("a.edition-living").forEach(f);}all();'
               'if(!window.editionLinks){window.editionLinks=true;window.addEventListener("hashchange",all);'
               'document.addEventListener("click",function(e){var a=e.target.closest&&e.target.closest("a.edition-living");'
               'if(a)f(a);},true);}})();</script>')


@dataclass
class Edition:
    tag: str
    slug: str          # YYYY-MM, its folder under editions/
    date: dt.date      # when the tag was made
    notes: str         # the tag's annotation: what changed
    has_pdf: bool = False

    @property
    def label(self) -> str:
        year, month = self.slug.split("-")
        return f"{pdf.MONTHS[int(month) - 1]} {year}"


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


def edition_tags(root: Path) -> list[Edition]:
    """Every ``vYYYY.MM`` tag, oldest first; other tags are not editions."""
    out = git(root, "for-each-ref", "--sort=creatordate", "refs/tags",
              "--format=%(refname:short)%00%(creatordate:short)%00%(contents)%1e")
    editions = []
    for record in filter(str.strip, out.split("\x1e")):
        name, day, notes = record.strip("\n").split("\x00", 2)
        found = EDITION_TAG.match(name)
        if found:
            editions.append(Edition(name, f"{found[1]}-{found[2]}", dt.date.fromisoformat(day), notes.strip()))
    return editions


def site_url(root: Path) -> str:
    url = str(config.read(root, "mkdocs.yml")[1].get("site_url") or "/")
    return url if url.endswith("/") else url + "/"


def build_site(src: Path, out: Path, url: str, generator: str = "mkdocs") -> subprocess.CompletedProcess:
    """``mdcite build`` of the sources in ``src`` (their own engine first on the path). Editions keep
    the default generator, MkDocs: a tag made before ``--generator`` existed knows no other."""
    env = os.environ.copy() | {"SITE_URL": url, "NO_MKDOCS_2_WARNING": "1",
                               "PYTHONPATH": os.pathsep.join([str(src / "scripts"), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-m", "mdcite.cli", "--root", str(src), "build", "--site-dir", str(out)]
                          + (["--generator", generator] if generator != "mkdocs" else []),
                          cwd=src, env=env, capture_output=True, text=True)


def build_edition(root: Path, ed: Edition, out: Path, url: str) -> str | None:
    """Build one tag in a temporary worktree; the reason, in one line, if it cannot be built."""
    with tempfile.TemporaryDirectory(prefix=f"edition-{ed.slug}-") as tmp:
        src = Path(tmp) / "src"
        git(root, "worktree", "add", "--detach", "--quiet", str(src), ed.tag)
        try:
            if not (src / "mkdocs.yml").exists() or not (src / "scripts" / "mdcite" / "cli.py").exists():
                return "its sources have no mkdocs.yml and mdcite engine to build with"
            done = build_site(src, out, url)
            if done.returncode != 0:
                lines = [line for line in (done.stderr + done.stdout).splitlines() if line.strip()]
                return "its build failed: " + (lines[-1] if lines else f"exit {done.returncode}")
        finally:
            git(root, "worktree", "remove", "--force", str(src))
    return None


def page_url(folder: Path, page: Path) -> str:
    """Site-relative address of a built page (``themes/energy/``; ``""`` for the home page)."""
    rel = page.parent.relative_to(folder).as_posix()
    return "" if rel == "." else rel + "/"


def relative(from_url: str, to_url: str) -> str:
    """A relative link between two site-relative directory addresses."""
    rel = posixpath.relpath(to_url.rstrip("/") or ".", from_url.rstrip("/") or ".")
    return "./" if rel == "." else rel + "/"


def living_moves(root: Path) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Declared page moves (old address → new) and anchor moves (page address → old id → new id)."""
    from mdcite import anchors

    moves = anchors.load_moves(root)
    pages = {anchors.page_url_of(old): anchors.page_url_of(new) for old, new in moves.pages.items()}
    ids = {anchors.page_url_of(src): aliases for src, aliases in moves.anchors.items()}
    return pages, ids


def living_address(url: str, public: Path, pages: dict[str, str]) -> str:
    """Where the living site has an edition's page now: its declared new address, itself, or home."""
    seen = set()
    while url in pages and url not in seen:
        seen.add(url)
        url = pages[url]
    return url if (public / url / "index.html").exists() else ""


def banner(ed: Edition, href: str, aliases: dict[str, str]) -> str:
    return (f'<div class="admonition warning edition-banner" role="note" data-aliases="{html.escape(json.dumps(aliases))}">'
            f'<p class="admonition-title">Archived edition of {ed.label}</p>'
            f"<p>This is the {ed.label} edition of the site (tag <code>{ed.tag}</code>, published "
            f"{pdf.human_date(ed.date)}): a fixed copy at a permanent address, never updated. "
            f'<a class="edition-living" href="{html.escape(href)}">Read this page in the living version</a>.</p></div>'
            + FOLLOW_HASH)


class Unmarked(SystemExit):
    """A built page that cannot carry a mark it must: the publish stops and names the page."""

    def __init__(self, page: Path, public: Path, why: str):
        super().__init__(f"publish: {page.relative_to(public).as_posix()}: {why}; nothing was published")


def read_page(page: Path) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(page.read_text(encoding="utf-8"))


def write_page(page: Path, doc: lxml.html.HtmlElement) -> None:
    page.write_text(lxml.html.tostring(doc, encoding="unicode", doctype="<!doctype html>") + "\n", encoding="utf-8")


def elements(markup: str) -> list:
    """HTML written here (escaped where it holds text), as elements to put in a page."""
    return lxml.html.fragments_fromstring(markup)


def put_first(parent, markup: str) -> None:
    """The elements at the start of ``parent``, before its own text and children."""
    new = elements(markup)
    new[-1].tail = (new[-1].tail or "") + (parent.text or "")
    parent.text = None
    for n, el in enumerate(new):
        parent.insert(n, el)


def put_before(el, markup: str) -> None:
    for new in elements(markup):
        el.addprevious(new)


def replace_with(el, markup: str) -> None:
    """``el`` replaced by the markup's elements (its tail kept after them)."""
    new = elements(markup)
    new[-1].tail = (new[-1].tail or "") + (el.tail or "")
    for item in new:
        el.addprevious(item)
    el.getparent().remove(el)


def set_contents(el, markup: str) -> None:
    """``el`` keeps its tag, attributes and tail; its contents become those of the markup's element."""
    source = elements(markup)[0]
    for child in list(el):
        el.remove(child)
    el.text = source.text
    el.extend(list(source))


def head_link(head, selector: str, tag: str, attrs: dict[str, str] | None) -> None:
    """The head's one element matching ``selector`` set to ``attrs`` (added if missing), or removed."""
    found = head.xpath(selector)
    for extra in found[1:] if attrs else found:
        head.remove(extra)
    if not attrs:
        return
    el = found[0] if found else etree.SubElement(head, tag)
    for name, value in attrs.items():
        el.set(name, value)


def is_redirect(doc) -> bool:
    """A redirect stub (a moved page): it has no content to mark."""
    return bool(doc.xpath('//head/meta[translate(@http-equiv, "REFSH", "refsh")="refresh"]'))


def mark_edition(public: Path, ed: Edition, base: str, pages: dict[str, str], ids: dict[str, dict[str, str]],
                 has_pdf: bool) -> int:
    """Banner, canonical link to itself, "Cite this edition" and its own PDF (if it has one) on every
    page of an edition; a page that cannot carry them stops the publish."""
    folder = public / EDITIONS_DIR / ed.slug
    marked = 0
    for page in sorted(folder.rglob("index.html")):
        doc = read_page(page)
        if is_redirect(doc):
            continue
        url = page_url(folder, page)
        here = f"{EDITIONS_DIR}/{ed.slug}/{url}"
        articles, head = doc.xpath("//article"), doc.find("head")
        if len(articles) != 1:
            raise Unmarked(page, public, f"has {len(articles)} <article> elements, so no one place for the edition's banner")
        if head is None:
            raise Unmarked(page, public, "has no <head> for the edition's canonical link")
        head_link(head, 'link[@rel="canonical"]', "link", {"rel": "canonical", "href": f"{base}{here}"})
        head_link(head, 'meta[@name="citation_pdf_url"]', "meta", {
            "name": "citation_pdf_url", "content": f"{base}{EDITIONS_DIR}/{ed.slug}/{pdf.PDF_NAME}"} if has_pdf else None)
        if any(not block.xpath(CITE_VERSION) for block in doc.xpath(CITE_BLOCK)):
            raise Unmarked(page, public, "its cite block has no element of class cite-version to say that it "
                                         "cites this edition, not the living version")
        for version in doc.xpath(CITE_VERSION):  # the page's, and any section's
            set_contents(version, f"<p><strong>Cite this edition</strong> ({ed.label}, a fixed text):</p>")
        living = living_address(url, public, pages)
        put_first(articles[0], banner(ed, relative(here, living), ids.get(living, {})))
        changelog = relative(here, living_address("about/changelog/", public, pages))
        for slot in doc.xpath(EDITIONS_LIST):
            set_contents(slot, f'<div><p>Every dated edition is listed on the <a href="{html.escape(changelog)}">'
                               "changelog of the living site</a>.</p></div>")
        write_page(page, doc)
        marked += 1
    return marked


def changelog_block(editions: list[Edition], from_url: str) -> str:
    """The list of editions for the living changelog page, newest first."""
    if not editions:
        return ('<div class="editions-list"><p>No dated edition (a fixed copy of the whole site at its own '
                "address) has been published yet; each one will be listed here with what changed in it.</p></div>")
    items = []
    for ed in reversed(editions):
        folder = f"{EDITIONS_DIR}/{ed.slug}/"
        notes = "".join(f"<p>{html.escape(p.strip())}</p>" for p in ed.notes.split("\n\n") if p.strip())
        href = relative(from_url, folder)
        items.append(f'<li><p><a href="{href}">{ed.label} edition</a> (tag <code>{ed.tag}</code>, '
                     f"published {pdf.human_date(ed.date)}"
                     + (f'; <a href="{href}{pdf.PDF_NAME}">PDF</a>' if ed.has_pdf else "") + f")</p>{notes}</li>")
    return ('<div class="editions-list"><h2 id="editions">Dated editions</h2><p>Each edition is a fixed copy of the '
            "whole site at a permanent address; cite one when the exact wording matters.</p>"
            f"<ul>{''.join(items)}</ul></div>")


def anchors_of(page: Path) -> list[str]:
    ids = read_page(page).xpath("//*/@id")
    return sorted({i for i in ids if i.startswith(("sec-", "art-"))})


def cite_edition(public: Path, editions: list[Edition], url: str, base: str, pages: dict[str, str]) -> str:
    """The newest edition of a living page, as a citable address, or ``""`` if none has it."""
    for ed in reversed(editions):
        folder = public / EDITIONS_DIR / ed.slug
        for old in [url, *(o for o, n in pages.items() if n == url)]:
            page = folder / old / "index.html"
            if page.exists():
                address = html.escape(f"{base}{EDITIONS_DIR}/{ed.slug}/{old}")
                link = html.escape(relative(url, f"{EDITIONS_DIR}/{ed.slug}/{old}"))
                return (f'<div class="cite-edition" data-url="{address}" data-edition="{ed.slug}" '
                        f'data-label="{ed.label}" data-date="{ed.date.isoformat()}" data-version="{ed.tag}" '
                        f'data-anchors="{" ".join(anchors_of(page))}"><p><strong>Cite the {ed.label} edition</strong> '
                        f"(a fixed text, published {pdf.human_date(ed.date)}): "
                        f'<a class="cite-edition-link" href="{link}">{address}</a></p></div>')
    return ""


def mark_living(public: Path, editions: list[Edition], base: str, pages: dict[str, str]) -> None:
    """Fill the changelog's list of editions and offer each page's newest edition for citation."""
    listed = False
    for page in sorted(public.glob("**/index.html")):
        if EDITIONS_DIR in page.relative_to(public).parts[:1]:
            continue
        doc = read_page(page)
        url = page_url(public, page)
        slots = doc.xpath(EDITIONS_LIST)
        for slot in slots:
            replace_with(slot, changelog_block(editions, url))
        listed = listed or bool(slots)
        block = cite_edition(public, editions, url, base, pages) if editions else ""
        cite = doc.xpath(CITE_BLOCK) if block else []
        if cite:
            notes = cite[0].xpath(CITE_NOTE)
            if notes:
                put_before(notes[0], block)
            else:
                cite[0].extend(elements(block))
        if slots or cite:
            write_page(page, doc)
    if editions and not listed:
        raise SystemExit('publish: no page of the living site has a <div class="editions-list"> to list the '
                         "editions in (docs/about/changelog.md should); nothing was published")


def edition_pdf(folder: Path, ed: Edition, base: str) -> bool:
    """The edition's own PDF, dated by its tag. An older edition whose pages lack the metadata the
    PDF needs keeps its pages without one (said in one line); any other failure stops the publish."""
    address = f"{base}{EDITIONS_DIR}/{ed.slug}/{pdf.PDF_NAME}"
    try:
        facts = pdf.head_facts(folder)
    except pdf.MissingMetadata as exc:
        print(f"publish: {ed.tag} has no PDF: {exc}", file=sys.stderr)
        return False
    pdf.write_pdf(folder, folder / pdf.PDF_NAME,
                  pdf.edition_of(folder, ed.date, f"{ed.tag} (site version {facts['version']})", address, base))
    return True


def publish(root: Path, out: Path, with_pdfs: bool = True) -> list[str]:
    """Everything under ``out``; returns one line per edition skipped. ``out`` is replaced only
    when everything is built and marked; nothing of a failed publish stays behind."""
    base = site_url(root)
    scratch = out.with_name(f"{out.name}.tmp-{os.getpid()}")
    shutil.rmtree(scratch, ignore_errors=True)
    try:
        skipped = build_all(root, scratch, base, with_pdfs)
        shutil.rmtree(out, ignore_errors=True)
        scratch.rename(out)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return skipped


def build_all(root: Path, scratch: Path, base: str, with_pdfs: bool) -> list[str]:
    """The living site, the editions and the PDFs, into ``scratch``."""
    done = build_site(root, scratch, base, os.environ.get("GENERATOR") or "mkdocs")
    if done.returncode != 0:
        raise SystemExit(f"{done.stdout}{done.stderr}publish: the living site did not build; nothing was published")
    pages, ids = living_moves(root)
    editions, skipped = [], []
    for ed in edition_tags(root):
        reason = build_edition(root, ed, scratch / EDITIONS_DIR / ed.slug, f"{base}{EDITIONS_DIR}/{ed.slug}/")
        if reason:
            shutil.rmtree(scratch / EDITIONS_DIR / ed.slug, ignore_errors=True)
            skipped.append(f"publish: {ed.tag} skipped: {reason}")
            print(skipped[-1], file=sys.stderr)
            continue
        ed.has_pdf = with_pdfs and edition_pdf(scratch / EDITIONS_DIR / ed.slug, ed, base)
        marked = mark_edition(scratch, ed, base, pages, ids, ed.has_pdf)
        print(f"publish: {ed.tag} → {EDITIONS_DIR}/{ed.slug}/ ({marked} pages{', PDF' if ed.has_pdf else ''})")
        editions.append(ed)
    mark_living(scratch, editions, base, pages)
    if with_pdfs:
        today = dt.datetime.now(dt.UTC).date()
        pdf.write_pdf(scratch, scratch / pdf.PDF_NAME, pdf.edition_of(scratch, today, None, f"{base}{pdf.PDF_NAME}"))
    return skipped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=".", help="the project (a git checkout with its tags)")
    parser.add_argument("--out", default="public", help="where to write what is deployed")
    args = parser.parse_args(argv)
    root = Path(args.root).resolve()
    out = Path(args.out) if Path(args.out).is_absolute() else root / args.out
    publish(root, out)
    print(f"publish: wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
