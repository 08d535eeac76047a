"""The reader's experience in a real browser: Debian's Chromium driven by Playwright against the
built site served on 127.0.0.1 (fixture `site_url`). Search, citations, keyboard use, requests,
accessibility (axe-core), phones and print.

Without Chromium these tests skip with one line; under CI (CI=true) they fail instead."""

from __future__ import annotations

import re

import pytest

from tests.browser_helpers import (
    DESKTOP,
    OVERFLOWING_JS,
    PHONE,
    TABLE_BOXES_JS,
    THEME_PAGE,
    color_scheme,
    is_foreign,
    origin,
    path_and_fragment,
    search,
    serious_violations,
    site_paths,
    switch_to_dark,
)
from tests.site_pages import ROOT

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session", autouse=True)
def browser_first(chromium):
    """Autouse here so it runs first: without a browser these tests skip (or fail, in CI) before
    the site is built. The browser itself is shared by every test module (conftest.chromium)."""
    return chromium


@pytest.fixture
def open_page(chromium, site_url):
    """Open a page of the served site in a fresh browser context.

    Requests that leave the site are aborted (the tests never touch the network) but still
    reach the optional `requests` list, so a third-party request cannot go unnoticed."""
    site_origin = origin(site_url)
    contexts = []

    def _open(path: str = "", *, viewport: dict = DESKTOP, requests: list | None = None,
              wait_until: str = "load", **options):
        context = chromium.new_context(viewport=viewport, **options)
        contexts.append(context)
        if requests is not None:
            context.on("request", lambda request: requests.append(request.url))
        context.route(lambda url: is_foreign(url, site_origin), lambda route: route.abort())
        page = context.new_page()
        page.goto(site_url + path, wait_until=wait_until)
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def pages(built_site) -> list[str]:
    """Every HTML page of the built site (found by walking its files)."""
    found = site_paths(built_site)
    assert "" in found and THEME_PAGE in found, found
    return found


# ------------------------------------------------------------------------------------ search

SEARCHES = [
    # query, page that must be among the results, #fragment that must be too (None: any)
    ("Caspian", "themes/regional-security/", None),
    ("Article 3", "treaty/articles/", "art-3"),
    ("INSTC", "themes/transport/", None),
]


@pytest.mark.parametrize(("query", "expected_page", "expected_fragment"), SEARCHES, ids=[s[0] for s in SEARCHES])
def test_search_box_lists_the_page_that_covers_the_query(open_page, site_url, query, expected_page, expected_fragment):
    page = open_page()
    found = [path_and_fragment(href, site_url) for href in search(page, query)]
    if expected_fragment is None:
        assert expected_page in {path for path, _ in found}, found
    else:
        assert (expected_page, expected_fragment) in found, found


def test_search_box_finds_a_page_naming_pezeshkian(open_page, site_url):
    page = open_page()
    hrefs = search(page, "Pezeshkian")
    assert hrefs, "no result for Pezeshkian"
    assert all(href.startswith(site_url) for href in hrefs), hrefs


def test_choosing_a_search_result_opens_that_page(open_page, site_url):
    page = open_page()
    search(page, "Caspian")
    page.locator(f".md-search-result__link[href^='{site_url}{THEME_PAGE}']").first.click()
    page.wait_for_url(re.compile(re.escape(site_url + THEME_PAGE)))
    assert page.locator("article h1").first.inner_text().rstrip("¶ \n") == "Regional security"


# ---------------------------------------------------------------------------------- citations

def _reference_text(page, href: str) -> str:
    """The text of the reference a citation points to, in the page's reference list, without the
    supporting passages listed under it (a preview shows only those of its own section)."""
    key = href.split("#", 1)[1]
    entry = page.locator(f"section.references li.reference[id='{key}']")
    assert entry.count() == 1, f"no entry #{key} in this page's reference list"
    text = entry.evaluate("""li => { const copy = li.cloneNode(true);
                                     copy.querySelectorAll('.evidence-list').forEach(el => el.remove());
                                     document.body.append(copy);
                                     const text = copy.innerText; copy.remove(); return text; }""")
    return " ".join(text.split())


def _reference_part(text: str, reference: str) -> str:
    """The leading part of a preview's or an entry's text that is the reference itself."""
    return text[:len(reference)]


def _visible_preview(page, link) -> str:
    """The text of the preview shown for a hovered, focused or tapped citation.

    It must be a visible tooltip that the citation names as its description, so that
    assistive technology reads the same reference."""
    page.wait_for_function("el => el.getAttribute('aria-describedby') === 'cite-preview'",
                           arg=link.element_handle())
    preview = page.locator("#cite-preview")
    preview.wait_for(state="visible")
    assert preview.get_attribute("role") == "tooltip"
    return " ".join(preview.inner_text().split())


def _preview_hidden(page) -> None:
    page.locator("#cite-preview").wait_for(state="hidden")


def test_a_citation_carries_only_its_link_not_a_copy_of_its_reference(built_site):
    html = (built_site / THEME_PAGE / "index.html").read_text(encoding="utf-8")
    links = re.findall(r"<a class=\"citation\"[^>]*>", html)
    assert links and all(re.fullmatch(r'<a class="citation" href="#ref-[^"]+">', a) for a in links), links[:3]


def test_assistive_technology_hears_a_citations_reference_without_its_passages(open_page):
    page = open_page(THEME_PAGE)
    # A citation of a work whose entry also lists passages: those must not be part of what is heard.
    with_passages = page.locator("section.references li.reference:has(.evidence-list)").first
    key = with_passages.get_attribute("id")[len("ref-"):]
    citation = page.locator(f"article a.citation[href$='#ref-{key}']").first
    expected = _reference_text(page, citation.get_attribute("href"))
    page.wait_for_function("el => !!el.getAttribute('aria-describedby')", arg=citation.element_handle())
    described_by = citation.get_attribute("aria-describedby")
    assert described_by == f"reftext-{key}"
    heard = " ".join(page.locator(f"[id='{described_by}']").inner_text().split())
    assert heard == expected
    whole_entry = " ".join(with_passages.inner_text().split())
    assert whole_entry.startswith(heard) and len(whole_entry) > len(heard) + 100


def test_hovering_a_citation_shows_its_full_reference_in_a_preview(open_page):
    page = open_page(THEME_PAGE)
    citation = page.locator("article a.citation").first
    expected = _reference_text(page, citation.get_attribute("href"))
    citation.hover()
    assert _reference_part(_visible_preview(page, citation), expected) == expected
    box, link = (page.locator(s).bounding_box() for s in ("#cite-preview", "article a.citation >> nth=0"))
    assert abs(box["y"] - (link["y"] + link["height"])) < 40 or abs(box["y"] + box["height"] - link["y"]) < 40, (box, link)


def test_the_preview_stays_while_the_pointer_moves_into_it_and_goes_when_it_leaves(open_page):
    page = open_page(THEME_PAGE)
    citation = page.locator("article a.citation").first
    citation.hover()
    _visible_preview(page, citation)
    page.locator("#cite-preview").hover()
    page.wait_for_timeout(400)  # longer than the grace period for reaching the preview
    assert page.locator("#cite-preview").is_visible()
    page.mouse.move(5, 450)
    _preview_hidden(page)
    assert citation.get_attribute("aria-describedby") == "reftext-" + citation.get_attribute("href").split("#ref-", 1)[1]


def test_escape_hides_the_preview_of_a_hovered_citation(open_page):
    page = open_page(THEME_PAGE)
    citation = page.locator("article a.citation").nth(1)
    citation.hover()
    _visible_preview(page, citation)
    page.keyboard.press("Escape")
    _preview_hidden(page)


def test_tapping_a_citation_shows_its_preview_and_a_second_tap_follows_it(open_page):
    page = open_page(THEME_PAGE, viewport=PHONE, has_touch=True, is_mobile=True)
    citation = page.locator("article a.citation").nth(2)
    href = citation.get_attribute("href")
    fragment = "#" + href.split("#", 1)[1]
    expected = _reference_text(page, href)
    citation.tap()
    assert _reference_part(_visible_preview(page, citation), expected) == expected
    assert not page.url.endswith(fragment), "the first tap left for the entry instead of previewing it"
    citation.tap()
    page.wait_for_url(re.compile(re.escape(fragment) + "$"))
    _preview_hidden(page)


def _serve_sitemap_for_this_port(page, site_url: str) -> None:
    """Material's instant navigation follows only links listed in sitemap.xml, whose addresses it
    moves to the page's host but not to its port: the test server's sitemap is given its port."""
    def fulfil(route):
        response = route.fetch()
        text = re.sub(r"<loc>https?://[^/<]+/", "<loc>" + site_url, response.text())
        route.fulfill(response=response, body=text)

    page.route("**/sitemap.xml", fulfil)
    page.reload(wait_until="networkidle")


def test_the_preview_works_on_a_page_reached_by_instant_navigation(open_page, site_url):
    page = open_page("themes/energy/")
    _serve_sitemap_for_this_port(page, site_url)
    page.evaluate("() => { window.sameDocument = true; }")  # gone if the browser loads a new document
    page.locator(f".md-nav a[href$='{THEME_PAGE.split('/')[1]}/']").first.click()
    page.wait_for_url(re.compile(re.escape(site_url + THEME_PAGE) + "$"))
    page.wait_for_function("() => document.querySelector('article h1')?.textContent.startsWith('Regional')")
    assert page.evaluate("() => window.sameDocument === true"), "Material's instant navigation did not run"
    citation = page.locator("article a.citation").first
    expected = _reference_text(page, citation.get_attribute("href"))
    citation.hover()
    assert _reference_part(_visible_preview(page, citation), expected) == expected


def test_clicking_a_citation_scrolls_to_its_entry_in_the_page_reference_list(open_page):
    page = open_page(THEME_PAGE)
    citation = page.locator("article a.citation").nth(2)
    href = citation.get_attribute("href")
    key = href.split("#", 1)[1]
    citation.click()
    page.wait_for_url(re.compile(re.escape(f"{THEME_PAGE}#{key}") + "$"))
    _assert_entry_in_view(page, key)


def _assert_entry_in_view(page, key: str) -> None:
    """The entry is on this page, in section.references, on screen and not under the header."""
    in_list = page.evaluate(
        "key => !!document.getElementById(key)?.closest('section.references')", key)
    assert in_list, f"#{key} is not in this page's reference list"
    page.wait_for_function(
        "key => { const top = document.getElementById(key).getBoundingClientRect().top; "
        "return top >= 0 && top < innerHeight; }",
        arg=key,
    )
    box = page.evaluate("key => document.getElementById(key).getBoundingClientRect().toJSON()", key)
    header = page.evaluate("document.querySelector('.md-header').getBoundingClientRect().bottom")
    assert header <= box["top"] < DESKTOP["height"], (box, header)


def _tab_to_first_citation(page, limit: int = 400):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('article a.citation')"):
            return page.locator("article a.citation:focus")
    pytest.fail(f"no citation reached after {limit} presses of Tab")


def test_tabbing_to_a_citation_shows_its_reference_to_keyboard_users(open_page):
    page = open_page(THEME_PAGE)
    citation = _tab_to_first_citation(page)
    expected = _reference_text(page, citation.get_attribute("href"))
    assert _reference_part(_visible_preview(page, citation), expected) == expected
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "a focused citation shows no focus outline"


def test_pressing_enter_on_a_focused_citation_follows_it(open_page):
    page = open_page(THEME_PAGE)
    citation = _tab_to_first_citation(page)
    key = citation.get_attribute("href").split("#", 1)[1]
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(re.escape(f"#{key}") + "$"))
    _assert_entry_in_view(page, key)


# ---------------------------------------------------------------------------------- requests

def test_no_page_requests_anything_from_another_origin(open_page, pages, site_url):
    site_origin = origin(site_url)
    foreign = []
    for path in pages:
        # A first-time visitor per page: nothing cached (Material caches some fetches per session).
        requests: list[str] = []
        open_page(path, requests=requests, wait_until="networkidle").context.close()
        foreign += [f"{path or '/'}: {url}" for url in requests if is_foreign(url, site_origin)]
    assert not foreign, "third-party requests:\n" + "\n".join(sorted(set(foreign)))


# ----------------------------------------------------------------------------- accessibility

@pytest.mark.parametrize("scheme", ["default", "slate"], ids=["light", "dark"])
def test_no_page_has_serious_or_critical_accessibility_violations(open_page, pages, site_url, scheme):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = open_page(color_scheme="light")
    if scheme == "slate":
        switch_to_dark(page)
    problems = []
    for path in pages:
        page.goto(site_url + path, wait_until="load")
        assert color_scheme(page) == scheme, path
        problems += [f"{path or '/'}: {line}" for line in serious_violations(axe.run(page).response)]
    assert not problems, f"{len(problems)} serious/critical axe violations ({scheme}):\n" + "\n".join(problems[:40])


# ------------------------------------------------------------------------------ phones, print

def test_no_page_scrolls_sideways_on_a_390px_phone(open_page, pages, site_url):
    page = open_page(viewport=PHONE)
    wide = []
    for path in pages:
        page.goto(site_url + path, wait_until="load")
        sizes = page.evaluate("[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]")
        if sizes[0] > sizes[1] + 1:
            wide.append(f"{path or '/'}: {sizes[0]}px > {sizes[1]}px; {page.evaluate(OVERFLOWING_JS)}")
    assert not wide, "pages wider than a phone:\n" + "\n".join(wide)


def test_tables_scroll_inside_their_own_box_on_a_phone(open_page, pages, site_url, built_site):
    with_tables = [p for p in pages if "<table" in _html(built_site, p)]
    assert with_tables, "the site has no table to check"
    page = open_page(viewport=PHONE)
    checked, problems = 0, []
    for path in with_tables:
        page.goto(site_url + path, wait_until="load")
        for table in page.evaluate(TABLE_BOXES_JS):
            checked += 1
            if table["right"] > PHONE["width"] + 1:
                problems.append(f"{path}: table box ends at {table['right']}px")
            if table["wide"] and not (table["overflowX"] in {"auto", "scroll"} and table["scrolled"]):
                problems.append(f"{path}: a wide table does not scroll in its box {table}")
    assert checked
    assert not problems, "\n".join(problems)


def _html(site, path: str) -> str:
    target = site / path / "index.html" if path == "" or path.endswith("/") else site / path
    return target.read_text(encoding="utf-8")


HIDDEN_IN_PRINT = [".md-header", ".md-search", ".md-sidebar--primary", ".md-sidebar--secondary",
                   ".md-footer", ".md-content__button", ".cite-copy"]


def test_print_layout_drops_navigation_and_search_but_keeps_text_and_references(open_page):
    page = open_page(THEME_PAGE)
    page.emulate_media(media="print")
    shown = page.evaluate(
        """sels => Object.fromEntries(sels.map(s => [s,
             [...document.querySelectorAll(s)].some(el => el.checkVisibility())]))""",
        HIDDEN_IN_PRINT + ["article h1", "p.summary", "section.references", "section.references li.reference"],
    )
    assert not [s for s in HIDDEN_IN_PRINT if shown[s]], shown
    assert shown["article h1"] and shown["p.summary"], shown
    assert shown["section.references"] and shown["section.references li.reference"], shown


def test_a_theme_page_prints_to_a_multi_page_pdf(open_page):
    page = open_page(THEME_PAGE)
    pdf = page.pdf(format="A4", print_background=False)
    assert pdf.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))
    assert pages >= 3, f"a whole theme page with its references printed on {pages} page(s)"


# --------------------------------------------------------------------------------- the look

def test_a_theme_page_summary_is_a_boxed_lead_labelled_summary(open_page):
    page = open_page(THEME_PAGE)
    style = page.evaluate(
        """() => { const p = document.querySelector('article p.summary');
                   const before = getComputedStyle(p, '::before');
                   return {label: before.content, display: before.display,
                           border: parseFloat(getComputedStyle(p).borderLeftWidth),
                           background: getComputedStyle(p).backgroundColor}; }"""
    )
    assert style["label"] == '"Summary"' and style["display"] == "block", style
    assert style["border"] > 0 and style["background"] not in {"rgba(0, 0, 0, 0)", "transparent"}, style


def test_every_section_offers_its_own_citation_with_todays_date(open_page):
    page = open_page("themes/energy/")
    headings = page.locator(".md-content h2[id^='sec-'], .md-content h3[id^='sec-']")
    blocks = page.locator("details.cite-section")
    assert blocks.count() == headings.count() > 3
    first_id = headings.first.get_attribute("id")
    block = blocks.first
    block.locator("summary").click()
    chicago = block.locator('[data-format="chicago"]').inner_text()
    assert f"/themes/energy/#{first_id}" in chicago
    assert "[date accessed]" not in chicago
    today = page.evaluate("() => { const d = new Date(); return d.getFullYear() + '-' + "
                          "String(d.getMonth() + 1).padStart(2, '0') + '-' + String(d.getDate()).padStart(2, '0'); }")
    assert f"urldate      = {{{today}}}" in block.locator('[data-format="bibtex"]').inner_text()


def test_every_citation_of_a_cite_block_gets_one_copy_button_named_for_its_format(open_page):
    page = open_page("themes/energy/")
    labels = page.evaluate("""() => [...document.querySelectorAll('details.cite-block .cite-formats > dd')]
                                     .map(dd => [...dd.querySelectorAll('button.cite-copy')]
                                                .map(b => b.getAttribute('aria-label')).join('|'))""")
    sections = page.locator("details.cite-section").count()
    assert labels == ["Copy the Chicago citation", "Copy the APA citation", "Copy the BibTeX entry",
                      "Copy the RIS record", "Copy the CSL-JSON item"] * (sections + 1)


def test_copy_button_puts_the_citation_on_the_clipboard(open_page):
    page = open_page("themes/energy/", permissions=["clipboard-read", "clipboard-write"])
    block = page.locator("#cite-this-page")
    block.locator("summary").click()
    block.locator("button.cite-copy").first.click()
    expect_text = block.locator('[data-format="chicago"]').inner_text()
    assert page.evaluate("() => navigator.clipboard.readText()") == expect_text
    assert block.locator("button.cite-copy").first.inner_text() == "Copied"


@pytest.mark.parametrize("fmt", ["bib", "ris", "json"])
def test_download_buttons_save_exactly_the_works_the_page_cites(open_page, fmt):
    import json

    import bibtexparser
    import rispy

    page = open_page("themes/energy/", accept_downloads=True)
    cited = page.eval_on_selector_all("section.references li.reference", "els => els.map(e => e.id.slice(4))")
    with page.expect_download() as caught:
        page.click(f'button.reference-download[data-format="{fmt}"]')
    download = caught.value
    assert download.suggested_filename == f"themes-energy-references.{fmt}"
    text = open(download.path(), encoding="utf-8").read()
    if fmt == "bib":
        entries = bibtexparser.parse_string(text).entries
        keys = [e.key for e in entries]
        # Each work as references.bib writes it: the values are cut from the site's export unchanged.
        source = {e.key: e.fields_dict for e in bibtexparser.parse_string(
            (ROOT / "references.bib").read_text(encoding="utf-8")).entries}
        assert [{n: f.value for n, f in e.fields_dict.items()} for e in entries] == [
            {n: f.value for n, f in source[k].items()} for k in keys]
    elif fmt == "ris":
        keys = [r["id"] for r in rispy.loads(text)]
    else:
        keys = [item["id"] for item in json.loads(text)]
    assert keys == cited


# ------------------------------------------------------------------------------------ figures

FIGURE_PAGES = ["themes/regional-security/", "themes/sanctions-finance/", "themes/transport/", "context/timeline/"]

#: Each drawn figure: its drawing's box, whether its caption shows, and the computed paint of the
#: first land (or first series) shape and of the first text, which must follow the colour scheme.
FIGURES_JS = """() => [...document.querySelectorAll('figure.data-figure')].map(f => {
  const paint = el => getComputedStyle(el).fill !== 'none' ? getComputedStyle(el).fill : getComputedStyle(el).stroke;
  const svg = [...f.querySelectorAll('.figure-graphic svg')].find(s => s.checkVisibility()) || f.querySelector('svg');
  const box = svg.getBoundingClientRect();
  const shape = svg.querySelector('[style*="--fig-land"], [style*="--fig-c1"]');
  const text = svg.querySelector('text[style*="--fig-fg"]');
  return {id: f.id, left: box.left, right: box.right, height: box.height,
          svgShown: svg.checkVisibility(), captionShown: f.querySelector('figcaption').checkVisibility(),
          fill: shape ? paint(shape) : null, text: text ? getComputedStyle(text).fill : null};
})"""


def test_figure_pages_request_nothing_from_another_origin(open_page, site_url):
    site_origin = origin(site_url)
    foreign = []
    for path in FIGURE_PAGES:
        requests: list[str] = []
        open_page(path, requests=requests, wait_until="networkidle").context.close()
        foreign += [f"{path}: {url}" for url in requests if is_foreign(url, site_origin)]
    assert not foreign, "\n".join(foreign)


@pytest.mark.parametrize("scheme", ["default", "slate"], ids=["light", "dark"])
def test_figures_have_no_serious_accessibility_violations(open_page, site_url, scheme):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    page = open_page(color_scheme="light")
    if scheme == "slate":
        switch_to_dark(page)
    problems = []
    for path in FIGURE_PAGES:
        page.goto(site_url + path, wait_until="load")
        problems += [f"{path}: {line}" for line in serious_violations(axe.run(page, context="figure").response)]
    assert not problems, "\n".join(problems)


def test_figures_fit_a_390px_phone_without_sideways_scrolling(open_page, site_url):
    page = open_page(viewport=PHONE)
    problems = []
    for path in FIGURE_PAGES:
        page.goto(site_url + path, wait_until="load")
        sizes = page.evaluate("[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]")
        if sizes[0] > sizes[1] + 1:
            problems.append(f"{path}: page is {sizes[0]}px wide")
        for figure in page.evaluate(FIGURES_JS):
            if figure["left"] < 0 or figure["right"] > PHONE["width"] or figure["height"] < 150:
                problems.append(f"{path}: {figure}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", FIGURE_PAGES)
def test_figure_shapes_and_text_change_colour_with_the_dark_scheme(open_page, path):
    page = open_page(path, color_scheme="light")
    light = [(f["fill"], f["text"]) for f in page.evaluate(FIGURES_JS)]
    switch_to_dark(page)
    dark = [(f["fill"], f["text"]) for f in page.evaluate(FIGURES_JS)]
    assert light and all(all(pair) for pair in light), light
    assert all(a[0] != b[0] and a[1] != b[1] for a, b in zip(light, dark, strict=True)), (light, dark)


def test_figures_print_with_their_drawing_and_numbered_caption(open_page, site_url):
    page = open_page(FIGURE_PAGES[0])
    page.emulate_media(media="print")
    for path in FIGURE_PAGES:
        page.goto(site_url + path, wait_until="load")
        figures = page.evaluate(FIGURES_JS)
        assert figures and all(f["svgShown"] and f["captionShown"] and f["height"] > 150 for f in figures), (path, figures)


#: What a reader sees of each figure's shown drawing: every text's box and rendered size (its
#: font size times the drawing's scale), and points along each data line (a route, a series)
#: where it can be seen: inside its clip box and, for the map under an inset, outside the inset.
READING_JS = """() => [...document.querySelectorAll('figure.data-figure .figure-graphic svg')]
  .filter(svg => svg.checkVisibility()).map(svg => {
  const screen = (el, x, y) => new DOMPoint(x, y).matrixTransform(el.getScreenCTM());
  const clipBox = el => {
    const ref = (el.getAttribute('clip-path') || '').match(/#([^)]+)/);
    const rect = ref && document.getElementById(ref[1])?.querySelector('rect');
    if (!rect) return null;
    const a = screen(el, rect.x.baseVal.value, rect.y.baseVal.value);
    const b = screen(el, rect.x.baseVal.value + rect.width.baseVal.value, rect.y.baseVal.value + rect.height.baseVal.value);
    return {left: Math.min(a.x, b.x), right: Math.max(a.x, b.x), top: Math.min(a.y, b.y), bottom: Math.max(a.y, b.y)};
  };
  const axes = [...svg.querySelectorAll('g[id*="axes_"]')];
  const covers = axes.slice(1).map(g => clipBox(g.querySelector('[clip-path]'))).filter(Boolean);
  const inside = (p, r) => r && p.x >= r.left && p.x <= r.right && p.y >= r.top && p.y <= r.bottom;
  const texts = [...svg.querySelectorAll('text')].filter(t => t.textContent.trim()).map(t => {
    const r = t.getBoundingClientRect(), m = t.getScreenCTM();
    return {text: t.textContent, px: parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b),
            left: r.left, right: r.right, top: r.top, bottom: r.bottom};
  });
  const points = [];
  svg.querySelectorAll('g[id*="-data-line-"] path, g[id$="-line"][id*="-series-"] path').forEach(path => {
    const clip = clipBox(path), first = path.closest('g[id*="axes_"]') === axes[0];
    if (!(path.getAttribute('d') || '').trim()) return;  // a line wholly outside its axes
    for (let at = 0, n = path.getTotalLength(); at <= n; at += 1) {
      const p = path.getPointAtLength(at), s = screen(path, p.x, p.y);
      if ((!clip || inside(s, clip)) && !(first && covers.some(c => inside(s, c)))) points.push([s.x, s.y]);
    }
  });
  return {id: svg.closest('figure').id, texts, points};
})"""


def figures_as_read(page, site_url: str, scheme: str) -> list[dict]:
    found = []
    for path in FIGURE_PAGES:
        page.goto(site_url + path, wait_until="load")
        if scheme == "dark" and color_scheme(page) != "slate":
            switch_to_dark(page)
        found += page.evaluate(READING_JS)
    return found


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_no_figure_text_renders_under_11_css_pixels(open_page, site_url, viewport, scheme):
    page = open_page(viewport=viewport)
    figures = figures_as_read(page, site_url, scheme)
    assert len(figures) == len(FIGURE_PAGES)
    small = [(f["id"], t["text"], round(t["px"], 1)) for f in figures for t in f["texts"] if t["px"] < 11]
    assert not small


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_no_two_figure_labels_overlap_on_screen(open_page, site_url, viewport):
    page = open_page(viewport=viewport)
    clashes = []
    for figure in figures_as_read(page, site_url, "light"):
        boxes = figure["texts"]
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                overlap_x = min(a["right"], b["right"]) - max(a["left"], b["left"])
                overlap_y = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
                if overlap_x > 1 and overlap_y > 2:  # glyph boxes include line gap: a small tolerance
                    clashes.append((figure["id"], a["text"], b["text"]))
    assert not clashes


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_no_figure_label_lies_on_a_route_or_series_line(open_page, site_url, viewport):
    page = open_page(viewport=viewport)
    crossed = []
    for figure in figures_as_read(page, site_url, "light"):
        for t in figure["texts"]:
            if any(t["left"] + 1 < x < t["right"] - 1 and t["top"] + 2 < y < t["bottom"] - 2 for x, y in figure["points"]):
                crossed.append((figure["id"], t["text"]))
    assert not crossed


# ------------------------------------------------------------------------ tables, print, 404

# Every cell of a table's first two rows, with its right edge and that of the box it must fit.
TABLE_COLUMNS_JS = """() => {
  document.querySelectorAll('article details').forEach(d => { d.open = true; });
  const out = [];
  document.querySelectorAll('article table').forEach((table, n) => {
    const frame = table.closest('.md-typeset__scrollwrap, .figure-data-table') || table.parentElement;
    const box = frame.getBoundingClientRect();
    const article = document.querySelector('article').getBoundingClientRect();
    const right = Math.min(box.right, article.right);
    [...table.rows].slice(0, 2).forEach(row => [...row.cells].forEach(cell => {
      const r = cell.getBoundingClientRect();
      if (r.right > right + 1) out.push({table: table.id || n, cell: cell.textContent.trim().slice(0, 30),
                                         cellRight: Math.round(r.right), frameRight: Math.round(right)});
    }));
  });
  return out;
}"""


def test_at_desktop_width_no_table_column_is_out_of_view(open_page, pages, site_url, built_site):
    with_tables = [p for p in pages if "<table" in _html(built_site, p)]
    assert "context/comparison/" in with_tables
    page = open_page(viewport=DESKTOP)
    hidden = []
    for path in with_tables:
        page.goto(site_url + path, wait_until="load")
        hidden += [f"{path}: {cell}" for cell in page.evaluate(TABLE_COLUMNS_JS)]
    assert not hidden, "columns out of view at 1280px:\n" + "\n".join(hidden)


def _printed_text(page) -> str:
    from io import BytesIO

    from pypdf import PdfReader

    page.emulate_media(media="print")
    reader = PdfReader(BytesIO(page.pdf(format="A4")))
    return " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)


@pytest.mark.parametrize("path", ["context/comparison/", "themes/transport/", "themes/regional-security/"])
def test_every_table_header_is_on_the_printed_page(open_page, path):
    page = open_page(path)
    headers = page.evaluate("""() => { document.querySelectorAll('article details').forEach(d => { d.open = true; });
        return [...document.querySelectorAll('article table thead th')].map(th => th.innerText.replace(/\\s+/g, ' ').trim())
               .filter(Boolean); }""")
    assert headers, f"{path} has no table headers"
    printed = _printed_text(page).replace("- ", "-")
    missing = [h for h in headers if h.replace(" ", "") not in printed.replace(" ", "")]
    assert not missing, f"{path}: headers missing on paper: {missing}"


def test_print_leaves_out_the_citation_formats(open_page):
    page = open_page(THEME_PAGE)
    page.emulate_media(media="print")
    shown = page.evaluate("""() => [...document.querySelectorAll('details.cite-block, details.cite-section, pre.cite-text')]
                                     .filter(el => el.checkVisibility()).length""")
    assert shown == 0
    assert "@online{" not in _printed_text(page)


def test_a_wide_table_on_a_phone_keeps_its_first_column_and_shows_a_scroll_cue(open_page):
    page = open_page("context/comparison/", viewport=PHONE)
    state = page.evaluate("""() => {
        let wrap = document.querySelector('table[id^="tbl-"]');
        while (wrap && wrap.scrollWidth <= wrap.clientWidth + 1) wrap = wrap.parentElement;  // the box that scrolls
        const first = () => wrap.querySelector('tbody td:first-child').getBoundingClientRect().left;
        const before = first();
        wrap.scrollLeft = 300;
        return {before, after: first(), scrolled: wrap.scrollLeft, cue: getComputedStyle(wrap).backgroundImage};
    }""")
    assert state["scrolled"] > 0, state
    assert abs(state["after"] - state["before"]) < 2, f"the first column moved while the table scrolled: {state}"
    assert state["cue"].count("gradient") >= 2, f"no scroll shadow on the table's frame: {state['cue']}"
