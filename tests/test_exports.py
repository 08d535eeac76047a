"""The downloads at the site root are what they claim: references.bib, .ris and .json say what the
source references.bib says, for every entry of the real file, read back by real parsers.

The BibTeX export is the source's values as written (they are LaTeX already; url is verbatim), so
reading it back gives the source's fields; RIS and CSL-JSON carry the plain text the site shows.
"""

from __future__ import annotations

import codecs
import json
import re
from urllib.parse import parse_qsl, quote, urlencode

import bibtexparser
import latexcodec  # noqa: F401  (registers the "ulatex" codec that pybtex decodes with)
import pytest
import rispy

from mdcite import bibliography, export
from tests.site_pages import ROOT, parse

pytestmark = pytest.mark.slow
VERBATIM = ("url", "doi", "eprint", "file")  # fields BibTeX tools read verbatim, never as LaTeX
UNESCAPED_SPECIAL = re.compile(r"(?<!\\)[$%&#]")  # math, a comment, a table column, a macro parameter


@pytest.fixture(scope="module")
def source() -> bibliography.Bibliography:
    return bibliography.parse((ROOT / "references.bib").read_text(encoding="utf-8"), "references.bib")


@pytest.fixture(scope="module")
def exported(built_site) -> str:
    return (built_site / "references.bib").read_text(encoding="utf-8")


def fields_by_key(text: str) -> dict[str, dict[str, str]]:
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks, [b.error for b in library.failed_blocks]
    return {entry.key: {f.key: f.value for f in entry.fields} for entry in library.entries}


def test_exported_bibtex_reads_back_with_our_parser_to_the_sources_fields(source, exported):
    again = bibliography.parse(exported, "references.bib (exported)")
    assert list(again.references) != [] and set(again.references) == set(source.references)
    for key, ref in source.references.items():
        assert again[key].source == ref.source, key
        assert again[key].fields == ref.fields, key


def test_exported_bibtex_reads_back_with_bibtexparser_to_the_sources_fields(exported):
    written = fields_by_key((ROOT / "references.bib").read_text(encoding="utf-8"))
    assert len(written) > 200
    assert fields_by_key(exported) == written


def test_exported_bibtex_escapes_nothing_twice_and_keeps_urls_verbatim(source, exported):
    read = fields_by_key(exported)
    for key, ref in source.references.items():
        for name, value in read[key].items():
            if name.lower() in VERBATIM:
                assert value == ref.source[name] and "\\" not in value, (key, name, value)
            else:
                assert "\\\\" not in value, (key, name, value)
                assert not UNESCAPED_SPECIAL.search(value), (key, name, value)


def test_exported_titles_decode_with_latexcodec_to_the_titles_the_site_shows(built_site, exported):
    shown = {li.get("id")[4:]: " ".join(li.text_content().split())
             for li in parse(built_site / "references" / "index.html").cssselect(".bibliography li.reference")}
    read = fields_by_key(exported)
    assert set(read) == set(shown)
    for key, fields in read.items():
        # latexcodec decodes every escape of the file but "\$", which it leaves as it is (it does not
        # read math); that one is decoded here.
        title = codecs.decode(fields["title"], "ulatex").replace("\\$", "$")
        assert " ".join(title.split()) in shown[key], (key, title)


def test_ris_export_reads_back_with_rispy_to_the_sites_plain_values(built_site, source):
    records = {r["id"]: r for r in rispy.loads((built_site / "references.ris").read_text(encoding="utf-8"))}
    assert set(records) == set(source.references)
    for key, ref in source.references.items():
        record, plain = records[key], ref.fields
        assert record["title"] == plain["title"], key
        assert record.get("urls") == ([plain["url"]] if "url" in plain else None), key
        assert record.get("notes") == ([plain["note"]] if "note" in plain else None), key
        assert record.get("secondary_title") == plain.get("organization"), key
        assert record.get("language") == plain.get("langid"), key
        assert record["authors"] == [person(p) for p in ref.entry.persons["author"]], key


def test_csl_json_export_reads_back_to_the_sites_plain_values(built_site, source):
    items = {i["id"]: i for i in json.loads((built_site / "references.json").read_text(encoding="utf-8"))}
    assert set(items) == set(source.references)
    for key, ref in source.references.items():
        item, plain = items[key], ref.fields
        assert item["title"] == plain["title"], key
        assert item.get("URL") == plain.get("url"), key
        assert item.get("note") == plain.get("note"), key
        assert item.get("container-title") == plain.get("organization"), key
        assert item.get("language") == plain.get("langid"), key
        names = [n.get("literal") or f"{n['family']}, {n['given']}" for n in item["author"]]
        assert names == [person(p) for p in ref.entry.persons["author"]], key


def person(p) -> str:
    """A name as the site shows it in a reference list: "Last, First", or an organisation's name."""
    return bibliography.person_name(p, inverted=True)


def test_each_coins_is_the_url_encoding_of_its_pairs_that_zotero_reads(source):
    for ref in source.sorted():
        coins = export.coins(ref)
        pairs = parse_qsl(coins, keep_blank_values=True, strict_parsing=True)
        assert coins == urlencode(pairs, quote_via=quote), ref.key
        assert pairs[0] == ("ctx_ver", "Z39.88-2004"), ref.key
