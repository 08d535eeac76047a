"""The formatted bibliography kept between builds in .cache/: JSON (never a pickle), reused only for
the same bytes of references.bib read and formatted by the same code and libraries, never for a file
with errors."""

from __future__ import annotations

import importlib.metadata
import json
import pickle

import pytest

from mdcite import bibcache, bibliography
from mdcite.errors import SourceError
from tests.site_pages import ROOT

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
    monkeypatch.setattr(bibliography, "read", no_parsing)
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
    assert len(list((tmp_path / bibcache.CACHE_DIR).glob("*.json"))) == 1


def test_a_file_with_errors_is_reported_again_on_the_next_load(tmp_path):
    path = tmp_path / "references.bib"
    path.write_text(ENTRY.replace("organization = {TASS},", "organization = {TASS}, url = {ftp://x},"),
                    encoding="utf-8")
    for _ in range(2):
        with pytest.raises(SourceError):
            bibliography.load(path, "references.bib", cache_root=tmp_path)
    assert not list((tmp_path / bibcache.CACHE_DIR).glob("*.json"))


def test_an_unreadable_cache_file_is_replaced_by_a_fresh_parse(tmp_path):
    path = tmp_path / "references.bib"
    path.write_text(ENTRY, encoding="utf-8")
    bibliography.load(path, "references.bib", cache_root=tmp_path)
    (cached,) = (tmp_path / bibcache.CACHE_DIR).glob("*.json")
    cached.write_bytes(b'{"path": "references.bib", "references": [{"key": "tass-2025-duma"')
    again = bibliography.load(path, "references.bib", cache_root=tmp_path)
    assert again["tass-2025-duma"].cite_label() == "TASS 2025"
    assert json.loads(cached.read_text(encoding="utf-8"))["references"][0]["key"] == "tass-2025-duma"


def test_the_cache_file_is_json_and_not_a_pickle(tmp_path):
    path = tmp_path / "references.bib"
    path.write_text(ENTRY, encoding="utf-8")
    bibliography.load(path, "references.bib", cache_root=tmp_path)
    (cached,) = (tmp_path / bibcache.CACHE_DIR).glob("*")
    assert cached.suffix == ".json"
    assert json.loads(cached.read_text(encoding="utf-8"))["references"][0]["html"].startswith("TASS. 2025.")
    with pytest.raises(pickle.UnpicklingError):
        pickle.loads(cached.read_bytes())


@pytest.mark.parametrize("library", ["pybtex", "latexcodec"])
def test_another_version_of_pybtex_or_latexcodec_gives_another_cache_file(tmp_path, monkeypatch, library):
    data = ENTRY.encode()
    installed = bibcache.cache_file(tmp_path, data, "references.bib")
    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "0.0.1" if name == library else real(name))
    assert bibcache.cache_file(tmp_path, data, "references.bib") != installed


def test_a_pickle_left_by_an_older_engine_is_removed_not_read(tmp_path):
    path = tmp_path / "references.bib"
    path.write_text(ENTRY, encoding="utf-8")
    folder = tmp_path / bibcache.CACHE_DIR
    folder.mkdir(parents=True)
    (folder / "0123456789abcdef.pickle").write_bytes(pickle.dumps({"old": True}))
    bibliography.load(path, "references.bib", cache_root=tmp_path)
    assert [p.suffix for p in folder.iterdir()] == [".json"]


def loaded(bib: bibliography.Bibliography) -> dict:
    """Everything a load gives, in a form that compares by value (pybtex's entries included)."""
    return {"path": bib.path, "broken": bib.broken, "problems": bib.problems,
            "references": [(vars(r) | {"entry": bibcache.entry_to_json(r.entry)}, r.entry.key, r.entry.type)
                           for r in bib.references.values()]}


def test_the_cached_load_of_the_real_bibliography_equals_the_cold_load(tmp_path):
    (tmp_path / "references.bib").write_bytes((ROOT / "references.bib").read_bytes())
    cold = bibliography.load(tmp_path / "references.bib", "references.bib", cache_root=tmp_path)
    cached = bibliography.load(tmp_path / "references.bib", "references.bib", cache_root=tmp_path)
    assert cached is not cold and len(cached.references) > 200
    assert loaded(cached) == loaded(cold)
    for key, ref in cold.references.items():
        assert cached[key].entry == ref.entry, key  # pybtex's own comparison: type, fields, persons
