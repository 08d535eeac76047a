"""The bibliography: loading, validation, Chicago-style author-date formatting."""

from __future__ import annotations

import pytest

from mdcite import bibliography
from mdcite.errors import SourceError
from tests.helpers import bib

ONLINE = """@online{tass-2025-duma,
  author = {{TASS}}, title = {Duma ratifies the treaty}, organization = {TASS},
  date = {2025-04-08}, url = {https://tass.com/politics/1940345},
}
"""


def test_online_entry_prints_organisation_title_date_and_url():
    ref = bib(ONLINE)["tass-2025-duma"]
    assert ref.text == ("TASS. 2025. \u201cDuma ratifies the treaty.\u201d 8 April 2025. "
                        "https://tass.com/politics/1940345.")


def test_organisation_author_is_cited_whole_in_text():
    ref = bib(ONLINE)["tass-2025-duma"]
    assert ref.cite_label() == "TASS 2025"


def test_article_entry_has_journal_volume_issue_and_pages():
    ref = bib("""@article{a, author = {Kozhanov, Nikolay}, title = {Caspian Security},
        journaltitle = {Journal of Eurasian Studies}, volume = {15}, number = {2},
        pages = {101--120}, date = {2024-05}}""")["a"]
    assert ref.text == ("Kozhanov, Nikolay. 2024. \u201cCaspian Security.\u201d "
                        "Journal of Eurasian Studies 15(2), 101\u2013120, May 2024.")


def test_book_entry_italicises_title_and_gives_place_and_publisher():
    ref = bib("""@book{b, author = {Abrahamian, Ervand}, title = {A History of Modern Iran},
        publisher = {Cambridge University Press}, address = {Cambridge}, year = {2008}}""")["b"]
    assert ref.html == ("Abrahamian, Ervand. 2008. <em>A History of Modern Iran</em>. "
                        "Cambridge: Cambridge University Press.")


def test_incollection_entry_names_book_and_editor():
    ref = bib("""@incollection{c, author = {Kozhanov, Nikolay}, title = {Russia and Iran},
        booktitle = {The Handbook of Eurasia}, editor = {Smith, Anna}, publisher = {Routledge},
        pages = {10--25}, year = {2021}}""")["c"]
    assert ref.text == ("Kozhanov, Nikolay. 2021. \u201cRussia and Iran.\u201d In The Handbook of "
                        "Eurasia, edited by Anna Smith, 10\u201325. Routledge.")


def test_report_entry_names_institution():
    ref = bib("""@report{r, author = {Grajewski, Nicole}, title = {Russia and Iran},
        institution = {Carnegie Endowment for International Peace}, date = {2023-09},
        url = {https://carnegieendowment.org/r}}""")["r"]
    assert ref.text == ("Grajewski, Nicole. 2023. Russia and Iran. Carnegie Endowment for "
                        "International Peace, September 2023. https://carnegieendowment.org/r.")


def test_misc_entry_for_a_treaty_text():
    ref = bib("""@misc{t, author = {{Government of the Russian Federation}},
        title = {Treaty on the Comprehensive Strategic Partnership}, howpublished = {Kremlin},
        date = {2025-01-17}, url = {http://kremlin.ru/supplement/6225}}""")["t"]
    assert ref.text == ("Government of the Russian Federation. 2025. Treaty on the Comprehensive "
                        "Strategic Partnership. Kremlin, 17 January 2025. http://kremlin.ru/supplement/6225.")


def test_undated_work_is_cited_as_nd():
    ref = bib("""@online{u, author = {{Caspian Observer}}, title = {Page},
        url = {https://example.org/u}}""")["u"]
    assert ref.cite_label() == "Caspian Observer n.d."
    assert ".n.d." not in ref.text and "Caspian Observer. n.d." in ref.text


def test_same_author_same_year_is_disambiguated_in_list_order():
    b = bib(ONLINE + """@online{tass-2025-council, author = {{TASS}},
        title = {Another title}, date = {2025-04-16}, url = {https://tass.com/politics/1}}""")
    assert b["tass-2025-council"].cite_label() == "TASS 2025a"  # "Another" sorts first
    assert b["tass-2025-duma"].cite_label() == "TASS 2025b"
    assert b["tass-2025-duma"].text.startswith("TASS. 2025b.")
    assert [r.key for r in b.sorted()] == ["tass-2025-council", "tass-2025-duma"]


def test_latex_escaped_persian_name_becomes_unicode():
    ref = bib("""@online{p, author = {Pezeshkiy{\\=a}n, Mas{\\'u}d}, title = {Speech},
        date = {2025}, url = {https://president.ir/}}""")["p"]
    assert ref.cite_label() == "Pezeshkiyān 2025"
    assert ref.text.startswith("Pezeshkiyān, Masúd. 2025.")


def test_utf8_transliterated_name_sorts_without_its_diacritics():
    b = bib("""@online{z, author = {Zarif, Javad}, title = {B}, date = {2020}, url = {https://a.org}}
        @online{p, author = {Pezeshkiān, Masʿud}, title = {A}, date = {2025}, url = {https://b.org}}
        @online{q, author = {Qalibaf, M.}, title = {C}, date = {2021}, url = {https://c.org}}""")
    assert [r.key for r in b.sorted()] == ["p", "q", "z"]


def test_three_authors_shorten_to_et_al_and_list_all_names():
    ref = bib("""@online{x, author = {M{\\"u}ller, J{\\"o}rg and Smith, Anna and Doe, Jane},
        title = {T}, date = {2024}, url = {https://x.org}}""")["x"]
    assert ref.cite_label() == "Müller et al. 2024"
    assert ref.text.startswith("Müller, Jörg, Anna Smith, and Jane Doe. 2024.")


def test_html_in_a_title_is_escaped_not_executed():
    ref = bib("""@online{x, author = {{A}}, title = {<script>alert(1)</script> B}, date = {2024},
        url = {https://x.org}}""")["x"]
    assert "<script>" not in ref.html and "&lt;script&gt;" in ref.html


def test_each_entry_is_formatted_once_when_loaded(monkeypatch):
    from mdcite import style

    calls = []
    original = style.format_entry
    monkeypatch.setattr(style, "format_entry", lambda e, c: calls.append(e) or original(e, c))
    bib(ONLINE)
    assert len(calls) == 1


@pytest.mark.parametrize("text, where, message", [
    (ONLINE + ONLINE, "references.bib:5:1", "duplicate key 'tass-2025-duma'"),
    ("@online{x, author = {{A}}, url = {https://x.org}}", "references.bib:1:1", "missing 'title'"),
    ("@webpage{x, title = {T}, url = {https://x.org}}", "references.bib:1:1",
     "unknown entry type '@webpage'"),
    ("@online{x, author = {{A}}, title = {T},\n url = {javascript:alert(1)}}", "references.bib:2:1",
     "must be a plain http:// or https:// address"),
    ("@online{x, author = {{A}}, title = {T},\n date = {2025-13-01}, url = {https://x.org}}",
     "references.bib:2:1", "does not parse"),
])
def test_invalid_entries_are_reported_with_their_location(text, where, message):
    with pytest.raises(SourceError) as caught:
        bib(text)
    report = str(caught.value)
    assert report.startswith(where + ": error: ")
    assert message in report


def test_a_broken_entry_is_set_aside_and_every_other_entry_is_read(tmp_path):
    from mdcite.bibliography import load

    path = tmp_path / "references.bib"
    path.write_text("@online{good, author = {{A}}, title = {T}, url = {https://a.org}}\n"
                    "@online{bad, author = {{B}}, title = {T}, date = {20x5}, url = {https://b.org}}\n"
                    "@online{after, author = {{C}}, title = {T}, url = {https://c.org}}\n")
    partial = load(path, "references.bib", partial=True)
    assert list(partial.references) == ["good", "after"] and partial.broken == {"bad"}
    assert [str(d) for d in partial.problems] == [
        "references.bib:2:1: error: date of 'bad' ('20x5') does not parse; write date = {YYYY-MM-DD}, {YYYY-MM} or {YYYY}"]
    with pytest.raises(SourceError):  # the whole file, as a build needs it, still fails
        load(path, "references.bib")


def test_did_you_mean_names_a_near_miss_and_nothing_for_a_far_key():
    from mdcite.errors import did_you_mean

    keys = ["tass-2025-duma", "org-2025", "undated", "chapter-2021"]
    assert did_you_mean("tass-2025-dmua", keys) == " (did you mean 'tass-2025-duma'?)"  # two letters swapped
    assert did_you_mean("Org-2025", keys) == " (did you mean 'org-2025'?)"
    assert did_you_mean("nosuchkey", keys) == ""
    assert did_you_mean("kremlin-2025", keys) == ""
def test_a_work_is_filed_under_the_latin_initial_of_its_sort_name_or_under_other():
    from mdcite.extension import initial

    names = ("ABC Media", "“Quoted” Org", "Ölçü", "صبا", "2024 report")
    assert [initial(bibliography.fold(n)) for n in names] == ["A", "Q", "O", "#", "#"]


def test_a_title_and_address_in_arabic_are_isolated_and_a_latin_title_is_not():
    refs = bib("""@online{ar, author = {{Al Mayadeen}}, title = {الشورى الإيراني يصادق}, date = {2025-05-21},
                    url = {https://example.org/الشورى}}
                  @online{en, author = {{TASS}}, title = {Duma ratifies}, date = {2025-04-08}, url = {https://example.org/x}}""")
    assert refs["ar"].html == ("Al Mayadeen. 2025. “<bdi>الشورى الإيراني يصادق</bdi>.” 21 May 2025. "
                               '<a href="https://example.org/الشورى"><bdi>https://example.org/الشورى</bdi></a>.')
    assert "<bdi>" not in refs["en"].html


def test_an_encoded_cyrillic_address_links_the_exact_url_and_shows_it_decoded():
    url = "https://example.org/wiki/%D0%94%D0%BE%D0%B3%D0%BE%D0%B2%D0%BE%D1%80_%2F_%D0%98"
    refs = bib(f"@online{{ru, author = {{{{Wiki}}}}, title = {{Договор}}, date = {{2025}}, url = {{{url}}}}}")
    assert refs["ru"].html.endswith(f'<a href="{url}">https://example.org/wiki/Договор_%2F_И</a>.')
    assert refs["ru"].text.endswith(" https://example.org/wiki/Договор_%2F_И.")
