"""Citable: metadata that Zotero and Google Scholar read, cite blocks, and exports that parse."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import bibtexparser
import extruct
import pytest
import rispy
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from pybtex.database import parse_string

from tests.site_pages import ROOT, html_pages, parse

pytestmark = pytest.mark.slow
VERSION = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M).group(1)


def content_pages(site):
    return [p for p in html_pages(site) if p.parent != site / "search"]


def meta_of(path):
    data = extruct.extract(path.read_text(encoding="utf-8"), syntaxes=["json-ld"], uniform=True)
    doc = parse(path)
    tags = {}
    for m in doc.xpath("//head/meta[@name]"):
        tags.setdefault(m.get("name"), []).append(m.get("content"))
    return tags, data["json-ld"]


def test_every_page_has_highwire_citation_tags(built_site):
    for path in content_pages(built_site):
        tags, _ = meta_of(path)
        for name in ("citation_title", "citation_author", "citation_publication_date",
                     "citation_online_date", "citation_public_url", "citation_publisher",
                     "citation_language"):
            assert tags.get(name) and tags[name][0].strip(), (path, name)
        assert re.fullmatch(r"\d{4}/\d{2}/\d{2}", tags["citation_publication_date"][0])
        assert tags["citation_public_url"][0].startswith("https://")
        assert tags["citation_language"] == ["en"]


def test_every_page_has_schema_org_article_part_of_the_site(built_site):
    for path in content_pages(built_site):
        _, jsonld = meta_of(path)
        articles = [d for d in jsonld if d.get("@type") == "Article"]
        assert len(articles) == 1, path
        art = articles[0]
        assert art["headline"] and art["author"]["name"] and art["dateModified"]
        assert art["isPartOf"]["@type"] == "WebSite"
        assert art["version"] == VERSION


def test_page_title_in_metadata_matches_the_heading(built_site):
    tags, _ = meta_of(built_site / "themes" / "energy" / "index.html")
    heading = parse(built_site / "themes" / "energy" / "index.html").cssselect("article h1")[0]
    assert tags["citation_title"][0] == heading.text_content().replace("¶", "").strip()


def cite_block(path):
    """The page's "Cite this page" block (its living formats come first; the template of an
    edition's formats follows them)."""
    return parse(path).cssselect("details#cite-this-page")[0]


def test_every_page_shows_a_cite_block_in_five_formats(built_site):
    for path in content_pages(built_site):
        living = cite_block(path).cssselect("dl.cite-formats")[0]
        formats = [el.get("data-format") for el in living.cssselect(".cite-text")]
        assert formats == ["chicago", "apa", "bibtex", "ris", "csl"], path


def test_cite_block_bibtex_parses_with_pybtex_and_bibtexparser(built_site):
    block = cite_block(built_site / "treaty" / "articles" / "index.html")
    text = block.cssselect('[data-format="bibtex"]')[0].text_content()
    entry = next(iter(parse_string(text, "bibtex").entries.values()))
    assert entry.type == "online"
    assert entry.fields["url"].endswith("/treaty/articles/")
    library = bibtexparser.parse_string(text)
    assert len(library.entries) == 1 and not library.failed_blocks


def test_cite_block_ris_parses_with_rispy(built_site):
    block = cite_block(built_site / "themes" / "energy" / "index.html")
    records = rispy.loads(block.cssselect('[data-format="ris"]')[0].text_content())
    assert records[0]["type_of_reference"] == "ELEC"
    assert records[0]["title"] == "Energy"


def test_cite_block_names_the_editors_version_and_page_url(built_site):
    text = cite_block(built_site / "themes" / "energy" / "index.html").text_content()
    assert "The editors of the Russia–Iran Treaty Reference" in text
    assert f"version {VERSION}" in text
    assert "/themes/energy/" in text


def test_footer_shows_the_version_and_build_date(built_site):
    footer = parse(built_site / "index.html").cssselect(".site-version")[0]
    assert footer.cssselect(".site-version__number")[0].text == VERSION
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", footer.cssselect("time")[0].get("datetime"))


def test_versions_agree_across_project_files():
    cff = (ROOT / "CITATION.cff").read_text()
    mk = (ROOT / "mkdocs.yml").read_text()
    assert f"version: {VERSION}" in cff
    assert f"version: {VERSION}" in mk
    assert VERSION in (ROOT / "docs" / "about" / "changelog.md").read_text()


def test_site_root_exports_parse_with_real_readers(built_site):
    bib = (built_site / "references.bib").read_text(encoding="utf-8")
    library = bibtexparser.parse_string(bib)
    assert not library.failed_blocks
    keys = {e.key for e in library.entries}
    records = rispy.loads((built_site / "references.ris").read_text(encoding="utf-8"))
    items = json.loads((built_site / "references.json").read_text(encoding="utf-8"))
    assert len(keys) == len(records) == len(items) > 200
    assert {r["id"] for r in records} == keys == {i["id"] for i in items}


def test_csl_json_renders_with_citeproc(built_site):
    items = json.loads((built_site / "references.json").read_text(encoding="utf-8"))
    source = CiteProcJSON(items)
    style = CitationStylesStyle("harvard-cite-them-right", validate=False)
    bibliography = CitationStylesBibliography(style, source, formatter.plain)
    bibliography.register(Citation([CitationItem(i["id"]) for i in items[:25]]))
    rendered = [str(entry) for entry in bibliography.bibliography()]
    assert len(rendered) == 25 and all(len(r) > 20 for r in rendered)


def test_bibliography_entries_carry_coins(built_site):
    entries = parse(built_site / "references" / "index.html").cssselect(".bibliography li.reference")
    assert len(entries) == len(parse_string((ROOT / "references.bib").read_text(encoding="utf-8"),
                                            "bibtex").entries)
    for li in entries:
        coins = li.cssselect("span.Z3988")[0].get("title")
        assert coins.startswith("ctx_ver=Z39.88-2004&rft_val_fmt=info%3Aofi%2Ffmt%3Akev%3Amtx%3A")
        assert "rft.title=" in coins or "rft.atitle=" in coins or "rft.btitle=" in coins


def test_a_page_that_cites_works_offers_zotero_the_page_not_the_works(built_site):
    # Zotero's COinS reader outranks its embedded-metadata reader, so COinS in a page's reference
    # list would make "save" take the cited works instead of the page the reader is on.
    doc = parse(built_site / "themes" / "energy" / "index.html")
    assert doc.cssselect("section.references li.reference")
    assert not doc.cssselect("span.Z3988")


def test_citation_cff_validates():
    exe = ROOT / ".venv" / "bin" / "cffconvert"
    exe = exe if exe.exists() else Path(sys.executable).parent / "cffconvert"
    done = subprocess.run([str(exe), "--validate", "-i", str(ROOT / "CITATION.cff")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "valid according to schema version 1.2.0" in done.stdout


def test_citation_cff_rejects_a_broken_file(tmp_path):
    bad = tmp_path / "CITATION.cff"
    bad.write_text("cff-version: 1.2.0\ntitle: x\n")  # no message, no authors
    exe = Path(sys.executable).parent / "cffconvert"
    done = subprocess.run([str(exe), "--validate", "-i", str(bad)], capture_output=True, text=True)
    assert done.returncode != 0
