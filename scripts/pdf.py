"""The PDF edition: every page of a built site, in navigation order, as one PDF (WeasyPrint).

It reads the built HTML rather than the Markdown, so citations, reference lists, figures and
cross-references come out exactly as on the site. Each page's ids get the page's own prefix
(every page has its own ``ref-KEY`` entries), and links between pages become links inside the
PDF. Usage: ``python scripts/pdf.py --site site --out site/treaty-guide.pdf``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree

PDF_NAME = "treaty-guide.pdf"
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
# Parts of a web page that mean nothing on paper: buttons, the edit icon, ¶ links, the cite
# block (the title page says how to cite the PDF) and the JavaScript-only download row.
DROP = ("a.md-content__button", "a.headerlink", "details.cite-block", "details.cite-section", "script", "button",
        ".reference-downloads", ".edition-banner", "span.Z3988")

# Open fonts chosen for print and installed from Debian (README, .ci/run): Charis SIL, a book face
# with Latin and Cyrillic (the Russian titles and passages); Noto Sans for headings and running
# heads; Noto Naskh Arabic for Arabic and Persian; DejaVu Sans Mono for the citation formats.
# WeasyPrint embeds the subsets it uses.
FONTS = {
    "serif": '"Charis SIL", "Noto Naskh Arabic", "DejaVu Serif", serif',
    "sans": '"Noto Sans", "Noto Naskh Arabic", "DejaVu Sans", sans-serif',
    "mono": '"DejaVu Sans Mono", monospace',
}

CSS = """
/* A book page: the running head of a left page names the publication, of a right page the
   chapter, so the two never share a line; the folio sits at the foot. */
@page {{ size: A4; margin: 22mm 20mm 22mm 20mm;
  @bottom-center {{ content: counter(page) " / " counter(pages); font: 8pt {sans}; color: #555; }} }}
@page :left {{ @top-left {{ content: string(site); font: 8pt {sans}; color: #555; width: 100%; }} }}
@page :right {{ @top-right {{ content: string(chapter, first-except); font: 8pt {sans}; color: #555;
  width: 100%; text-align: right; }} }}
@page :first {{ @top-left {{ content: none; }} @top-right {{ content: none; }} @bottom-center {{ content: none; }} }}
html {{ font-family: {serif}; font-size: 10pt; line-height: 1.4; font-variant-ligatures: common-ligatures;
  hyphens: auto; }}
body {{ margin: 0; string-set: site attr(data-site); }}
p, li, dd, td {{ orphans: 2; widows: 2; }}
a {{ color: #1a3a8a; text-decoration: none; overflow-wrap: break-word; }}
a[href^="http"] {{ hyphens: none; }}
abbr, abbr[title] {{ text-decoration: none; border: none; }}
h1, h2, h3, h4 {{ font-family: {sans}; line-height: 1.2; break-after: avoid; hyphens: manual; }}
h1 {{ font-size: 18pt; string-set: chapter content(text); bookmark-level: 1; }}
h2 {{ font-size: 13pt; bookmark-level: 2; }}
h3 {{ font-size: 11pt; bookmark-level: 3; }}
h4, h5, h6 {{ bookmark-level: none; }}
.title-page h1, .contents h1 {{ string-set: none; }}
.title-page {{ break-after: page; text-align: center; padding-top: 40mm; }}
.title-page h1 {{ font-size: 24pt; bookmark-level: none; }}
.title-page .edition {{ font-size: 14pt; margin: 8mm 0; }}
.title-page .howto {{ text-align: left; margin-top: 20mm; font-size: 9pt; }}
.contents {{ break-after: page; }}
.contents ol {{ list-style: none; padding: 0; }}
.contents li a::after {{ content: leader(". ") target-counter(attr(href), page); }}
.pdf-page {{ break-before: page; }}
table {{ border-collapse: collapse; width: 100%; font-size: 8.5pt; margin: 3mm 0; }}
th, td {{ border: 0.5pt solid #999; padding: 1.5mm; vertical-align: top; text-align: left; }}
thead {{ display: table-header-group; }}
tr, li.reference, .figure-graphic {{ break-inside: avoid; }}
figcaption, caption {{ break-after: avoid; break-inside: avoid; font-size: 9pt; font-style: normal;
  text-align: left; }}
caption {{ caption-side: top; margin-bottom: 2mm; }}
.caption-number, .caption-title {{ font-weight: bold; font-family: {sans}; }}
figure {{ margin: 4mm 0; }}
figure img {{ max-width: 100%; height: auto; }}
.figure-graphic {{ text-align: center; margin: 2mm 0; }}
.figure-graphic svg.figure-svg-narrow {{ display: none; }}  /* the phone drawing; paper has the wide one */
pre, code {{ font-family: {mono}; font-size: 8pt; white-space: pre-wrap; }}
.admonition {{ border-left: 2pt solid #1a3a8a; padding: 1mm 3mm; margin: 3mm 0; }}
.admonition-title {{ font-weight: bold; font-family: {sans}; }}
.summary {{ font-style: italic; }}
.references {{ font-size: 9pt; }}
/* As on screen (site.css): the pages that cite a work start a line of their own under its entry. */
.cited-in {{ display: block; }}
/* Names, titles and addresses are not hyphenated, nor are captions: they are searched for as written. */
.reference-list, figcaption, caption {{ hyphens: manual; }}
.evidence-item {{ margin: 1mm 0 0; padding-left: 2mm; border-left: 0.5pt solid #999; }}
.evidence-where {{ margin: 0; font-size: 8pt; color: #555; font-family: {sans}; }}
blockquote.evidence {{ margin: 0.5mm 0; }}
blockquote.evidence p, .evidence-translation p {{ margin: 0.5mm 0; }}
.evidence-label {{ font-style: italic; }}
.status-badge {{ font-family: {sans}; font-size: 7.5pt; border: 0.5pt solid #777;
  padding: 0 1mm; margin-left: 1mm; }}
""".format(**FONTS)


@dataclass
class Edition:
    """What the title page and the PDF's metadata say about this copy."""
    title: str
    author: str
    date: dt.date
    version: str
    license_url: str
    license_name: str
    url: str          # the PDF's own permanent address
    site_url: str     # the address of the site it was made from
    home: str         # the living version's address


def page_urls(site: Path) -> list[str]:
    """Site-relative addresses of the pages, in the order of the site's navigation."""
    home = lxml.html.parse(str(site / "index.html")).getroot()
    order = [""]
    for a in home.cssselect("nav.md-nav--primary a.md-nav__link[href]"):
        href = a.get("href")
        if href.startswith(("#", "http:", "https:")):
            continue
        url = "" if href in (".", "./") else href.lstrip("./")
        if url not in order and (site / url / "index.html").exists():
            order.append(url)
    if len(order) == 1:  # a theme without Material's navigation: every page, by address
        order += sorted(p.parent.relative_to(site).as_posix() + "/" for p in site.glob("*/**/index.html")
                        if b"<article" in p.read_bytes())
    return order


def slug(url: str) -> str:
    """The id of a page inside the PDF (its heading's destination)."""
    return "p-" + (url.strip("/").replace("/", "-") or "home")


class MissingMetadata(ValueError):
    """The built site's home page lacks the metadata the title page is made from (an old edition)."""


def head_facts(site: Path) -> dict:
    """Title, author, version and licence from the home page's own metadata (JSON-LD)."""
    home = lxml.html.parse(str(site / "index.html")).getroot()
    for script in home.xpath('//script[@type="application/ld+json"]'):
        data = json.loads(script.text or "{}")
        if data.get("@type") == "Article":
            part = data.get("isPartOf") or {}
            return {"title": part.get("name") or data.get("name"), "site_url": part.get("url", ""),
                    "author": (data.get("author") or {}).get("name", ""), "version": str(data.get("version", "")),
                    "license_url": data.get("license", "")}
    raise MissingMetadata(f"{site / 'index.html'}: no schema.org Article metadata; build the site first")


def license_name(url: str) -> str:
    return "CC BY 4.0" if "creativecommons.org/licenses/by/4.0" in url else url


def human_date(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def cleaned_article(site: Path, url: str):
    """The page's own content: Material's article, without what only works on screen."""
    doc = lxml.html.parse(str(site / url / "index.html")).getroot()
    found = doc.cssselect("article.md-content__inner") or doc.cssselect("article") or [doc.body]
    article = found[0]
    for selector in DROP:
        for el in article.cssselect(selector):
            el.drop_tree()
    for details in article.cssselect("details"):
        details.tag = "div"
        for summary in details.cssselect("summary"):
            summary.tag = "p"
    return article


# WeasyPrint draws inline SVG without CSS custom properties, so a figure coloured with
# ``var(--…)`` (declared in the site's stylesheet) gets its light-scheme values written in.
MATERIAL_DEFAULTS = {"--md-default-fg-color": "rgba(0, 0, 0, 0.87)", "--md-default-bg-color": "#ffffff"}
CUSTOM_PROPERTY = re.compile(r"(--[\w-]+)\s*:\s*([^;}]+)")
VAR = re.compile(r"var\(\s*(--[\w-]+)\s*(?:,\s*([^()]*))?\)")
FIGURE_BOX_MM = (170.0, 185.0)  # the largest a drawing may be on an A4 page with its caption


def palette(site: Path) -> dict[str, str]:
    """Custom properties of the site's stylesheet, first (light-scheme) declaration of each."""
    css = site / "assets" / "site.css"
    values = dict(MATERIAL_DEFAULTS)
    for name, value in CUSTOM_PROPERTY.findall(css.read_text(encoding="utf-8") if css.exists() else ""):
        values.setdefault(name, value.strip())
    return values


def resolve_vars(text: str, values: dict[str, str]) -> str:
    for _ in range(5):  # a property may refer to another
        text, count = VAR.subn(lambda m: values.get(m[1], m[2] or "currentColor"), text)
        if not count:
            break
    return text


def size_drawings(article) -> None:
    """Give each inline SVG a printed size from its viewBox, fitting the page's text block."""
    for svg in article.iter("svg"):
        box = (svg.get("viewbox") or svg.get("viewBox") or "").split()
        if len(box) != 4 or svg.get("width"):
            continue
        width, height = float(box[2]), float(box[3])
        if width <= 0 or height <= 0:
            continue
        scale = min(FIGURE_BOX_MM[0] / width, FIGURE_BOX_MM[1] / height)
        svg.set("style", f"width: {width * scale:.1f}mm; height: {height * scale:.1f}mm")


def page_address(url: str, href: str) -> tuple[str, str] | None:
    """A relative link of page ``url`` as (site path, fragment), or None if it leaves the site."""
    if href.startswith(("http:", "https:", "mailto:", "data:", "javascript:")):
        return None
    parts = urlsplit(urljoin("http://site.invalid/" + url, href))
    path = parts.path.lstrip("/")
    if path.endswith("index.html"):
        path = path[: -len("index.html")]
    return path, parts.fragment


def rewire(article, url: str, pages: set[str], site: Path, site_url: str) -> None:
    """Give every id the page's prefix and point every internal link at its place in the PDF."""
    own = slug(url)
    ids = {el.get("id") for el in article.iter() if isinstance(el.tag, str) and el.get("id")}
    drawn = {el for svg in article.iter("svg") for el in svg.iter()}  # keeps its url(#id) references
    for el in article.iter():
        if not isinstance(el.tag, str) or el in drawn:
            continue
        if el.get("id"):
            el.set("id", f"{own}--{el.get('id')}")
        if el.tag == "img" and el.get("src"):
            where = page_address(url, el.get("src"))
            if where:
                el.set("src", (site / where[0]).resolve().as_uri())
        href = el.get("href") if el.tag == "a" else None
        if href is None:
            continue
        if href.startswith(site_url) and site_url:
            href = "/" + href[len(site_url):]
            href = "../" * url.count("/") + href.lstrip("/") if url else href.lstrip("/")
        if href.startswith("#"):
            el.set("href", f"#{own}--{href[1:]}" if href[1:] in ids else f"#{own}")
            continue
        where = page_address(url, href)
        if where is None:
            continue
        path, fragment = where
        if path in pages:
            el.set("href", f"#{slug(path)}--{fragment}" if fragment else f"#{slug(path)}")
        else:
            el.set("href", urljoin(site_url, path) + (f"#{fragment}" if fragment else ""))


def title_page(ed: Edition) -> str:
    when = human_date(ed.date)
    return f"""<section class="title-page">
<h1>{html.escape(ed.title)}</h1>
<p class="edition">PDF edition of {when}<br>Version {html.escape(ed.version)}</p>
<p>{html.escape(ed.author)}</p>
<p>Text and data under the <a href="{html.escape(ed.license_url)}">{html.escape(ed.license_name)}</a> licence;
the living version is at <a href="{html.escape(ed.home)}">{html.escape(ed.home)}</a>.</p>
<div class="howto"><p><strong>How to cite this edition</strong></p>
<p>{html.escape(ed.author)}. {ed.date.year}. <em>{html.escape(ed.title)}</em>. PDF edition of {when},
version {html.escape(ed.version)}. {html.escape(ed.url)}.</p></div>
</section>"""


def contents(titles: list[tuple[str, str]]) -> str:
    items = "".join(f'<li><a href="#{slug(url)}">{html.escape(title)}</a></li>' for url, title in titles)
    return f'<section class="contents"><h1>Contents</h1><ol>{items}</ol></section>'


def combined_html(site: Path, ed: Edition) -> str:
    """One HTML document: title page, contents, then every page of the site."""
    urls = page_urls(site)
    sections, titles = [], []
    values = palette(site)
    for url in urls:
        article = cleaned_article(site, url)
        rewire(article, url, set(urls), site, ed.site_url)
        size_drawings(article)
        h1 = article.find(".//h1")
        titles.append((url, h1.text_content().strip() if h1 is not None else url))
        if h1 is not None:
            h1.set("id", slug(url))
        article.tag = "section"
        article.attrib.clear()
        article.set("class", "pdf-page")
        if h1 is None:
            article.set("id", slug(url))
        sections.append(resolve_vars(etree.tostring(article, encoding="unicode", method="html"), values))
    meta = {"author": ed.author, "description": f"PDF edition of {human_date(ed.date)}, version {ed.version}",
            "dcterms.created": ed.date.isoformat(), "dcterms.modified": ed.date.isoformat(),
            "generator": "WeasyPrint", "license": f"{ed.license_name} ({ed.license_url})",
            "keywords": "Russia, Iran, treaty, comprehensive strategic partnership"}
    heads = "".join(f'<meta name="{k}" content="{html.escape(v)}">' for k, v in meta.items())
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(ed.title)}</title>'
            f'{heads}<style>{CSS}</style></head><body data-site="{html.escape(ed.title)}">'
            f"{title_page(ed)}{contents(titles)}{''.join(sections)}</body></html>")


def edition_of(site: Path, day: dt.date, version: str | None, pdf_url: str | None, home: str | None = None) -> Edition:
    """The facts of a built site, with the date, version and addresses of this copy."""
    facts = head_facts(site)
    site_url = facts["site_url"] or ""
    return Edition(title=facts["title"], author=facts["author"], date=day, version=version or facts["version"],
                   license_url=facts["license_url"], license_name=license_name(facts["license_url"]),
                   url=pdf_url or urljoin(site_url, PDF_NAME), site_url=site_url, home=home or site_url)


def missing_fonts() -> list[str]:
    """The chosen families that fontconfig cannot find (WeasyPrint would silently fall back)."""
    import shutil
    import subprocess

    if shutil.which("fc-list") is None:
        return []
    installed = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True).stdout
    wanted = {"Charis SIL": "fonts-sil-charis", "Noto Sans": "fonts-noto-core", "Noto Naskh Arabic": "fonts-noto-core"}
    return [f"{family} (apt-get install {package})" for family, package in wanted.items() if family not in installed]


def write_pdf(site: Path, out: Path, ed: Edition) -> Path:
    """Render the site into one PDF at ``out`` (WeasyPrint, fonts embedded, text selectable)."""
    import weasyprint  # imported here: the site build does not need it

    for font in missing_fonts():
        print(f"pdf: warning: font not installed, the PDF falls back to another: {font}", file=sys.stderr)
    document = combined_html(site, ed)
    out.parent.mkdir(parents=True, exist_ok=True)
    # Tagged (PDF/UA-1): headings, paragraphs, lists, tables and figures are marked up for screen
    # readers and reflow, with the document's language and title.
    weasyprint.HTML(string=document, base_url=str(site.resolve()) + "/").write_pdf(
        str(out), custom_metadata=True, pdf_variant="pdf/ua-1", pdf_tags=True)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", default="site", help="the built site to print")
    parser.add_argument("--out", default="", help=f"where to write the PDF (default SITE/{PDF_NAME})")
    parser.add_argument("--date", default="", help="edition date, YYYY-MM-DD (default: today, UTC)")
    parser.add_argument("--version", default="", help="version on the title page (default: the site's)")
    parser.add_argument("--url", default="", help="the PDF's permanent address (default: SITE_URL + name)")
    args = parser.parse_args(argv)
    site = Path(args.site)
    if not (site / "index.html").exists():
        print(f"{site}: no built site here; run `make build` first", file=sys.stderr)
        return 1
    day = dt.date.fromisoformat(args.date) if args.date else dt.datetime.now(dt.UTC).date()
    out = Path(args.out) if args.out else site / PDF_NAME
    try:
        edition = edition_of(site, day, args.version or None, args.url or None)
    except MissingMetadata as exc:
        print(exc, file=sys.stderr)
        return 1
    write_pdf(site, out, edition)
    print(f"pdf: wrote {out} ({out.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
