"""mkdocs.yml as the engine, the command line and scripts/publish.py read it: one loader
(mdcite.config), which reads ``!ENV`` as MkDocs does and Python-object tags as None."""

from __future__ import annotations

import sys
from pathlib import Path

from mdcite import citeblock, config
from tests.site_pages import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import publish  # noqa: E402

MATERIAL_EMOJI = """\
markdown_extensions:
  - pymdownx.emoji:
      emoji_index: !!python/name:material.extensions.emoji.twemoji
      emoji_generator: !!python/name:material.extensions.emoji.to_svg
"""


def test_env_with_a_default_reads_the_variable_when_it_is_set(monkeypatch):
    monkeypatch.setenv("MDCITE_TEST_URL", "https://example.org/editions/2026-11/")
    assert config.parse('site_url: !ENV [MDCITE_TEST_URL, "https://example.org/"]') == {
        "site_url": "https://example.org/editions/2026-11/"}


def test_env_with_a_default_reads_the_default_when_the_variable_is_missing(monkeypatch):
    monkeypatch.delenv("MDCITE_TEST_URL", raising=False)
    assert config.parse('site_url: !ENV [MDCITE_TEST_URL, "https://example.org/"]') == {
        "site_url": "https://example.org/"}


def test_env_tries_each_variable_in_turn_before_the_default(monkeypatch):
    monkeypatch.delenv("MDCITE_TEST_FIRST", raising=False)
    monkeypatch.setenv("MDCITE_TEST_SECOND", "second")
    assert config.parse("name: !ENV [MDCITE_TEST_FIRST, MDCITE_TEST_SECOND, fallback]") == {"name": "second"}


def test_env_of_one_name_reads_the_variable(monkeypatch):
    monkeypatch.setenv("MDCITE_TEST_NAME", "Treaty guide")
    assert config.parse("site_name: !ENV MDCITE_TEST_NAME") == {"site_name": "Treaty guide"}


def test_env_of_one_missing_name_reads_as_none(monkeypatch):
    monkeypatch.delenv("MDCITE_TEST_NAME", raising=False)
    assert config.parse("site_name: !ENV MDCITE_TEST_NAME") == {"site_name": None}


def test_materials_python_name_tags_read_as_none():
    assert config.parse(MATERIAL_EMOJI) == {
        "markdown_extensions": [{"pymdownx.emoji": {"emoji_index": None, "emoji_generator": None}}]}


def test_publish_and_the_cite_blocks_read_the_same_site_url_from_the_environment(tmp_path: Path, monkeypatch):
    (tmp_path / "mkdocs.yml").write_text('site_name: Guide\nsite_url: !ENV [MDCITE_TEST_URL, "https://example.org/"]\n'
                                         + MATERIAL_EMOJI, encoding="utf-8")
    monkeypatch.setenv("MDCITE_TEST_URL", "https://example.org/editions/2026-11")
    assert publish.site_url(tmp_path) == citeblock.read_site(tmp_path).url == "https://example.org/editions/2026-11/"
