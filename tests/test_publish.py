"""Publishing: dated editions built from their own tags beside the living site, and the PDF edition.

One scratch repository is made per session from the working tree: a tag from before the engine
existed (v2026.10, skipped), then two edition tags (v2026.11 and v2026.12, whose method page
differs), and ``scripts/publish.py`` writes ``public/`` from it for a sub-path address.
"""

from __future__ import annotations

import concurrent.futures
import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import pypdf
import pytest

from tests.browser_helpers import DESKTOP, LAUNCH_ARGS, chromium_path, in_ci, missing_browser
from tests.site_pages import ROOT, article, html_pages, lychee, on_a_host, parse

pytestmark = pytest.mark.slow
BASE = "https://example.github.io/treaty-guide/"
MARKER = "This sentence first appears in the December 2026 edition."
RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
OLD_ID, NEW_ID = "sec-method-edition-probe", "sec-method-edition-probe-renamed"


@dataclass
class Published:
    public: Path
    stdout: str
    stderr: str


def weasyprint_missing() -> str | None:
    """WeasyPrint needs Pango from the system; CI installs it (.ci/run), elsewhere its absence skips."""
    try:
        import weasyprint  # noqa: F401
    except OSError as exc:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            raise
        return f"WeasyPrint cannot load its system libraries ({exc}); apt-get install libpango-1.0-0 libpangoft2-1.0-0"
    return None


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=Test", "-c", "user.email=test@example.org", *args],
                   cwd=repo, check=True, capture_output=True)


def copy_working_tree(repo: Path) -> None:
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, check=True, capture_output=True, text=True).stdout
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name)


@pytest.fixture(scope="session")
def published(tmp_path_factory) -> Published:
    reason = weasyprint_missing()
    if reason:
        pytest.skip(reason)
    repo = tmp_path_factory.mktemp("publish") / "repo"
    repo.mkdir()
    git(repo, "init", "--quiet", "--initial-branch=main")
    shutil.copy2(ROOT / "README.md", repo / "README.md")
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", "Before the engine")
    git(repo, "tag", "-a", "v2026.10", "-m", "A tag from before editions existed")
    copy_working_tree(repo)
    method = repo / "docs" / "about" / "method.md"
    method.write_text(method.read_text(encoding="utf-8") + f"\n## Edition probe {{#{OLD_ID}}}\n\nA probe section.\n",
                      encoding="utf-8")
    subprocess.run([sys.executable, "-m", "mdcite.cli", "anchors"], cwd=repo, check=True, capture_output=True,
                   env=os.environ | {"PYTHONPATH": str(repo / "scripts")})
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", "The site")
    git(repo, "tag", "-a", "v2026.11", "-m", "November edition\n\nThe first dated edition.")
    text = method.read_text(encoding="utf-8").replace(f"{{#{OLD_ID}}}", f"{{#{NEW_ID}}}")
    method.write_text(text + f"\n{MARKER}\n", encoding="utf-8")
    (repo / "docs" / "about" / "anchor-aliases.yml").write_text(f"about/method.md:\n  {OLD_ID}: {NEW_ID}\n",
                                                                encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "--quiet", "-m", "A new sentence on the method page")
    git(repo, "tag", "-a", "v2026.12", "-m", "December edition\n\nThe method page gains a sentence.")
    done = subprocess.run([sys.executable, str(repo / "scripts" / "publish.py"), "--root", str(repo), "--out", "public"],
                          cwd=repo, env=os.environ | {"SITE_URL": BASE, "NO_MKDOCS_2_WARNING": "1"},
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.fail(f"publish failed:\n{done.stdout}\n{done.stderr}")
    return Published(repo / "public", done.stdout, done.stderr)


def edition_pages(public: Path, slug: str) -> list[Path]:
    folder = public / "editions" / slug
    return [p for p in html_pages(folder) if parse(p).cssselect("article.md-content__inner")]


def living_pages(public: Path) -> list[Path]:
    return [p for p in html_pages(public) if "editions" not in p.relative_to(public).parts
            and parse(p).cssselect("article.md-content__inner")]


def address(public: Path, page: Path) -> str:
    return BASE + page.parent.relative_to(public).as_posix().removeprefix(".") + "/" if page.parent != public else BASE


# Editions -----------------------------------------------------------------------------------------

def test_a_tag_from_before_the_engine_is_skipped_with_a_one_line_reason(published):
    lines = [line for line in published.stderr.splitlines() if "v2026.10" in line]
    assert len(lines) == 1 and lines[0].startswith("publish: v2026.10 skipped: "), published.stderr
    assert not (published.public / "editions" / "2026-10").exists()


def test_each_edition_is_built_from_its_own_tagged_sources(published):
    november = (published.public / "editions/2026-11/about/method/index.html").read_text(encoding="utf-8")
    december = (published.public / "editions/2026-12/about/method/index.html").read_text(encoding="utf-8")
    assert MARKER not in november
    assert MARKER in december


def test_lychee_finds_no_broken_link_in_the_living_site_or_any_edition(published):
    served = on_a_host(published.public, "treaty-guide")  # published for /treaty-guide/ of its host
    done = lychee(served, root_dir=served.parent)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (published.public / "editions/2026-11/index.html").exists()


def test_every_edition_page_says_it_is_archived_with_its_date(published):
    for slug, month in [("2026-11", "November 2026"), ("2026-12", "December 2026")]:
        pages = edition_pages(published.public, slug)
        assert len(pages) > 15
        for page in pages:
            banner = parse(page).cssselect("article .edition-banner")
            assert banner, page
            assert f"Archived edition of {month}" in banner[0].text_content(), page


def test_every_edition_page_names_itself_canonical(published):
    for slug in ["2026-11", "2026-12"]:
        for page in edition_pages(published.public, slug):
            links = parse(page).xpath('//head/link[@rel="canonical"]/@href')
            assert links == [address(published.public, page)], page


def test_an_edition_cite_block_cites_the_edition_not_the_living_version(published):
    page = published.public / "editions/2026-11/themes/energy/index.html"
    block = parse(page).cssselect("details#cite-this-page")[0]
    assert block.get("data-url") == BASE + "editions/2026-11/themes/energy/"
    assert "Cite this edition" in block.cssselect(".cite-version")[0].text_content()


def test_every_edition_page_links_to_the_same_page_of_the_living_site(published):
    for page in edition_pages(published.public, "2026-11"):
        href = parse(page).cssselect("a.edition-living")[0].get("href")
        living = (page.parent / href).resolve()
        in_edition = page.parent.relative_to(published.public / "editions" / "2026-11")
        assert living == (published.public / in_edition).resolve(), page


def test_an_edition_page_follows_a_declared_anchor_move_to_the_living_site(published):
    page = published.public / "editions/2026-11/about/method/index.html"
    assert f'id="{OLD_ID}"' in page.read_text(encoding="utf-8")
    banner = parse(page).cssselect(".edition-banner")[0]
    assert f'"{OLD_ID}": "{NEW_ID}"' in banner.get("data-aliases")


def test_the_changelog_lists_every_edition_with_what_changed(published):
    block = parse(published.public / "about/changelog/index.html").cssselect(".editions-list")[0]
    text = " ".join(block.text_content().split())
    assert text.index("December 2026 edition") < text.index("November 2026 edition")
    assert "The method page gains a sentence." in text and "The first dated edition." in text
    hrefs = [a.get("href") for a in block.cssselect("a")]
    assert "../../editions/2026-12/" in hrefs and "../../editions/2026-11/" in hrefs


def test_living_cite_blocks_offer_the_newest_edition_with_its_address(published):
    pages = living_pages(published.public)
    assert len(pages) > 15
    for page in pages:
        block = parse(page).cssselect("details#cite-this-page")
        if not block:
            continue
        offer = block[0].cssselect(".cite-edition")
        assert offer, page
        assert "Cite the December 2026 edition" in offer[0].text_content(), page
        link = offer[0].cssselect("a.cite-edition-link")[0]
        expected = BASE + "editions/2026-12/" + address(published.public, page)[len(BASE):]
        assert link.text_content() == expected == offer[0].get("data-url"), page


def test_every_content_page_declares_the_pdf_of_its_own_edition(published):
    pages = [(p, BASE) for p in living_pages(published.public)]
    for slug in ["2026-11", "2026-12"]:
        pages += [(p, f"{BASE}editions/{slug}/") for p in edition_pages(published.public, slug)]
    for page, root in pages:
        declared = parse(page).xpath('//head/meta[@name="citation_pdf_url"]/@content')
        assert declared == [urljoin(root, "treaty-guide.pdf")], page
        assert (published.public / declared[0][len(BASE):]).is_file(), page


# The PDF edition ----------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def pdf_reader(published) -> pypdf.PdfReader:
    return pypdf.PdfReader(published.public / "treaty-guide.pdf")


@pytest.fixture(scope="session")
def pdf_text(pdf_reader) -> str:
    return squash("".join(page.extract_text() for page in pdf_reader.pages))


# Characters that shape the text without being drawn: a soft hyphen, and the zero-width
# non-joiner and joiner of Persian words (the non-joiner in "لازم‌الاجرا" keeps the two halves
# apart). Nothing of them is in the PDF's text layer, which holds the glyphs they shaped.
UNDRAWN = dict.fromkeys(map(ord, "\u00ad\u200c\u200d"))


def squash(text: str) -> str:
    """Text as compared: no whitespace at all, since the PDF breaks lines (and long URLs) anywhere,
    and none of the characters that are not drawn."""
    return "".join(text.translate(UNDRAWN).split())


def test_pdf_starts_each_cited_in_list_on_a_line_of_its_own(pdf_reader):
    # Under its entry, as on screen; it once ran on from the sentence that ends the entry
    # ("…quoted on this site.Cited in:"). (Prose that names the list quotes it: “Cited in:”.)
    text = "".join(page.extract_text() for page in pdf_reader.pages)
    assert text.count("Cited in:") > 200
    assert not re.search(r"\.(?=Cited in:)", text)


def test_pdf_has_every_page_title(published, pdf_text):
    for page in living_pages(published.public):
        title = squash(article(parse(page)).cssselect("h1")[0].text_content().rstrip("¶"))
        assert title in pdf_text, title


def test_pdf_has_every_bibliography_entry(published, pdf_text):
    entries = parse(published.public / "references/index.html").cssselect("li.reference")
    assert len(entries) > 200
    for entry in entries:
        text = re.split(r"Cited in:", entry.text_content())[0]
        if not RIGHT_TO_LEFT.search(text):
            assert squash(text) in pdf_text, text
            continue
        # Arabic or Persian runs keep their order, but punctuation next to them is placed by the
        # bidirectional algorithm, as in a browser: look for every word instead. In a readable
        # address the digits after an Arabic word join its right-to-left run, so a ".html" that
        # follows them is set apart ("…-وبزشكيان---1096884692.html" shows as "…1096884692---
        # وبزشكيان.html"): an address is split at its dots too.
        for word in filter(None, (w.strip("“”‘’.,;:()[]") for w in re.split(r"[\s/.-]+", text))):
            assert squash(word) in pdf_text, (word, text)


def test_pdf_has_every_figure_and_table_caption(published, pdf_text):
    captions = [squash(c.text_content()) for page in living_pages(published.public)
                for c in article(parse(page)).cssselect("figure figcaption, table caption")]
    for caption in captions:
        assert caption in pdf_text, caption


def test_pdf_prints_each_figure_once_in_its_wide_drawing(pdf_text):
    # The legend entry the wide INSTC map draws on one line, the phone drawing on two.
    assert pdf_text.count(squash("Eastern branch (via Kazakhstan, Turkmenistan)")) == 1


def internal_targets(reader: pypdf.PdfReader) -> list:
    """Every link annotation that points inside the document, as its destination."""
    found = []
    for page in reader.pages:
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            if annot.get("/Subtype") != "/Link":
                continue
            action = annot.get("/A")
            if action is not None and action.get("/S") == "/URI":
                continue
            found.append(annot.get("/Dest") if action is None else action.get("/D"))
    return found


def test_pdf_internal_links_resolve_to_destinations_inside_it(pdf_reader):
    targets = internal_targets(pdf_reader)
    assert len(targets) > 500
    page_ids = {page.indirect_reference.idnum for page in pdf_reader.pages}
    named = pdf_reader.named_destinations
    for target in targets:
        if isinstance(target, str):
            assert target in named, target
        else:
            assert target[0].get_object().indirect_reference.idnum in page_ids, target


def test_pdf_cross_references_and_citations_are_links(pdf_reader):
    annotations = [a.get_object() for page in pdf_reader.pages for a in page.get("/Annots") or []]
    assert sum(a.get("/Subtype") == "/Link" and a.get("/A") is None for a in annotations) > 1000


def test_pdf_metadata_has_title_author_date_and_licence(pdf_reader, published):
    meta = pdf_reader.metadata
    assert meta.title == "Russia–Iran Treaty: an open reference"
    assert meta.author == "The editors of the Russia–Iran Treaty Reference"
    assert meta.creation_date is not None
    assert "CC BY 4.0" in meta["/license"]


def test_pdf_title_page_gives_edition_date_licence_and_how_to_cite(pdf_reader):
    first = squash(pdf_reader.pages[0].extract_text())
    assert re.search(r"PDFeditionof\d{1,2}[A-Z][a-z]+\d{4}", first), first
    assert "CCBY4.0" in first and "Howtocitethisedition" in first
    assert BASE + "treaty-guide.pdf" in first


def test_an_edition_pdf_is_dated_by_its_tag(published):
    reader = pypdf.PdfReader(published.public / "editions/2026-11/treaty-guide.pdf")
    first = squash(reader.pages[0].extract_text())
    assert "Versionv2026.11" in first, first


# In a browser: the cite blocks and the banner's link follow the reader's section -----------------

class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def served(published):
    """``public/`` served on 127.0.0.1 at its sub-path, as GitHub Pages would serve it."""
    handler = functools.partial(_Quiet, directory=str(published.public.parent))
    link = published.public.parent / "treaty-guide"
    if not link.exists():
        link.symlink_to(published.public, target_is_directory=True)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/treaty-guide/"
    server.shutdown()


def browse(served: str) -> dict:
    """What a reader's browser shows: a living section's edition citation, the banner's link."""
    from playwright.sync_api import sync_playwright

    seen = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=LAUNCH_ARGS)
        page = browser.new_page(viewport=DESKTOP)
        page.route(lambda url: not url.startswith("http://127.0.0.1"), lambda route: route.abort())
        page.goto(served + "themes/energy/")
        block = page.locator("h2[id^='sec-'] + details.cite-section").first
        seen["section"] = block.evaluate("b => b.previousElementSibling.id")
        seen["texts"] = block.locator(".cite-edition .cite-text").all_text_contents()
        seen["own"] = {f: block.locator(f':scope > dl.cite-formats [data-format="{f}"]').text_content()
                       for f in ("bibtex", "csl")}
        seen["edition"] = {f: block.locator(f'.cite-edition [data-format="{f}"]').text_content()
                           for f in ("bibtex", "csl")}
        page.goto(served + f"editions/2026-11/about/method/#{OLD_ID}")
        seen["living"] = page.locator("a.edition-living").evaluate("a => a.href")
        browser.close()
    return seen


@pytest.fixture(scope="session")
def in_browser(served) -> dict:
    reason = missing_browser()
    if reason:
        if in_ci():
            pytest.fail(f"browser tests must run in CI: {reason}", pytrace=False)
        pytest.skip(f"browser tests skipped: {reason}")
    # Its own thread: the browser tests' session may already run Playwright's loop in this one.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(browse, served).result()


@pytest.mark.browser
def test_a_living_section_offers_the_edition_address_of_that_section(in_browser):
    address = f"{BASE}editions/2026-12/themes/energy/#{in_browser['section']}"
    texts = in_browser["texts"]
    assert len(texts) == 5 and all(address in text for text in texts), texts  # Chicago … CSL-JSON


@pytest.mark.browser
def test_a_living_sections_edition_citation_has_the_sections_own_title_and_key(in_browser):
    import json

    import bibtexparser

    own, edition = (bibtexparser.parse_string(in_browser[k]["bibtex"]).entries[0] for k in ("own", "edition"))
    assert edition.key == f"{own.key}-2026-12" and own.key.endswith(in_browser["section"])
    assert edition["title"] == own["title"] and ":" in own["title"]  # "Page: Section"
    own_item, = json.loads(in_browser["own"]["csl"])
    edition_item, = json.loads(in_browser["edition"]["csl"])
    assert (edition_item["id"], edition_item["title"]) == (f"{own_item['id']}-2026-12", own_item["title"])


@pytest.mark.browser
def test_the_edition_banner_follows_the_readers_section_through_a_declared_move(in_browser, served):
    assert in_browser["living"] == served + f"about/method/#{NEW_ID}"


# ----------------------------------------------------------------------------- the PDF as a book

HEAD_ZONE_PT = 62  # the top margin (22 mm): only a running head is set there


def text_runs(page) -> list[tuple[float, str, str]]:
    """(height on the page in points, text, font name) of every run of text on a PDF page."""
    runs = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            runs.append((tm[5] * cm[3] + cm[5], text.strip(), str((font or {}).get("/BaseFont", ""))))

    page.extract_text(visitor_text=visit)
    return runs


def fonts_of(reader: pypdf.PdfReader) -> dict[str, bool]:
    """Every font the PDF uses, by name, and whether its program is embedded."""
    found = {}
    for page in reader.pages:
        for font in (page.get("/Resources") or {}).get("/Font", {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor") or next(
                (d.get_object().get("/FontDescriptor") for d in font.get("/DescendantFonts", [])), None)
            descriptor = descriptor.get_object() if descriptor is not None else {}
            found[str(font["/BaseFont"])] = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return found


def test_pdf_embeds_every_font_it_uses_and_sets_its_text_in_the_chosen_faces(pdf_reader):
    installed = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True).stdout
    if not in_ci() and not {"Charis SIL", "Noto Sans"} <= set(installed.replace(",", "\n").splitlines()):
        pytest.skip("the PDF's fonts are not installed (apt-get install fonts-sil-charis fonts-noto-core)")
    fonts = fonts_of(pdf_reader)
    assert fonts and all(fonts.values()), {name: embedded for name, embedded in fonts.items() if not embedded}
    families = {name.split("+", 1)[-1].split("-")[0] for name in fonts}
    assert {"Charis", "Noto"} <= families, families


def test_pdf_is_tagged_for_accessibility_with_its_language(pdf_reader):
    catalog = pdf_reader.trailer["/Root"]
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in catalog
    assert catalog["/Lang"] == "en"


def test_pdf_running_head_is_one_title_never_two_sharing_a_line(pdf_reader, published):
    site_title = pdf_reader.metadata.title
    chapters = {" ".join(h1.text_content().replace("¶", "").split())
                for page in living_pages(published.public)
                for h1 in parse(page).cssselect("article h1")}
    height = float(pdf_reader.pages[0].mediabox.height)
    heads = []
    for n, page in enumerate(pdf_reader.pages[1:], start=2):
        head = " ".join(text for y, text, _ in text_runs(page) if y > height - HEAD_ZONE_PT)
        if head:
            heads.append(head)
            assert head == site_title or head in chapters, f"page {n}: running head {head!r}"
    assert site_title in heads and len(set(heads)) > 5, set(heads)


def test_pdf_captions_start_with_a_bold_figure_or_table_label(pdf_reader):
    labels = [(text, font) for page in pdf_reader.pages for _, text, font in text_runs(page)
              if re.fullmatch(r"(Figure|Table) \d+\.", text)]
    assert len(labels) >= 5, labels
    assert all("Bold" in font for _, font in labels), labels
