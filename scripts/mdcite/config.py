"""Read the extension's settings from mkdocs.yml, so the command line checks what the build uses."""

from __future__ import annotations

import importlib
import posixpath
from pathlib import Path

import yaml
from yaml_env_tag import construct_env_tag

from .errors import Diagnostic
from .labelkinds import BUILT_IN, LabelKind


class Loader(yaml.SafeLoader):
    """mkdocs.yml as the build at hand reads it: the one reader of it for the engine, the command
    line and scripts/publish.py. ``!ENV NAME`` and ``!ENV [NAME, …, default]`` go through MkDocs'
    own constructor (pyyaml_env_tag, which MkDocs depends on), so a value is what MkDocs would see
    (an edition is built for its own SITE_URL). A ``!!python/name:`` tag (Material's emoji
    functions) names code that nothing here calls: it reads as None. Any other ``!tag`` (MkDocs'
    ``!relative``) reads as its plain value."""


def _plain(loader: Loader, suffix: str, node: yaml.Node):
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node)
    return loader.construct_scalar(node)


Loader.add_constructor("!ENV", construct_env_tag)
Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
Loader.add_multi_constructor("!", _plain)


def parse(text: str) -> dict:
    """The settings in a mkdocs.yml's text ({} for an empty one)."""
    return yaml.load(text, Loader=Loader) or {}


def read(root: Path, config_file: str) -> tuple[str, dict]:
    """mkdocs.yml's text and data ("" and {} when there is none)."""
    path = root / config_file
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    return text, parse(text) if text else {}


def _extension_settings(data: dict) -> dict:
    """The options given to mdcite.extension in mkdocs.yml."""
    return next((item["mdcite.extension"] or {} for item in data.get("markdown_extensions", []) or []
                 if isinstance(item, dict) and "mdcite.extension" in item), {})


def load(root: Path, config_file: str = "mkdocs.yml") -> dict:
    _, data = read(root, config_file)
    settings = {"bibliography": "references.bib", "evidence": "evidence", "docs_dir": data.get("docs_dir", "docs"),
                "directory_urls": data.get("use_directory_urls", True)}
    settings.update(_extension_settings(data))
    settings["site_url"] = data.get("site_url") or ""
    settings["site_name"] = data.get("site_name") or ""
    return settings


def nav_sources(nav) -> list[str]:
    """Every Markdown page a nav names, in the order a reader meets them (figures are numbered in it)."""
    if isinstance(nav, str):
        return [nav] if nav.endswith(".md") and "://" not in nav else []
    if isinstance(nav, dict):
        return [p for value in nav.values() for p in nav_sources(value)]
    if isinstance(nav, list):
        return [p for item in nav for p in nav_sources(item)]
    return []



def problems(root: Path, config_file: str = "mkdocs.yml") -> list[Diagnostic]:
    """Settings that must agree between MkDocs and the extension (which cannot see MkDocs')."""
    text, data = read(root, config_file)
    ours = _extension_settings(data)
    found = []
    named = str(ours.get("config_file", "mkdocs.yml"))
    if data and posixpath.normpath(named) != posixpath.normpath(config_file):
        line = next((n for n, row in enumerate(text.splitlines(), 1) if row.strip().startswith("config_file:")), 1)
        found.append(Diagnostic(config_file, line, 1,
                                f"mdcite.extension reads its settings and nav from config_file '{named}', but "
                                f"this build uses {config_file}; add 'config_file: {config_file}' under "
                                "mdcite.extension, or the figures are numbered in another nav's order"))
    theirs = data.get("use_directory_urls", True)
    if bool(ours.get("directory_urls", True)) == bool(theirs):
        return found
    line = next((n for n, row in enumerate(text.splitlines(), 1) if row.startswith("use_directory_urls")), 1)
    return found + [Diagnostic(config_file, line, 1,
                       f"use_directory_urls is {str(bool(theirs)).lower()} but mdcite.extension's "
                       f"directory_urls is {str(bool(ours.get('directory_urls', True))).lower()}; "
                       "set directory_urls to the same value under mdcite.extension, or the "
                       "download buttons of reference lists will fetch from the wrong address")]


def _extensions(data: dict) -> list[tuple[str, dict]]:
    """The Markdown extensions mkdocs.yml lists, with their options, in order."""
    found = []
    for item in data.get("markdown_extensions", []) or []:
        if isinstance(item, str):
            found.append((item, {}))
        elif isinstance(item, dict):
            found.extend((str(name), options if isinstance(options, dict) else {}) for name, options in item.items())
    return found


def label_kinds(root: Path, config_file: str = "mkdocs.yml") -> tuple[LabelKind, ...]:
    """The families of labels the build knows: the engine's own, and those of every listed extension
    whose module offers ``label_kinds(options)`` (see labelkinds). Only modules of this project's
    own extensions are imported: a name with a dot, not Python-Markdown's or pymdownx's."""
    _, data = read(root, config_file)
    kinds = list(BUILT_IN)
    for name, options in _extensions(data):
        if name == "mdcite.extension" or "." not in name or name.startswith(("markdown.", "pymdownx.")):
            continue
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue  # the generator reports an extension it cannot load
        offer = getattr(module, "label_kinds", None)
        if callable(offer):
            kinds.extend(offer(options))
    return tuple(kinds)
