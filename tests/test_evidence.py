"""Evidence (issue 24): passages of cited works in evidence/*.yml, checked by the engine and shown
under each work of a page's reference list, counted on the bibliography page.

Each contributor mistake in an evidence file fails `mdcite check` and `mdcite build` alike, with
one located line (the pattern of test_check.py). The fixture project carries two real passages
of the treaty, copied from the republications named in their `copy` fields.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import lxml.html
import pytest

from tests.helpers import copy_project, mdcite, render_page
from tests.test_check import assert_both_report, check

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "project"
GOOD = "- key: treaty-2025\n  section: art-1\n  read: 2026-12-05\n  passage: The Contracting Parties…\n"


def write_evidence(project: Path, name: str, text: str) -> None:
    path = project / "evidence" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# -- each mistake: one located error from check and build alike ------------------------------------

def test_passage_for_a_work_not_in_the_bibliography_fails_check_and_build(project):
    write_evidence(project, "articles.yml", GOOD.replace("treaty-2025", "treaty-2052"))
    assert_both_report(project, "evidence/articles.yml:1:8: error: unknown key 'treaty-2052' (did you mean "
                                "'treaty-2025'?); a passage quotes a work of references.bib that the section cites")


def test_passage_for_a_section_the_page_does_not_have_fails_check_and_build(project):
    write_evidence(project, "articles.yml", GOOD.replace("art-1", "art-11"))
    assert_both_report(project, "evidence/articles.yml:2:12: error: docs/articles.md has no section 'art-11' "
                                "(did you mean 'art-1'?); use a heading's id or top")


def test_passage_for_a_work_the_section_does_not_cite_fails_check_and_build(project):
    write_evidence(project, "articles.yml", GOOD.replace("art-1", "art-3"))
    assert_both_report(project, "evidence/articles.yml:2:12: error: section 'art-3' of docs/articles.md does not "
                                "cite 'treaty-2025'; it cites report-2023")


def test_passage_for_a_work_the_top_of_the_page_does_not_cite_fails_check_and_build(project):
    write_evidence(project, "index.yml", GOOD.replace("art-1", "top").replace("treaty-2025", "undated"))
    assert_both_report(project, "evidence/index.yml:2:12: error: the top of the page of docs/index.md does not "
                                "cite 'undated'; it cites org-2025, pezeshkian-2024, tass-2025-council, "
                                "tass-2025-duma, treaty-2025")


def test_passage_without_text_fails_check_and_build(project):
    write_evidence(project, "articles.yml", GOOD.replace("passage: The Contracting Parties…", "passage:"))
    assert_both_report(project, "evidence/articles.yml:4:11: error: passage has no passage text; copy the "
                                "source's own words as passage: |-")


def test_passage_without_a_read_date_fails_check_and_build(project):
    write_evidence(project, "articles.yml", GOOD.replace("  read: 2026-12-05\n", ""))
    assert_both_report(project, "evidence/articles.yml:1:3: error: passage has no read date; give the date the "
                                "copy was read as read: YYYY-MM-DD")


def test_passage_with_a_malformed_read_date_fails_check_and_build(project):
    write_evidence(project, "articles.yml", GOOD.replace("2026-12-05", "2026-13-05"))
    assert_both_report(project, "evidence/articles.yml:3:9: error: read date '2026-13-05' is not a date; write it "
                                "as YYYY-MM-DD")


def test_non_english_passage_without_a_translation_fails_check_and_build(project):
    write_evidence(project, "articles.yml", GOOD + "  lang: ru\n")
    assert_both_report(project, "evidence/articles.yml:1:3: error: passage in 'ru' has no translation; add the "
                                "editors' English translation as translation: |-")


def test_translated_passage_without_its_language_fails_check_and_build(project):
    write_evidence(project, "articles.yml", GOOD + "  translation: The Contracting Parties…\n")
    assert_both_report(project, "evidence/articles.yml:5:16: error: passage is taken as English (lang 'en') but "
                                "has a translation; give the passage's own language as lang: ru, fa, ar…")


def test_read_date_in_the_future_fails_check_and_build(project):
    write_evidence(project, "articles.yml", GOOD.replace("2026-12-05", "2062-12-05"))
    assert_both_report(project, "evidence/articles.yml:3:9: error: read date 2062-12-05 is in the future; give "
                                "the day the copy was read")


def test_the_same_passage_twice_fails_check_and_build(project):
    write_evidence(project, "articles.yml", GOOD + GOOD)
    assert_both_report(project, "evidence/articles.yml:5:3: error: duplicate passage: the same passage of "
                                "'treaty-2025' for section 'art-1' is already at line 1; remove one")


def test_malformed_yaml_fails_check_and_build(project):
    write_evidence(project, "articles.yml", GOOD.replace("section: art-1", "section: [art-1"))
    assert_both_report(project, "evidence/articles.yml:3:7: error: malformed YAML: while parsing a flow sequence "
                                "expected ',' or ']', but got ':'")


def test_unknown_field_fails_check_and_build(project):
    write_evidence(project, "articles.yml", GOOD + "  quote: The Contracting Parties…\n")
    assert_both_report(project, "evidence/articles.yml:5:3: error: unknown field 'quote'; a passage has the "
                                "fields key, section, read, passage, lang, locator, copy, translation")


def test_evidence_file_for_a_page_that_does_not_exist_fails_check_and_build(project):
    write_evidence(project, "articels.yml", GOOD)
    assert_both_report(project, "evidence/articels.yml:1:1: error: evidence file for docs page 'articels.md', "
                                "which does not exist (did you mean 'articles.yml'?); an evidence file mirrors "
                                "its page's path")


def test_evidence_file_that_is_not_a_list_fails_check_and_build(project):
    write_evidence(project, "articles.yml", GOOD.replace("- key", "key").replace("\n  ", "\n"))
    assert_both_report(project, "evidence/articles.yml:1:1: error: an evidence file is a list of passages, each "
                                "item starting with '- key:'")


def test_malformed_language_tag_fails_check_and_build(project):
    write_evidence(project, "articles.yml", GOOD + "  lang: Russian language\n  translation: T.\n")
    assert_both_report(project, "evidence/articles.yml:5:9: error: lang 'Russian language' is not a language "
                                "tag; use a BCP 47 tag such as en, ru, fa, ar or hr")


def test_copy_that_is_not_a_web_address_fails_check_and_build(project):
    write_evidence(project, "articles.yml", GOOD + "  copy: javascript:alert(1)\n")
    assert_both_report(project, "evidence/articles.yml:5:9: error: copy must be a plain http:// or https:// "
                                "address, not 'javascript:alert(1)'")


def test_a_project_without_an_evidence_folder_checks_clean(project):
    import shutil

    shutil.rmtree(project / "evidence")
    done = check(project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "evidence: 0 of 12 (section, work) pairs carry a passage (0%)" in done.stdout


# -- what mdcite check reports -----------------------------------------------------------------------

def test_check_reports_the_share_of_pairs_with_a_passage_in_one_line(project):
    done = check(project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == ("evidence: 2 of 12 (section, work) pairs carry a passage (17%); "
                                            "--evidence shows each page")


def test_check_with_evidence_shows_the_share_page_by_page(project):
    lines = check(project, "--evidence").stdout.splitlines()
    assert lines[-5:] == [
        "page                  pairs  quoted  share",
        "docs/articles.md          4       2    50%",
        "docs/deep/er/page.md      2       0     0%",
        "docs/index.md             6       0     0%",
        "total                    12       2    17%",
    ]


def test_evidence_missing_lists_a_pages_pairs_without_a_passage_with_their_lines(project):
    done = check(project, "--evidence-missing", "docs/articles.md")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-4:] == [
        "docs/articles.md: 2 of 4 (section, work) pairs without a passage (write them in evidence/articles.yml)",
        " line  section  key",
        "   19  art-2    treaty-2025",
        "   23  art-3    report-2023",
    ]


def test_evidence_missing_for_an_unknown_page_names_the_nearest(project):
    done = check(project, "--evidence-missing", "docs/article.md")
    assert done.returncode == 2
    assert "mdcite check: no page 'docs/article.md' (did you mean 'docs/articles.md'?)" in done.stderr


# -- what readers get ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory) -> Path:
    """The fixture project, built once by `mdcite build` (MkDocs)."""
    project = copy_project(FIXTURE, tmp_path_factory.mktemp("evidence") / "project")
    done = mdcite(project, "build")
    assert done.returncode == 0, done.stdout + done.stderr
    return project / "site"


def passages(site: Path) -> list:
    return lxml.html.parse(str(site / "articles" / "index.html")).getroot().cssselect(".evidence")


def test_each_passage_is_a_blockquote_naming_its_work_section_language_and_source(fixture_site):
    found = [(q.tag, q.get("data-key"), q.get("data-section"), q.get("lang"), q.get("dir"), q.get("cite"))
             for q in passages(fixture_site)]
    assert found == [("blockquote", "treaty-2025", "art-preamble", "en", "auto", "http://kremlin.ru/supplement/6225"),
                     ("blockquote", "treaty-2025", "art-1", "hr", "auto", "http://kremlin.ru/supplement/6225")]


def test_passages_sit_under_their_work_in_the_page_reference_list(fixture_site):
    doc = lxml.html.parse(str(fixture_site / "articles" / "index.html")).getroot()
    assert [q.getparent().getparent().getparent().get("id") for q in doc.cssselect(".evidence")] == \
        ["ref-treaty-2025", "ref-treaty-2025"]
    assert doc.cssselect("section.references")[0].get("data-sections") == \
        "sec-articles-by-theme art-preamble art-1 art-2 art-3"


def test_a_translated_passage_is_followed_by_the_editors_translation(fixture_site):
    item = passages(fixture_site)[1].getparent()
    translation = item.cssselect(".evidence-translation")[0]
    assert translation.get("lang") == "en"
    label, first = translation.cssselect("p")
    assert label.text_content() == "The editors’ translation:"
    assert first.text_content().startswith("The Contracting Parties strive to deepen and broaden relations")


def test_a_passage_says_where_it_applies_its_locator_and_when_it_was_read(fixture_site):
    where = passages(fixture_site)[1].getparent().cssselect(".evidence-where")[0]
    assert " ".join(where.text_content().split()) == \
        "Supports Article 1: Purpose · Članak 1 · read on 5 December 2026 in this copy"
    assert where.cssselect("a")[0].get("href") == "#art-1"


def test_a_long_passage_starts_collapsed_and_a_short_one_open(fixture_site):
    long_one, short_one = (q.getparent() for q in passages(fixture_site))
    assert long_one.tag == "details" and long_one.get("open") is None
    assert short_one.tag == "div"


def test_the_bibliography_says_how_many_passages_each_work_has(fixture_site):
    doc = lxml.html.parse(str(fixture_site / "references" / "index.html")).getroot()
    counts = {li.get("id"): li.cssselect(".evidence-count")[0].text_content() for li in doc.cssselect("li.reference")}
    assert counts["ref-treaty-2025"] == "2 passages quoted on this site."
    assert counts["ref-report-2023"] == "No passage quoted on this site yet."
    assert not doc.cssselect(".evidence")  # the passages themselves are on the citing pages


def test_passages_are_kept_out_of_the_search_index(fixture_site):
    index = (fixture_site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "Ugovorne strane" not in index


def assert_check_agrees_with_the_built_pages(project: Path, site: Path) -> None:
    """The share `mdcite check --evidence` prints, page by page and in total, is the number of
    distinct (section, work) pairs that readers find a passage for on each built page."""
    from mdcite.cli import load_index

    table = check(project, "--evidence").stdout.splitlines()
    start = next(n for n, row in enumerate(table) if row.startswith("page "))
    reported = {row.split()[0]: int(row.split()[2]) for row in table[start + 1:]}
    built: Counter = Counter()
    for page in load_index(project).pages.values():
        html = site / page.url / "index.html"
        doc = lxml.html.parse(str(html)).getroot()
        built[page.shown] = len({(q.get("data-section"), q.get("data-key")) for q in doc.cssselect(".evidence")})
    assert reported.pop("total") == sum(built.values())
    assert reported == {page: built[page] for page in reported}
    assert not +built - Counter({page: built[page] for page in reported})  # no passage on an unlisted page


def test_the_totals_of_check_agree_with_the_passages_in_the_built_pages(fixture_site):
    assert_check_agrees_with_the_built_pages(fixture_site.parent, fixture_site)


@pytest.mark.slow
def test_the_real_sites_evidence_totals_agree_with_its_built_pages(built_site):
    from tests.site_pages import ROOT

    assert_check_agrees_with_the_built_pages(ROOT, built_site)


def test_the_pdf_edition_prints_every_passage_open(fixture_site):
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
    import pdf

    article = pdf.cleaned_article(fixture_site, "articles/")
    assert len(article.cssselect("blockquote.evidence")) == 2
    assert not article.cssselect("details")


# -- rendering details, on one page rendered by Python-Markdown ------------------------------------------

def rendered(project: Path, text: str, page: str = "articles.md") -> str:
    write_evidence(project, page[:-3] + ".yml", text)
    return render_page(project, page)


def test_passage_text_is_escaped(project):
    html = rendered(project, GOOD.replace("The Contracting Parties…", "'<script>alert(1)</script>'"))
    assert "<script>" not in html
    assert "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p></blockquote>" in html


def test_a_persian_passage_is_written_right_to_left(project):
    html = rendered(project, GOOD + "  lang: fa\n  translation: The Contracting Parties…\n")
    assert re.search(r'<blockquote class="evidence" data-key="treaty-2025" data-section="art-1" lang="fa" '
                     r'dir="rtl" cite="http://kremlin.ru/supplement/6225">', html)


def test_a_blank_line_separates_paragraphs_and_a_line_break_is_a_space(project):
    html = rendered(project, GOOD.replace("passage: The Contracting Parties…",
                                          "passage: |-\n    One\n    line.\n\n    Two."))
    assert "<p>One line.</p><p>Two.</p></blockquote>" in html


def test_a_passage_of_the_top_of_a_page_says_so(project):
    html = rendered(project, GOOD.replace("art-1", "top"), "index.md")
    assert '<span class="evidence-for">Supports the opening of the page</span>' in html
    assert 'data-section="top"' in html


def test_a_page_without_passages_has_no_section_list(project):
    html = render_page(project, "deep/er/page.md")
    assert "data-sections" not in html and "evidence" not in html


@pytest.mark.slow
def test_zensical_builds_the_same_passages_as_mkdocs(fixture_site, tmp_path):
    import importlib.util

    if importlib.util.find_spec("zensical") is None:
        pytest.skip("zensical is not installed")
    project = copy_project(FIXTURE, tmp_path / "project")
    done = mdcite(project, "build", "--generator", "zensical")
    assert done.returncode == 0, done.stdout + done.stderr

    def facts(site: Path) -> list:
        doc = lxml.html.parse(str(site / "articles" / "index.html")).getroot()
        return [(lxml.html.tostring(q, encoding="unicode"), q.getparent().get("data-section"))
                for q in doc.cssselect(".evidence")]

    assert facts(project / "site") == facts(fixture_site)
    assert len(facts(fixture_site)) == 2


def test_with_list_in_comment_the_bibliographys_counts_stay_out_of_the_search_index(project):
    import markdown

    from clausemap.extension import ClauseMapExtension
    from mdcite.extension import LIST_CLOSE, LIST_OPEN, CitationsExtension

    text = (project / "docs" / "references.md").read_text(encoding="utf-8")
    md = markdown.Markdown(extensions=["toc", "attr_list", CitationsExtension(
        root=str(project), list_in_comment=True), ClauseMapExtension(article_count=3)])
    html = md.convert(text)
    assert (f'{LIST_OPEN} <span class="evidence-count" data-count="2">2 passages quoted on this site.</span>'
            f'{LIST_CLOSE}') in html


def test_the_fast_yaml_reader_gives_the_same_positions_as_pyyamls_own_on_every_evidence_file():
    """Evidence files are read by libyaml where PyYAML has it; the passages and the lines and
    columns of located errors must be what PyYAML's own loader gives."""
    import yaml

    from mdcite import evidence as evidence_module

    def shape(node):
        where = (node.tag, node.start_mark.line, node.start_mark.column, node.end_mark.line, node.end_mark.column)
        if isinstance(node, yaml.ScalarNode):
            return (*where, node.value)
        if isinstance(node, yaml.SequenceNode):
            return (*where, [shape(n) for n in node.value])
        return (*where, [(shape(k), shape(v)) for k, v in node.value])

    files = sorted((Path(__file__).resolve().parent.parent / "evidence").rglob("*.yml"))
    assert files and evidence_module.FAST_LOADER is not None
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert shape(evidence_module.compose(text)) == shape(yaml.compose(text, Loader=yaml.SafeLoader)), path
