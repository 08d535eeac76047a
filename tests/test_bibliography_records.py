"""The bibliography's own records of BibTeX entries, and the pybtex rules copied to fill them.

A cold load reads references.bib into plain records (``works.BibEntry``, ``works.Name``) instead of
pybtex's ``Entry`` and ``Person``, and follows a few of pybtex's rules itself so that a file
without unusual LaTeX imports no pybtex at all. Each copied rule is checked here against pybtex on
many generated inputs: split_name_list's split at " and ", Person's split of a name that is one
brace group, normalize_whitespace, and the HTML of LaTeXParser's rich text for braces.
"""

from __future__ import annotations

import random
import subprocess
import sys

import pytest
from pybtex.backends.html import Backend as HtmlBackend
from pybtex.bibtex.utils import split_name_list
from pybtex.database import Person
from pybtex.markup import LaTeXParser
from pybtex.scanner import PybtexSyntaxError
from pybtex.textutils import is_terminated, normalize_whitespace

from bench import bench
from mdcite import bibliography, bibread, style
from mdcite.works import NAME_PARTS, AnyCase, BibEntry, Name
from tests.site_pages import ROOT

SYNTHETIC = "\n".join(w.bibtex for w in bench.make_bibliography(random.Random(7), 200))
REAL = (ROOT / "references.bib").read_text(encoding="utf-8")


def as_name(person: Person) -> Name:
    return Name(*(tuple(getattr(person, part)) for part in NAME_PARTS))


def random_texts(alphabet: list[str], count: int, longest: int, seed: int) -> set[str]:
    rnd = random.Random(seed)
    return {"".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, longest))) for _ in range(count)}


def test_random_values_have_their_white_space_normalised_as_pybtex_normalises_it():
    values = random_texts(list("ab ,.\t\n\r\u00a0\u2003\u2028") + ["  ", " \n "], 20000, 12, seed=1)
    for value in values:
        assert bibread.WHITESPACE_RE.sub(" ", value.strip()) == normalize_whitespace(value), repr(value)


def test_random_name_lists_without_braces_are_split_at_each_and_as_pybtex_splits_them():
    values = random_texts(list("aAnNdD ,.x\u00e9") + [" and ", " AND ", " aNd ", "and", "  "], 20000, 12, seed=2)
    for value in values:
        value = normalize_whitespace(value)  # as the reader hands fields on
        bibread.split_names.cache_clear()
        assert bibread.split_names(value) == tuple(split_name_list(value)), repr(value)


def braced_values(seed: int) -> list[str]:
    """Random brace groups, with " and ", commas, ties, backslashes and nested braces inside."""
    alphabet = list("{}{}{} aB,~\\'.\u00e9") + [" and ", "{\\'E}", "  "]
    return sorted("{" + text + "}" for text in random_texts(alphabet, 30000, 10, seed))


def test_a_names_field_that_is_one_brace_group_is_one_name_as_pybtex_splits_it():
    values = [v for v in braced_values(seed=3) if bibread.is_one_braced_group(v)]
    assert len(values) > 3000
    for value in values:
        bibread.split_names.cache_clear()
        assert bibread.split_names(value) == tuple(split_name_list(value)), value


def test_a_name_that_is_one_brace_group_is_one_last_name_as_pybtex_splits_it():
    names = [v for v in braced_values(seed=4) if bibread.is_one_braced_group(v)]
    assert len(names) > 3000
    for name in names:
        bibread.split_person.cache_clear()
        assert bibread.split_person(name) == as_name(Person(name)) == Name(last_names=(name,)), name


def test_braces_that_close_before_the_end_are_not_one_group():
    assert [bibread.is_one_braced_group(v) for v in ("{a}", "{a {b} c}", "{a} {b}", "{a}}", "{{a}", "a{b}")] == [
        True, True, False, False, False, False]


def random_braced_text(rnd: random.Random, depth: int = 0) -> str:
    text = ""
    for _ in range(rnd.randint(0, 4)):
        if rnd.random() < 0.4 and depth < 4:
            text += "{" + random_braced_text(rnd, depth + 1) + "}"
        else:
            text += rnd.choice(["", "a", " ", "B.", "x?", "<&", "\u00e9", "!"])
    return text


def test_random_text_whose_only_latex_is_braces_renders_as_pybtex_renders_it():
    rnd = random.Random(5)
    for _ in range(10000):
        value = random_braced_text(rnd)
        rich = LaTeXParser(value).parse()
        style.from_latex.cache_clear()
        assert style.from_latex(value) == style.Rich(rich.render(HtmlBackend()), str(rich),
                                                     bool(rich) and is_terminated(rich)), value


def test_adjacent_brace_groups_merge_into_one_protected_span_as_in_pybtex():
    assert style.braced_html("{a}{b} {c{}}{{d}}") == (
        '<span class="bibtex-protected">ab</span> <span class="bibtex-protected">c'
        '<span class="bibtex-protected">d</span></span>')


@pytest.mark.parametrize("value", ["{a", "a}", "}{", "{a}}{", "{{}"])
def test_unbalanced_braces_are_left_to_pybtex_which_reports_them(value):
    assert style.braced_html(value) is None
    style.from_latex.cache_clear()
    with pytest.raises(PybtexSyntaxError):
        style.from_latex(value)


def test_a_field_is_found_in_any_case_and_its_name_kept_as_written():
    fields = AnyCase([("Title", "T"), ("url", "https://x.org")])
    assert (fields["title"], fields["TITLE"], fields["url"], fields.get("URL")) == ("T", "T", "https://x.org",
                                                                                   "https://x.org")
    assert ("tItLe" in fields, "note" in fields, fields.get("note", "-"), list(fields)) == (True, False, "-",
                                                                                            ["Title", "url"])
    with pytest.raises(KeyError):
        fields["note"]


@pytest.mark.parametrize("text", [REAL, SYNTHETIC], ids=["real references.bib", "synthetic"])
def test_pybtex_entries_become_the_records_the_fast_reader_gives(text):
    data, _ = bibliography.pybtex_read(text)
    records, _ = bibread.read(text)
    assert len(records) >= 200 and all(isinstance(r, BibEntry) for r in records.values())
    assert bibliography.from_pybtex(data) == records


def test_an_entry_with_field_names_in_capitals_is_formatted_as_with_lower_case_names():
    lower = "@book{a, author = {Doe, Jane}, title = {T}, publisher = {P}, address = {A}, year = {2020}, url = {https://x.org}}"
    upper = "@book{a, AUTHOR = {Doe, Jane}, Title = {T}, PUBLISHER = {P}, Address = {A}, YEAR = {2020}, URL = {https://x.org}}"
    expected = bibliography.parse(lower, "references.bib")["a"]
    got = bibliography.parse(upper, "references.bib")["a"]
    assert (got.html, got.text) == (expected.html, expected.text)
    assert got.html == 'Doe, Jane. 2020. <em>T</em>. A: P. <a href="https://x.org">https://x.org</a>.'


def test_a_cold_load_of_bibtex_without_unusual_latex_imports_no_pybtex(tmp_path):
    path = tmp_path / "references.bib"
    path.write_text(SYNTHETIC, encoding="utf-8")
    script = ("import sys; from pathlib import Path; from mdcite import bibliography; "
              f"bib = bibliography.load({str(path)!r}, 'references.bib', cache_root=Path({str(tmp_path)!r})); "
              "print(len(bib.references), sorted(m for m in sys.modules if m.split('.')[0] in ('pybtex', 'latexcodec')))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.split(" ", 1)[1].strip() == "[]" and int(done.stdout.split()[0]) >= 190
