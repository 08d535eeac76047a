"""The fast paths of loading references.bib give exactly what pybtex gave.

The fast reader (mdcite.bibread) against pybtex's own reader, and the string formatter
(mdcite.style) against the pybtex templates it replaced (tests/pybtex_style.py, the oracle), on
the real references.bib, on the benchmark's synthetic bibliography, and on edge cases of BibTeX.
Whatever the fast reader does not follow goes to pybtex, whose errors the located messages use.
"""

from __future__ import annotations

import random
import unicodedata

import pytest
from pybtex.backends.html import Backend as HtmlBackend
from pybtex.backends.plaintext import Backend as TextBackend
from pybtex.database import Entry, Person
from pybtex.style.template import FieldIsMissing as PybtexFieldIsMissing

from bench import bench
from mdcite import bibcache, bibliography, bibread, style
from mdcite.errors import SourceError
from tests import pybtex_style
from tests.site_pages import ROOT

# The benchmark's generator, smaller: every entry type, non-ASCII and corporate names.
SYNTHETIC = "\n".join(w.bibtex for w in bench.make_bibliography(random.Random(7), 200))
REAL = (ROOT / "references.bib").read_text(encoding="utf-8")

EDGES = {
    "braces inside a value": "@misc{a, title = {The {NATO} and {{EU}} {a {b {c}}} end}, author = {{X}}}",
    "quotes inside braces": '@misc{a, title = {He said "no" {"} twice}, author = {{X}}}',
    "braces inside quotes": '@misc{a, title = "A {"quoted"} {B}", author = "{X} and Y, Z"}',
    "concatenation and macros": """@string{pub = "Hurst"}
@STRING{Place = {Lon} # "don"}
@book{a, publisher = pub, address = PLACE # { and } # pub, month = jan, year = 2020 # "",
  title = {T}, author = {Doe, Jane}}""",
    "a macro defined inside parentheses is read by pybtex": '@string(x = "y")\n@misc{a, title = x}',
    "comments between entries": """% a comment line
Text that is not an entry.
@comment{anything, even = {unbalanced}
@misc{a, title = {T}, author = {{X}}}
@Comment{ ignored }
@preamble{ "\\newcommand{\\noop}[1]{}" # "x" }
@misc{b, title = {U}, author = {{Y}},}""",
    "entries split over lines": "@misc\n{\na\n,\ntitle\n=\n{T\n  split}\n,\nauthor =\n\"{X}\n\"\n}\n",
    "CRLF line ends": "@misc{a,\r\n  title = {T\r\n  two},\r\n  author = {Doe, Jane and {Org}},\r\n}\r\n",
    "numbers and case": "@Article{Key-1, YEAR = 2024, Volume = 12, AUTHOR = {de la Fontaine, Jr., Jean}}",
    "a field without a comma after the key": "@misc{a title = {T}}",
    "names pybtex splits": "@misc{a, author = {Ludwig van Beethoven and Smith, Jr, John and {Barnes and Noble}"
                           " and Jean-Paul Sartre and others}, editor = {A. B. Carlson}}",
    "an entry in parentheses": "@misc(a, title = {T})",
    "a value pybtex takes to a closing parenthesis": "@misc(a, title = {T)})",
    "an @ inside a value": "@misc{a, title = {me@example.org}, note = \"@x\"}",
    "an empty file": "",
    "text only": "no entries here, just % text",
    "an empty value and a lone comma": "@misc{a, title = {}, , note = \"\"}",
    "unicode whitespace": "@misc{a,\u00a0title\u2003=\u2002{T\u00a0 U}}",
}
# Inputs pybtex refuses; the fast reader must hand each one to pybtex.
REFUSED = {
    "an unclosed brace": "@misc{a, title = {T}\n@misc{b, title = {U}}",
    "an undefined macro": "@misc{a, title = nomacro}",
    "a repeated field": "@misc{a, title = {T}, Title = {U}}",
    "a repeated key in another case": "@misc{a, title = {T}}\n@misc{A, title = {U}}",
    "an unbalanced closing brace in quotes": '@misc{a, title = "T}"}',
    "a missing closing brace": "@misc{a, title = {T}",
    "braces nested too deep": "@misc{a, title = {" + "{" * 101 + "}" * 101 + "}}",
    "a name with too many commas": "@misc{a, author = {A, B, C, D}}",
    "an @ with no command": "@ {x}",
}


def pybtex_entries(text: str) -> tuple[list, dict]:
    data, source = bibliography.pybtex_read(text)
    return described(data.entries), source


def described(entries) -> list:
    """Each entry (pybtex's Entry or the fast reader's record) as comparable values: key, types,
    fields in order, persons split in order."""
    return [(key, entry.key, entry.type, entry.original_type, list(entry.fields.items()),
             [(role, [[list(getattr(p, part)) for part in bibread.NAME_PARTS] for p in people])
              for role, people in entry.persons.items()])
            for key, entry in entries.items()]


def fast_entries(text: str) -> tuple[list, dict]:
    entries, source = bibread.read(text)
    return described(entries), source


@pytest.mark.parametrize("text", [REAL, SYNTHETIC], ids=["real references.bib", "synthetic"])
def test_the_fast_reader_reads_each_corpus_as_pybtex_does(text):
    fast = fast_entries(text)
    assert len(fast[0]) >= 200
    assert fast == pybtex_entries(text)


@pytest.mark.parametrize("text", EDGES.values(), ids=EDGES.keys())
def test_the_fast_reader_reads_an_edge_case_as_pybtex_does_or_hands_it_on(text):
    expected = pybtex_entries(text)
    try:
        assert fast_entries(text) == expected
    except bibread.Unsupported:
        assert "(" in text  # only the parenthesised forms are left to pybtex


def test_the_edge_cases_mostly_take_the_fast_path():
    read = [name for name, text in EDGES.items() if not_refused(text)]
    assert len(read) == len(EDGES) - 3, set(EDGES) - set(read)


def not_refused(text: str) -> bool:
    try:
        bibread.read(text)
    except bibread.Unsupported:
        return False
    return True


@pytest.mark.parametrize("text", REFUSED.values(), ids=REFUSED.keys())
def test_the_fast_reader_hands_what_pybtex_refuses_to_pybtex(text):
    with pytest.raises(bibread.Unsupported):
        bibread.read(text)
    with pytest.raises(Exception) as caught:
        bibliography.pybtex_read(text)
    assert caught.type.__module__.startswith("pybtex")


PLAIN_NAMES = ["Doe, Jane", "Jane Doe", "Jane Q. Public", "Ludwig van Beethoven", "van Beethoven, Ludwig",
               "de la Fontaine, Jr., Jean", "Smith, Jr, John", "jean de la fontaine", "Núñez, Tomáš",
               "Ёлкин, Ayşe", "O'Neill, Maryam", "Jean-Paul Sartre", "ªb Cd", "Ⅰvan Ab", "ǅemal Bc", ", Jane",
               "Doe,", " ", "A b C d e F", "1st Baron, Lord", "Doe,\u00a0Jane\tQ."]


@pytest.mark.parametrize("name", PLAIN_NAMES)
def test_a_plain_name_is_split_as_pybtex_splits_it(name):
    person = Person(name)
    assert bibread.plain_name_parts(name) == tuple(tuple(getattr(person, p)) for p in bibread.NAME_PARTS)


def test_random_plain_names_are_split_as_pybtex_splits_them():
    alphabet = list("aBcDxYzé Éñß,,-.'1ǅªⅠ\u00a0") + ["van ", "de la ", "Jr"]
    rnd = random.Random(11)
    names = {"".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 9))) for _ in range(3000)}
    names = [n for n in names if bibread.PLAIN_NAME_RE.fullmatch(n)]
    assert len(names) > 2000
    for name in names:
        person = Person(name)
        assert bibread.plain_name_parts(name) == tuple(tuple(getattr(person, p)) for p in bibread.NAME_PARTS), name


def test_a_name_with_braces_or_three_commas_is_left_to_pybtex():
    assert not any(bibread.PLAIN_NAME_RE.fullmatch(n) for n in ("{Barnes and Noble}", r"M{\'u}ller, J", "A~B",
                                                               "A, B, C, D"))


def test_a_repeated_field_is_still_located_at_its_second_occurrence():
    with pytest.raises(SourceError) as caught:
        bibliography.parse("@online{a, author = {{A}}, title = {T},\n  title = {U}, url = {https://x.org}}",
                           "references.bib")
    assert str(caught.value) == "references.bib:2:3: error: field 'title' appears twice in entry 'a'; keep one"


def test_an_unexpected_error_in_the_fast_reader_propagates_as_a_bug(monkeypatch):
    def broken(text):
        raise ZeroDivisionError("a bug in the reader")

    monkeypatch.setattr(bibread, "read", broken)
    with pytest.raises(ZeroDivisionError):
        bibliography.parse(EDGES["numbers and case"], "references.bib")


def test_an_unexpected_error_in_pybtex_propagates_instead_of_becoming_a_located_error(monkeypatch):
    from pybtex.database.input.bibtex import Parser

    def broken(self, text):
        raise KeyError("a bug in pybtex")

    monkeypatch.setattr(Parser, "parse_string", broken)
    with pytest.raises(KeyError):
        bibliography.parse("@misc(a, title = {T})", "references.bib")


class Rendered:
    """The oracle's rich text, rendered as the engine rendered it before."""

    def __init__(self, rich):
        self.html = rich.render(HtmlBackend())
        self.text = rich.render(TextBackend())


def as_pybtex(entry) -> Entry:
    """The engine's record of an entry as the pybtex Entry the templates read."""
    persons = {role: [Person(first=" ".join(p.first_names), middle=" ".join(p.middle_names),
                             prelast=" ".join(p.prelast_names), last=" ".join(p.last_names),
                             lineage=" ".join(p.lineage_names)) for p in people]
               for role, people in entry.persons.items()}
    return Entry(entry.original_type, fields=list(entry.fields.items()), persons=persons)


def oracle_format(entry, computed):
    try:
        return Rendered(pybtex_style.format_entry(as_pybtex(entry), computed))
    except PybtexFieldIsMissing as exc:
        raise style.FieldIsMissing(exc.field_name) from None


def as_before(text: str, monkeypatch) -> dict:
    """The bibliography as pybtex read it and its templates formatted it."""
    with monkeypatch.context() as patch:
        patch.setattr(bibread, "read", lambda text: (_ for _ in ()).throw(bibread.Unsupported("oracle")))
        patch.setattr(style, "format_entry", oracle_format)
        return everything(bibliography.read(text, "references.bib"))


def everything(bib: bibliography.Bibliography) -> dict:
    return {"problems": [str(p) for p in bib.problems], "broken": bib.broken,
            "references": [(vars(r) | {"entry": bibcache.entry_to_json(r.entry)}, r.cite_label(),
                            r.cite_label(suppress_author=True)) for r in bib.sorted()]}


FORMATTING = """@online{rtl, author = {{خبرگزاری تسنیم}}, title = {متن کامل معاهده}, organization = {Tasnim},
  date = {2025-01-17}, urldate = {2025-02-01}, url = {https://example.org/a?b=1&c=2}}
@online{same-org, author = {{TASS}}, title = {Ends with a question?}, organization = {TASS}, date = {2025-04},
  url = {https://tass.com/x}, note = {In Russian}}
@article{latex, author = {M{\\"u}ller, J{\\"o}rg and Smith, Anna}, title = {The {NATO} \\& {EU}: ``Allies''---or not},
  journaltitle = {Survival}, volume = {66}, number = {}, pages = {12--30}, date = {2024-03-05},
  doi = {10.1080/00396338.2024.1}}
@article{volume-only, author = {Doe, Jane}, title = {Ends in {U.S.}}, journal = {J \\& K}, volume = {3}, year = {2019}}
@article{no-volume, author = {Doe, Jane}, title = {T}, journal = {J}, number = {4}, year = {2019}, pages = {5}}
@book{edited, editor = {Trenin, Dmitri and Kozhanov, Nikolay}, title = {Russia {and} Iran}, publisher = {Hurst},
  address = {London}, year = {2021}}
@book{book-authored, author = {Doe, Jane}, editor = {Roe, Richard}, title = {Title.}, publisher = {P}, year = {2021}}
@incollection{chapter, author = {Doe, Jane}, editor = {Roe, Richard}, title = {Chapter},
  booktitle = {الكتاب}, publisher = {P}, pages = {1--9}, year = {2020}}
@report{report, institution = {RAND}, title = {A <Report> \\& more}, type = {Research Report}, number = {RR-1},
  date = {2023-11}}
@report{report-no-type, author = {Doe, Jane}, institution = {RAND}, title = {R}, year = {2023}}
@misc{misc, author = {{Org}}, title = {M}, howpublished = {Press release}, date = {2022-05-06}}
@misc{misc-site, author = {Doe, Jane}, organization = {Site}, title = {M2}, year = {2022}}
@misc{misc-bare, author = {Doe, Jane}, title = {M3}}
@misc{twin-1, author = {Doe, Jane}, title = {A}, year = {2022}}
@misc{twin-2, author = {Doe, Jane}, title = {B}, year = {2022}}
"""


@pytest.mark.parametrize("text", [REAL, SYNTHETIC, FORMATTING], ids=["real references.bib", "synthetic", "edges"])
def test_every_entry_is_formatted_byte_for_byte_as_the_pybtex_templates_did(text, monkeypatch):
    now = everything(bibliography.read(text, "references.bib"))
    assert now["problems"] == [] and len(now["references"]) >= 15
    assert now == as_before(text, monkeypatch)


def test_the_edge_cases_of_formatting_are_all_read_and_formatted():
    bib = bibliography.parse(FORMATTING, "references.bib")
    assert bib["rtl"].html.startswith("<bdi>خبرگزاری تسنیم</bdi>. 2025. \u201c<bdi>متن کامل معاهده</bdi>.\u201d")
    assert '<span class="bibtex-protected">NATO</span> &amp;' in bib["latex"].html
    assert bib["latex"].text.endswith("66(), 12–30, 5 March 2024. https://doi.org/10.1080/00396338.2024.1.")


@pytest.mark.parametrize("value", ["193--201", "a--b", "A1--B2", "x -- y", "1--2--3", "{1}--2", "5---6", "a--"])
def test_a_value_with_latex_decodes_as_pybtex_decodes_it(value):
    rich = pybtex_style.from_latex(value)
    assert style.from_latex(value) == style.Rich(rich.render(HtmlBackend()), str(rich), str(rich).endswith((".", "?", "!")))


@pytest.mark.parametrize("value", ["{Valdai Discussion Club}", "The {NATO} and {{EU}} {a {b {c}}} end", "{a}{b}",
                                   "{} x {{}}", "{Ends.}", "Quoted ,,so`` {B}", "Why?` {X}", "Hi!`", "50% {off}"])
def test_a_value_with_braces_or_a_ligature_decodes_as_pybtex_decodes_it(value):
    from pybtex.richtext import Text

    style.from_latex.cache_clear()
    rich = Text.from_latex(value)
    assert style.from_latex(value) == style.Rich(rich.render(HtmlBackend()), str(rich), str(rich).endswith((".", "?", "!")))


def test_a_value_whose_only_latex_is_braces_is_not_sent_through_the_latex_decoder(monkeypatch):
    import codecs

    def refuse(*args):
        raise AssertionError("decoded")

    style.from_latex.cache_clear()
    monkeypatch.setattr(codecs, "decode", refuse)
    assert style.from_latex("The {NATO} {{EU}}") == style.Rich(
        'The <span class="bibtex-protected">NATO</span> <span class="bibtex-protected">'
        '<span class="bibtex-protected">EU</span></span>', "The NATO EU", False)


def test_folding_plain_ascii_takes_the_shortcut_to_the_same_sort_key():
    ascii_text = "".join(chr(c) for c in range(128))
    decomposed = unicodedata.normalize("NFKD", ascii_text)
    assert bibliography.fold(ascii_text) == "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    assert bibliography.fold("Ёлкин, Ayşe Núñez") == "елкин, ayse nunez"


def test_folding_drops_every_combining_mark_and_keeps_every_other_character():
    text = "".join(chr(c) for c in [*range(0x80, 0x2100), *range(0xfb00, 0xfe00), 0x1d400, 0x1f600])
    decomposed = unicodedata.normalize("NFKD", text)
    assert bibliography.fold(text) == "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


MISTAKES = """@online{bad-url, author = {{A}}, title = {T},
  url = {ftp://x.org}}
@online{bad-date, author = {{A}}, title = {T}, date = {2025-13},
  url = {https://x.org}}
@article{no-journal, author = {Doe, Jane}, title = {T}, year = {2020}}
@misc{latex-left, author = {{A}},
  title = {T \\unknowncommand}}
@misc{sec-reserved, author = {{A}}, title = {T}}
@misc{good, author = {{A}}, title = {T}}
@misc{good, author = {{B}}, title = {U}}
"""


def test_entries_with_mistakes_are_located_and_set_aside_as_on_the_pybtex_path(monkeypatch):
    now = everything(bibliography.read(MISTAKES, "references.bib"))
    assert len(now["problems"]) == 6 and now["broken"] == {"bad-url", "bad-date", "no-journal", "latex-left",
                                                           "sec-reserved"}
    assert now == as_before(MISTAKES, monkeypatch)
