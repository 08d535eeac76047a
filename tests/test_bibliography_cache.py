"""The formatted bibliography kept between builds in .cache/: reused only for the same bytes of
references.bib (and the same formatting code), never for a file with errors."""

from __future__ import annotations

import pytest

from mdcite import bibliography
from mdcite.errors import SourceError

ENTRY = """@online{tass-2025-duma,
  author = {{TASS}}, title = {Duma ratifies the treaty}, organization = {TASS},
  date = {2025-04-08}, url = {https://tass.com/politics/1940345},
}
"""


def no_parsing(text, shown):
    raise AssertionError("the bibliography was parsed again")


def test_a_second_load_of_the_same_file_comes_from_the_cache_unparsed(tmp_path, monkeypatch):
    (tmp_path / "references.bib").write_text(ENTRY, encoding="utf-8")
    first = bibliography.load(tmp_path / "references.bib", "references.bib", cache_root=tmp_path)
    monkeypatch.setattr(bibliography, "parse", no_parsing)
    again = bibliography.load(tmp_path / "references.bib", "references.bib", cache_root=tmp_path)
    assert again["tass-2025-duma"].html == first["tass-2025-duma"].html
    assert again["tass-2025-duma"].cite_label() == "TASS 2025"


def test_an_edited_file_is_parsed_afresh_not_taken_from_the_cache(tmp_path):
    path = tmp_path / "references.bib"
    path.write_text(ENTRY, encoding="utf-8")
    bibliography.load(path, "references.bib", cache_root=tmp_path)
    path.write_text(ENTRY.replace("Duma ratifies", "State Duma ratifies"), encoding="utf-8")
    edited = bibliography.load(path, "references.bib", cache_root=tmp_path)
    assert "State Duma ratifies the treaty" in edited["tass-2025-duma"].text


def test_the_cache_keeps_only_the_current_file(tmp_path):
    path = tmp_path / "references.bib"
    for title in ("One", "Two", "Three"):
        path.write_text(ENTRY.replace("Duma ratifies the treaty", title), encoding="utf-8")
        bibliography.load(path, "references.bib", cache_root=tmp_path)
    assert len(list((tmp_path / bibliography.CACHE_DIR).glob("*.pickle"))) == 1


def test_a_file_with_errors_is_reported_again_on_the_next_load(tmp_path):
    path = tmp_path / "references.bib"
    path.write_text(ENTRY.replace("organization = {TASS},", "organization = {TASS}, url = {ftp://x},"),
                    encoding="utf-8")
    for _ in range(2):
        with pytest.raises(SourceError):
            bibliography.load(path, "references.bib", cache_root=tmp_path)
    assert not list((tmp_path / bibliography.CACHE_DIR).glob("*.pickle"))


def test_an_unreadable_cache_file_is_replaced_by_a_fresh_parse(tmp_path):
    path = tmp_path / "references.bib"
    path.write_text(ENTRY, encoding="utf-8")
    bibliography.load(path, "references.bib", cache_root=tmp_path)
    (cached,) = (tmp_path / bibliography.CACHE_DIR).glob("*.pickle")
    cached.write_bytes(b"not a pickle")
    again = bibliography.load(path, "references.bib", cache_root=tmp_path)
    assert again["tass-2025-duma"].cite_label() == "TASS 2025"
