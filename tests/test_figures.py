"""Figures and numbered tables: labels, numbers, cross-references, drawing from data, the cache,
and the checks on data files (engine units on the scratch project; the real site further down)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import markdown
import pytest

from clausemap.extension import ClauseMapExtension
from mdcite import bibliography, drawing, figuredata, figures, labels
from mdcite import index as index_module
from mdcite.errors import SourceError
from mdcite.extension import CitationsExtension

TIMELINE = "date,event,lane,sources\n2025-01-17,Signed,treaty,treaty-2025\n2025-10-02,In force,treaty,org-2025\n"
FIGURE = ('<figure markdown="1" id="fig-path" data-file="{data}" data-kind="timeline" '
          'data-title="The path" data-alt="A timeline of two steps.">\n'
          '<figcaption markdown="span">Two steps [@treaty-2025].</figcaption>\n\n'
          "A description of the two steps [@treaty-2025].\n\n</figure>\n")
PACKAGE = ('{"resources": [{"path": "path.csv", "licenses": [{"name": "CC-BY-4.0", "title": "CC BY 4.0"}],'
           ' "sources": [{"title": "T", "key": "treaty-2025"}]}]}\n')
TABLE = "| A | B |\n|---|---|\n| 1 | 2 |\n\nTable: Two columns [@org-2025]. {#tbl-two}\n"


def append(project: Path, src: str, text: str) -> None:
    path = project / "docs" / src
    path.write_text(path.read_text(encoding="utf-8") + "\n" + text, encoding="utf-8")


@pytest.fixture
def figured(project: Path) -> Path:
    """The scratch project with a timeline figure on the deep page and its data."""
    return add_timeline_figure(project)


def add_timeline_figure(project: Path) -> Path:
    """Put a timeline figure (fig-path) and its data package on the scratch project's deep page."""
    folder = project / "docs" / "figures"
    folder.mkdir()
    (folder / "path.csv").write_text(TIMELINE, encoding="utf-8")
    (folder / "datapackage.json").write_text(PACKAGE, encoding="utf-8")
    append(project, "deep/er/page.md", FIGURE.format(data="../../figures/path.csv"))
    return project


def render_page(project: Path, src: str) -> str:
    """One page rendered as the site renders it: tables and Markdown inside HTML blocks on."""
    _, body, _ = index_module.split_front_matter((project / "docs" / src).read_text(encoding="utf-8"))
    md = markdown.Markdown(extensions=["toc", "attr_list", "md_in_html", "tables",
                                       CitationsExtension(root=str(project)),
                                       ClauseMapExtension(article_count=3)])
    return md.convert(body)


def scan(project: Path) -> index_module.Index:
    return index_module.build(project, "docs", "references.bib", True)


# -- labels, numbers and cross-references ---------------------------------------------------------------

def test_figure_reference_from_another_page_shows_its_number_and_title(figured):
    append(figured, "index.md", "As @fig-path shows.\n")
    html = render_page(figured, "index.md")
    assert ('<a class="crossref" href="deep/er/page.md#fig-path" '
            'title="Figure 1: The path (Deep page)">Figure 1</a>') in html


def test_table_caption_line_gives_the_table_its_id_and_number(project):
    append(project, "index.md", TABLE)
    html = render_page(project, "index.md")
    assert re.search(r'<table id="tbl-two">\s*<caption><span class="caption-number">Table 1\.</span> Two columns '
                     r'\(<a class="citation" href="#ref-org-2025"', html)
    assert "{#tbl-two}" not in html and "Table:" not in html


def test_figures_are_numbered_in_nav_order_not_file_order(figured):
    append(figured, "index.md", FIGURE.format(data="figures/path.csv").replace("fig-path", "fig-first"))
    config = figured / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "nav:\n  - deep/er/page.md\n  - index.md\n",
                      encoding="utf-8")
    labels = scan(figured).labels
    assert (labels["fig-path"].attrs["number"], labels["fig-first"].attrs["number"]) == ("1", "2")


def test_unknown_figure_reference_names_file_line_column_and_how_to_label_one(figured):
    append(figured, "index.md", "See @fig-pth.\n")
    found = [str(d) for d in scan(figured).all_diagnostics()]
    assert any(re.fullmatch(r"docs/index\.md:\d+:5: error: unknown cross-reference '@fig-pth' \(did you mean "
                            r"'fig-path'.*\); label a figure with <figure markdown=\"1\" id=\"fig-pth\" …>", d)
               for d in found), found


def test_unknown_table_reference_stops_the_page_with_its_place(project):
    append(project, "index.md", "See @tbl-nothing.\n")
    with pytest.raises(SourceError, match=r"docs/index\.md:\d+:5: error: unknown cross-reference '@tbl-nothing'"):
        render_page(project, "index.md")


def test_figure_caption_without_a_citation_is_an_error_at_the_figure(figured):
    page = figured / "docs" / "deep" / "er" / "page.md"
    page.write_text(page.read_text(encoding="utf-8").replace("Two steps [@treaty-2025].", "Two steps."),
                    encoding="utf-8")
    found = [str(d) for d in scan(figured).all_diagnostics()]
    assert any("the caption of figure 'fig-path' cites no source" in d and d.startswith("docs/deep/er/page.md:")
               for d in found), found


def test_figure_without_alt_text_is_an_error_naming_the_attribute(figured):
    page = figured / "docs" / "deep" / "er" / "page.md"
    page.write_text(page.read_text(encoding="utf-8").replace(' data-alt="A timeline of two steps."', ""),
                    encoding="utf-8")
    found = [str(d) for d in scan(figured).all_diagnostics()]
    assert any("figure 'fig-path' has no data-alt" in d for d in found), found


def test_figure_whose_attribute_values_hold_a_bracket_and_quotes_builds_with_its_number_caption_and_data(figured):
    page = figured / "docs" / "deep" / "er" / "page.md"
    page.write_text(page.read_text(encoding="utf-8").replace(
        'data-title="The path" data-alt="A timeline of two steps."',
        """data-title='The "path" > 2024' data-alt="Signed -> in force: 'two' steps." data-note="a>b" """),
        encoding="utf-8")
    assert [str(d) for d in scan(figured).all_diagnostics()] == []
    html = render_page(figured, "deep/er/page.md")
    figure = html[html.index("<figure"):html.index("</figure>")]
    assert re.search(r'<figcaption><span class="caption-number">Figure 1\.</span> <span class="caption-title">'
                     r'The "path" &gt; 2024\.</span> Two steps \(<a class="citation"', figure), figure
    assert "aria-label=\"Signed -&gt; in force: 'two' steps.\"" in figure
    assert '<a download="" href="../../figures/path.csv">Download the data' in figure


def test_figure_title_is_read_as_written_even_with_code_in_it(figured):
    page = figured / "docs" / "deep" / "er" / "page.md"
    page.write_text(page.read_text(encoding="utf-8").replace('data-title="The path"', 'data-title="The `path` > 2"'),
                    encoding="utf-8")
    assert scan(figured).labels["fig-path"].title == "The `path` > 2"


def test_figure_start_tag_with_a_quote_left_open_is_an_error_at_the_tag(figured):
    page = figured / "docs" / "deep" / "er" / "page.md"
    text = page.read_text(encoding="utf-8").replace('data-title="The path"', 'data-title="The path')
    page.write_text(text, encoding="utf-8")
    line = text.split("\n").index(next(row for row in text.split("\n") if row.startswith("<figure"))) + 1
    found = [str(d) for d in scan(figured).all_diagnostics()]
    assert found == [f"docs/deep/er/page.md:{line}:1: error: this <figure> start tag has 'steps.\"' where an "
                     "attribute should be; close each quoted value with the quote it opens with and end the tag "
                     "with '>'"]


def test_figure_start_tag_that_never_ends_is_an_error_at_the_tag(project):
    append(project, "index.md", 'Text.\n\n<figure markdown="1" id="fig-open" data-alt="no end\n')
    found = [str(d) for d in scan(project).all_diagnostics()]
    assert any(re.fullmatch(r"docs/index\.md:\d+:1: error: this <figure> start tag never ends; close each "
                            r"quoted value .*", d) for d in found), found


def test_figure_start_tag_with_a_stray_quoted_word_is_an_error_naming_it(figured):
    page = figured / "docs" / "deep" / "er" / "page.md"
    page.write_text(page.read_text(encoding="utf-8").replace(' data-kind="timeline"', ' "timeline"'),
                    encoding="utf-8")
    found = [str(d) for d in scan(figured).all_diagnostics()]
    assert any(re.fullmatch(r"docs/deep/er/page\.md:\d+:1: error: this <figure> start tag has '\"timeline\"' "
                            r"where an attribute should be; close each quoted value .*", d) for d in found), found


@pytest.mark.parametrize("key", ["fig-chart", "tbl-data"])
def test_figure_and_table_prefixes_are_reserved_in_the_bibliography(key):
    with pytest.raises(SourceError, match="reserved prefix"):
        bibliography.parse(f"@online{{{key}, author = {{{{A}}}}, title = {{T}}, url = {{https://a.org}}}}\n",
                           "references.bib")


# -- the rendered figure --------------------------------------------------------------------------------

def test_figure_has_numbered_cited_caption_alt_text_description_data_table_and_download(figured):
    html = render_page(figured, "deep/er/page.md")
    figure = html[html.index('<figure'):html.index("</figure>")]
    assert '<figure class="data-figure data-figure-timeline" id="fig-path">' in figure
    assert re.search(r'<figcaption><span class="caption-number">Figure 1\.</span> <span class="caption-title">'
                     r'The path\.</span> Two steps \(<a class="citation" href="#ref-treaty-2025"', figure)
    assert 'role="img"' in figure and 'aria-label="A timeline of two steps."' in figure
    assert 'aria-describedby="fig-path-description"' in figure
    assert re.search(r'<div class="figure-description" id="fig-path-description"><p>A description', figure)
    assert '<details class="figure-data" open=""><summary>Data table (2 rows)</summary>' in figure
    assert '<a download="" href="../../figures/path.csv">Download the data (.csv, 1 kB)</a>; licence: CC BY 4.0.' in figure


def test_data_row_sources_join_the_page_reference_list(figured):
    html = render_page(figured, "deep/er/page.md")
    assert "ref-org-2025" not in html[:html.index("<figure")]  # cited by a data row only
    assert 'id="ref-org-2025"' in html[html.index('class="references"'):]


def test_figure_is_inline_svg_whose_colours_are_css_variables(figured):
    html = render_page(figured, "deep/er/page.md")
    svg = html[html.index("<svg"):html.index("</svg>")]
    assert "var(--fig-fg)" in svg and "var(--fig-c1)" in svg
    assert not re.search(r"#0000(0[1-9]|0a|0b|0c)", svg, re.IGNORECASE)
    assert not re.match(r'<svg[^>]*\s(width|height)="', svg)
    assert all(i.startswith("fig-path-") for i in re.findall(r'\bid="([^"]+)"', svg))


def test_figure_is_drawn_wide_and_narrow_each_drawing_with_its_own_ids(figured):
    html = render_page(figured, "deep/er/page.md")
    svgs = re.findall(r"<svg\b[^>]*>.*?</svg>", html, re.DOTALL)
    classes = [re.search(r'class="([^"]+)"', svg).group(1) for svg in svgs]
    assert classes == ["figure-svg figure-svg-wide", "figure-svg figure-svg-narrow"]
    ids = re.findall(r'\bid="([^"]+)"', "".join(svgs))
    assert len(ids) == len(set(ids))
    assert all(i.startswith(f"fig-path-{kind}-") for svg, kind in zip(svgs, ("wide", "narrow"), strict=True)
               for i in re.findall(r'\bid="([^"]+)"', svg))


# -- the cache ------------------------------------------------------------------------------------------

def count_draws(monkeypatch) -> list[str]:
    drawn: list[str] = []
    original = drawing.draw

    def counted(kind, table, variant):
        drawn.append(f"{table.path.name} {variant.name}")
        return original(kind, table, variant)

    monkeypatch.setattr(drawing, "draw", counted)
    return drawn


def test_unchanged_figure_is_not_redrawn_on_the_next_build(figured, monkeypatch):
    drawn = count_draws(monkeypatch)
    first = render_page(figured, "deep/er/page.md")
    second = render_page(figured, "deep/er/page.md")
    assert drawn == ["path.csv wide", "path.csv narrow"]
    assert first == second


def test_changed_data_is_drawn_again(figured, monkeypatch):
    drawn = count_draws(monkeypatch)
    render_page(figured, "deep/er/page.md")
    data = figured / "docs" / "figures" / "path.csv"
    data.write_text(data.read_text(encoding="utf-8") + "2026-01-01,Later,context,org-2025\n", encoding="utf-8")
    html = render_page(figured, "deep/er/page.md")
    assert drawn == ["path.csv wide", "path.csv narrow"] * 2
    assert "Data table (3 rows)" in html


def test_a_change_to_the_label_placing_code_changes_every_cache_key(figured, tmp_path, monkeypatch):
    table, _ = figuredata.read(figured / "docs" / "figures" / "path.csv", "path.csv")
    code = tmp_path / "labels.py"
    code.write_text("# placing labels\n", encoding="utf-8")
    monkeypatch.setattr(drawing, "CODE", (code,))
    before = drawing.cache_key("timeline", table, [], drawing.VARIANTS[0])
    code.write_text("# placing labels, changed\n", encoding="utf-8")
    assert drawing.cache_key("timeline", table, [], drawing.VARIANTS[0]) != before


def test_the_wide_and_narrow_drawings_have_different_cache_keys(figured):
    table, _ = figuredata.read(figured / "docs" / "figures" / "path.csv", "path.csv")
    keys = {drawing.cache_key("timeline", table, [], variant) for variant in drawing.VARIANTS}
    assert len(keys) == len(drawing.VARIANTS)


# -- checks on the data ---------------------------------------------------------------------------------

def check(project: Path) -> list[str]:
    return [str(d) for d in figures.check(scan(project))]


def test_well_formed_figure_data_passes_the_check(figured):
    assert check(figured) == []


def test_check_names_the_row_whose_source_key_is_unknown(figured):
    data = figured / "docs" / "figures" / "path.csv"
    data.write_text(TIMELINE.replace("org-2025", "org-2052"), encoding="utf-8")
    assert check(figured) == ["docs/figures/path.csv:3:1: error: unknown source key 'org-2052'; "
                              "add the work to references.bib or fix the key"]
    with pytest.raises(SourceError, match=r"docs/figures/path\.csv:3:1: error: unknown source key 'org-2052'"):
        render_page(figured, "deep/er/page.md")  # the build stops too, not only the check


def test_check_names_a_row_that_states_no_source(figured):
    data = figured / "docs" / "figures" / "path.csv"
    data.write_text(TIMELINE.replace(",org-2025", ","), encoding="utf-8")
    assert check(figured) == ["docs/figures/path.csv:3:1: error: row states no sources; name the "
                              "references.bib keys in its 'sources'"]


def test_check_reports_a_data_file_missing_from_the_data_package(figured):
    (figured / "docs" / "figures" / "other.csv").write_text("year,value,series,sources\n", encoding="utf-8")
    assert check(figured) == ["docs/figures/other.csv:1:1: error: not listed in datapackage.json; add a resource "
                              "with its path, title, licenses and sources"]


def test_check_reports_geojson_that_does_not_parse_with_its_line(figured):
    (figured / "docs" / "figures" / "map.geojson").write_text('{"type": "FeatureCollection",\n "features": [,]}\n',
                                                              encoding="utf-8")
    package = figured / "docs" / "figures" / "datapackage.json"
    package.write_text(PACKAGE.replace('{"path": "path.csv"', '{"path": "map.geojson", "licenses": [{"name": "x"}], '
                                       '"sources": [{"key": "org-2025"}]}, {"path": "path.csv"'), encoding="utf-8")
    assert check(figured) == ["docs/figures/map.geojson:2:15: error: not valid JSON: Expecting value"]


def test_csv_row_with_too_many_cells_is_reported_with_its_line(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("year,value,sources\n2022,4.9,a\n2023,4,0,b\n", encoding="utf-8")
    _, problems = figuredata.read(path, "x.csv")
    assert [str(p) for p in problems] == ["x.csv:3:1: error: row has 4 cells but the header has 3; "
                                          "quote cells that contain commas"]


# -- the real site ---------------------------------------------------------------------------------------

FIGURE_PAGES = {"themes/regional-security/": "fig-regional-map", "themes/sanctions-finance/": "fig-trade-by-year",
                "themes/transport/": "fig-instc-corridor", "context/timeline/": "fig-treaty-timeline"}


@pytest.mark.parametrize("url, fig_id", FIGURE_PAGES.items())
def test_every_figure_on_the_site_is_numbered_cited_described_and_offers_its_data(built_site, url, fig_id):
    html = (built_site / url / "index.html").read_text(encoding="utf-8")
    start = html.index('<figure class="data-figure data-figure-')
    figure = html[start:html.index("</figure>", start)]
    assert f'id="{fig_id}"' in figure
    caption = figure[figure.index("<figcaption>"):figure.index("</figcaption>")]
    assert re.search(r'<span class="caption-number">Figure [1-9]\d*\.</span>', caption)
    assert '<a class="citation" href="#ref-' in caption
    assert re.search(r'<div aria-describedby="[^"]+" aria-label="[^"]{20,}" class="figure-graphic" role="img"><svg',
                     figure)
    assert re.search(r'<div class="figure-description" id="[^"]+"><p>\w', figure)
    link = re.search(r'<a download="" href="([^"]+)">Download the data', figure).group(1)
    assert (built_site / url / link).resolve().is_file()


def test_figures_are_numbered_in_the_sites_reading_order(built_site):
    numbers = {}
    for url, fig_id in FIGURE_PAGES.items():
        html = (built_site / url / "index.html").read_text(encoding="utf-8")
        numbers[fig_id] = re.search(r'<span class="caption-number">Figure (\d+)\.', html).group(1)
    assert numbers == {"fig-regional-map": "1", "fig-trade-by-year": "2", "fig-instc-corridor": "3",
                       "fig-treaty-timeline": "4"}


def test_comparison_table_carries_its_label_and_number(built_site):
    html = (built_site / "context/comparison/index.html").read_text(encoding="utf-8")
    assert re.search(r'<table id="tbl-treaty-comparison">\s*<caption><span class="caption-number">Table 1\.</span>',
                     html)


def test_figure_and_table_references_resolve_across_pages(built_site):
    regional = (built_site / "themes/regional-security/index.html").read_text(encoding="utf-8")
    timeline = (built_site / "context/timeline/index.html").read_text(encoding="utf-8")
    assert re.search(r'<a class="crossref" href="\.\./transport/#fig-instc-corridor" title="Figure 3: '
                     r'The International North–South Transport Corridor \([^)]+\)">Figure 3</a>', regional)
    assert '<a class="crossref" href="../comparison/#tbl-treaty-comparison"' in timeline


def test_every_data_file_of_the_site_parses_and_cites_known_works():
    root = Path(__file__).resolve().parents[1]
    idx = scan(root)
    assert [str(d) for d in figures.check(idx)] == []
    assert len(list((root / "docs" / "figures").glob("*.csv"))) >= 2


def test_mdcite_check_fails_on_a_data_row_citing_an_unknown_work(figured):
    data = figured / "docs" / "figures" / "path.csv"
    data.write_text(TIMELINE.replace("org-2025", "org-2052"), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "mdcite.cli", "check"], cwd=figured, capture_output=True, text=True)
    assert done.returncode == 1
    assert "docs/figures/path.csv:3:1: error: unknown source key 'org-2052'" in done.stderr


def test_row_that_cannot_be_drawn_is_a_located_error_not_a_traceback(figured):
    data = figured / "docs" / "figures" / "path.csv"
    data.write_text(TIMELINE.replace("2025-10-02", "October 2025"), encoding="utf-8")
    assert check(figured) == ["docs/figures/path.csv:3:1: error: cannot draw this row: date must be YYYY-MM-DD or YYYY-MM"]
    with pytest.raises(SourceError, match=r"docs/figures/path\.csv:3:1: error: cannot draw this row"):
        render_page(figured, "deep/er/page.md")


def test_map_without_a_basemap_says_which_metadata_it_needs(figured):
    (figured / "docs" / "figures" / "path.geojson").write_text(
        '{"type": "FeatureCollection", "metadata": {"extent": [0, 1, 0, 1]}, "features": []}\n', encoding="utf-8")
    page = figured / "docs" / "deep" / "er" / "page.md"
    page.write_text(page.read_text(encoding="utf-8").replace('path.csv" data-kind="timeline"',
                                                             'path.geojson" data-kind="map"'), encoding="utf-8")
    with pytest.raises(SourceError, match=r"docs/figures/path\.geojson:1:1: error: a map figure needs the metadata basemap"):
        render_page(figured, "deep/er/page.md")


def test_map_inset_without_a_place_in_the_map_is_a_located_error(figured):
    folder = figured / "docs" / "figures"
    (folder / "world.geojson").write_text('{"type": "FeatureCollection", "features": []}\n', encoding="utf-8")
    (folder / "path.geojson").write_text(
        '{"type": "FeatureCollection", "metadata": {"extent": [0, 1, 0, 1], "basemap": "world.geojson", '
        '"insets": [{"extent": [0, 0.5, 0, 0.5], "at": [0, 0, 2, 0.5]}]}, "features": []}\n', encoding="utf-8")
    page = figured / "docs" / "deep" / "er" / "page.md"
    page.write_text(page.read_text(encoding="utf-8").replace('path.csv" data-kind="timeline"',
                                                             'path.geojson" data-kind="map"'), encoding="utf-8")
    with pytest.raises(SourceError, match=r"docs/figures/path\.geojson:1:1: error: inset 1: at must be "
                                          r"\[x, y, width, height\] as fractions of the map, from 0 to 1"):
        render_page(figured, "deep/er/page.md")


def test_second_mdcite_build_reuses_the_drawing_of_an_unchanged_figure(figured):
    config = figured / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("  - attr_list\n", "  - attr_list\n  - md_in_html\n"),
                      encoding="utf-8")

    def build() -> dict[str, int]:
        done = subprocess.run([sys.executable, "-m", "mdcite.cli", "build"], cwd=figured, capture_output=True,
                              text=True, env=os.environ | {"NO_MKDOCS_2_WARNING": "1"})
        assert done.returncode == 0, done.stderr
        return {p.name: p.stat().st_mtime_ns for p in (figured / drawing.CACHE_DIR).glob("*.svg")}

    first = build()
    assert len(first) == len(drawing.VARIANTS)  # one file per drawing, wide and narrow
    assert build() == first  # the same drawings, not written again
    assert 'id="fig-path"' in (figured / "site" / "deep" / "er" / "page" / "index.html").read_text(encoding="utf-8")


# -- the site's own drawings, read from matplotlib's artists ---------------------------------------------

SITE_FIGURES = [("series", "russia-iran-trade.csv"), ("timeline", "treaty-timeline.csv"),
                ("map", "instc-corridor.geojson"), ("map", "regional-map.geojson")]


def site_figure(kind: str, name: str, variant):
    """The matplotlib figure of one of the site's drawings, laid out as the build draws it."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    table, problems = figuredata.read(Path("docs/figures") / name, name)
    assert table is not None and not problems, problems
    fig = drawing.figure_for(kind, table, variant)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return fig, canvas.get_renderer()


def text_box(text, renderer):
    """The box of a text's words (not of its leader line), a little inside the glyphs' line box."""
    return labels.words_box(text, renderer).shrunk(0.96, 0.9)


def shown_texts(fig):
    from matplotlib.text import Text

    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


@pytest.mark.parametrize("variant", drawing.VARIANTS, ids=lambda v: v.name)
def test_each_trade_line_runs_through_its_own_series_markers_and_no_others(variant):
    fig, _ = site_figure("series", "russia-iran-trade.csv", variant)
    artists = [line for ax in fig.axes for line in ax.get_lines() if (line.get_gid() or "").startswith("series-")]
    lines = [a for a in artists if a.get_gid().endswith("-line")]
    assert lines, "the chart draws no series line"
    for line in lines:
        series = line.get_gid().removesuffix("-line")
        own = {tuple(p) for a in artists if a.get_gid() == f"{series}-point" for p in a.get_xydata()}
        others = {tuple(p) for a in artists if a.get_gid().endswith("-point") and a.get_gid() != f"{series}-point"
                  for p in a.get_xydata()}
        vertices = [tuple(p) for p in line.get_xydata()]
        assert all(v in own for v in vertices), (series, vertices, own)
        assert not any(v in others for v in vertices), (series, vertices)


@pytest.mark.parametrize("variant", drawing.VARIANTS, ids=lambda v: v.name)
@pytest.mark.parametrize(("kind", "name"), SITE_FIGURES, ids=[n for _, n in SITE_FIGURES])
def test_no_two_texts_of_a_site_figure_overlap(kind, name, variant):
    fig, renderer = site_figure(kind, name, variant)
    boxes = [(t.get_text(), text_box(t, renderer)) for t in shown_texts(fig)]
    clashes = [(a, b) for i, (a, box_a) in enumerate(boxes) for b, box_b in boxes[i + 1:] if box_a.overlaps(box_b)]
    assert not clashes


@pytest.mark.parametrize("variant", drawing.VARIANTS, ids=lambda v: v.name)
@pytest.mark.parametrize(("kind", "name"), SITE_FIGURES, ids=[n for _, n in SITE_FIGURES])
def test_no_label_of_a_site_figure_lies_on_a_data_line(kind, name, variant):
    fig, renderer = site_figure(kind, name, variant)
    data_lines = [line for ax in fig.axes for line in ax.get_lines()
                  if (line.get_gid() or "").startswith(("data-line", "series-")) and line.get_linestyle() != "None"]
    scene = labels.Scene(renderer)
    for line in data_lines:
        scene.add_line(line)
    scene.covers = [(ax.get_window_extent(renderer), ax) for ax in fig.axes[1:]]  # a map's insets
    crossed = [t.get_text() for t in shown_texts(fig)
               if scene.crosses(text_box(t, renderer), t.axes)]
    assert not crossed


@pytest.mark.parametrize("variant", drawing.VARIANTS, ids=lambda v: v.name)
@pytest.mark.parametrize(("kind", "name"), SITE_FIGURES, ids=[n for _, n in SITE_FIGURES])
def test_every_text_is_at_least_11_css_pixels_at_the_narrowest_width_its_drawing_is_shown(kind, name, variant):
    fig, _ = site_figure(kind, name, variant)
    narrowest_px = drawing.NARROWEST_WIDE_PX if variant.name == "wide" else 358  # a 390 px phone's column
    scale = narrowest_px / (variant.width_in * 72)  # CSS px per point of the drawing
    smallest = min(t.get_fontsize() for t in shown_texts(fig))
    assert smallest * scale >= 11, (smallest, scale)
