"""The real site, built once in strict mode: links, citations, bibliography, clause map."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from mdcite import bibliography
from tests.site_pages import ROOT, article, html_pages, lychee, on_a_host, page_for, parse, unresolved_links

pytestmark = pytest.mark.slow


def test_real_site_builds_with_every_page(built_site):
    for src in ["index.md", "treaty/index.md", "treaty/articles.md", "references.md",
                "themes/defence.md", "context/glossary.md", "about/cite.md"]:
        assert page_for(built_site, src).exists(), src


def test_lychee_finds_no_broken_internal_link_or_fragment(built_site):
    done = lychee(built_site)
    assert done.returncode == 0, done.stdout + done.stderr
    assert " 0 Errors" in done.stdout


def test_lychee_finds_no_broken_link_under_a_sub_path(subpath_site):
    served = on_a_host(subpath_site, "treaty-guide")
    done = lychee(served, root_dir=served.parent)
    assert done.returncode == 0, done.stdout + done.stderr
    assert " 0 Errors" in done.stdout


def test_not_found_page_links_resolve_at_the_root(built_site):
    """404.html is served at any depth, so its links are absolute; each must reach a file."""
    assert unresolved_links(built_site / "404.html", built_site) == []


def test_not_found_page_links_resolve_under_a_sub_path(subpath_site):
    served = on_a_host(subpath_site, "treaty-guide")
    assert unresolved_links(served / "404.html", served.parent) == []


def test_not_found_page_footer_links_to_the_changelog_and_how_to_cite(built_site, subpath_site):
    for site, base in ((built_site, "/"), (subpath_site, "/treaty-guide/")):
        hrefs = {a.get("href") for a in parse(site / "404.html").cssselect(".md-copyright a")}
        assert {f"{base}about/changelog/", f"{base}about/cite/"} <= hrefs, (base, hrefs)


def test_unresolved_links_finds_a_link_to_another_host_and_a_missing_file(tmp_path):
    (tmp_path / "about").mkdir()
    (tmp_path / "about" / "index.html").write_text("<h1>About</h1>")
    (tmp_path / "404.html").write_text('<a href="/about/">ok</a><a href="//about/changelog/">host</a>'
                                       '<a href="/treaty-guide//about/cite/">gone</a>')
    assert unresolved_links(tmp_path / "404.html", tmp_path) == ["//about/changelog/", "/treaty-guide//about/cite/"]


def test_lychee_reports_a_broken_fragment(tmp_path):
    (tmp_path / "a.html").write_text('<a href="b.html#missing">x</a>')
    (tmp_path / "b.html").write_text('<h1 id="present">B</h1>')
    assert lychee(tmp_path).returncode != 0


def test_every_citation_links_to_an_entry_on_the_same_page(built_site):
    checked = 0
    for path in html_pages(built_site):
        doc = parse(path)
        # The entry is in the page's own list, where the citation's preview is built from.
        entries = {li.get("id") for li in doc.cssselect("section.references li.reference")}
        for a in doc.cssselect("a.citation"):
            href = a.get("href")
            assert href.startswith("#ref-"), (path, href)
            assert href[1:] in entries, (path, href)
            checked += 1
    assert checked > 300


def test_each_citing_page_closes_with_exactly_the_works_it_cites(built_site):
    for path in html_pages(built_site):
        doc = article(parse(path))
        cited = {a.get("href")[5:] for a in doc.cssselect("a.citation")}
        lists = doc.cssselect("section.references")
        if path.parent.name == "references":
            continue
        if not cited:
            assert not lists, path
            continue
        assert len(lists) == 1, path
        listed = [li.get("id")[4:] for li in lists[0].cssselect("li.reference")]
        assert sorted(listed) == sorted(cited), path
        assert lists[0].getparent().index(lists[0]) >= 0


def test_not_found_page_offers_search_and_three_ways_on_at_the_root_and_under_a_sub_path(built_site, subpath_site):
    for site, base in ((built_site, "/"), (subpath_site, "/treaty-guide/")):
        ways = parse(site / "404.html").cssselect(".not-found-ways")[0]
        assert ways.cssselect('label[for="__search"]'), "no way to open the search"
        hrefs = {a.get("href") for a in ways.cssselect("a")}
        assert {f"{base}.", f"{base}treaty/articles/", f"{base}references/"} <= hrefs, (base, hrefs)


def test_bibliography_letter_bar_links_to_a_heading_above_each_letters_works(built_site):
    doc = parse(built_site / "references" / "index.html")
    bar = doc.cssselect("nav.az-bar a")
    assert len(bar) >= 20, "the A–Z bar is missing or nearly empty"
    for a in bar:
        letter = a.text_content()
        heading = doc.get_element_by_id(a.get("href")[1:])
        assert heading.tag == "h2" and heading.text_content() == letter
        entries = heading.getnext().cssselect("li.reference")
        assert entries, f"no works under {letter}"
        for li in entries:
            first = bibliography.fold(li.text_content().lstrip(" \"“‘([{"))[:1].upper()
            assert first == letter, (letter, li.get("id"), li.text_content()[:40])


def test_a_right_to_left_title_is_isolated_so_the_date_after_it_keeps_its_place(built_site):
    arabic = re.compile("[\u0600-\u06ff]")
    for path, selector in ((built_site / "references" / "index.html", ".bibliography li.reference"),
                           (page_for(built_site, "treaty/articles.md"), "section.references li.reference")):
        entries = parse(path).cssselect(selector)
        isolated = [li for li in entries if any(arabic.search(b.text_content()) for b in li.cssselect("bdi"))]
        assert len(isolated) >= 2, f"{path}: the Arabic titles are not in <bdi>"
        for li in entries:
            loose = "".join(li.xpath("./text() | ./a/text()"))
            assert not arabic.search(loose), f"{li.get('id')}: right-to-left text outside <bdi>: {loose[:80]}"


def test_the_cyclowiki_reference_shows_its_address_in_cyrillic_and_links_the_exact_url(built_site):
    url = bibliography.load(ROOT / "references.bib").references["cyclowiki-treaty"].fields["url"]
    assert "%D0%94" in url  # the bib keeps the encoded address
    page = page_for(built_site, "treaty/index.md")
    link = parse(page).cssselect('li[id="ref-cyclowiki-treaty"] a[href^="https://cyclowiki.org/"]')
    assert [a.text_content() for a in link] == [
        "https://cyclowiki.org/wiki/Договор_о_всеобъемлющем_стратегическом_партнёрстве_между_"
        "Российской_Федерацией_и_Исламской_Республикой_Иран"]
    assert f'<a href="{url}">'.encode() in page.read_bytes()


def test_bibliography_page_has_every_entry_with_backlinks(built_site):
    bib = bibliography.load(ROOT / "references.bib")
    doc = parse(built_site / "references" / "index.html")
    for key in bib.references:
        entry = doc.cssselect(f'li[id="ref-{key}"]')
        assert entry, key
        links = entry[0].cssselect(".cited-in a")
        assert links, f"{key} is never cited"
        for a in links:
            assert " › " in a.text_content() or "#" not in a.get("href")


def test_bibliography_page_offers_the_exports(built_site):
    doc = parse(built_site / "references" / "index.html")
    hrefs = {a.get("href") for a in doc.cssselect("a")}
    assert {"../references.bib", "../references.ris", "../references.json"} <= hrefs
    for name in ("references.bib", "references.ris", "references.json"):
        assert (built_site / name).stat().st_size > 1000


def test_bibliography_entries_are_in_style_order(built_site):
    bib = bibliography.load(ROOT / "references.bib")
    doc = parse(built_site / "references" / "index.html")
    order = [li.get("id")[4:] for li in doc.cssselect(".bibliography li.reference")]
    assert order == [r.key for r in bib.sorted()]


def test_every_cross_reference_resolves(built_site):
    count = 0
    for path in html_pages(built_site):
        for a in parse(path).cssselect("a.crossref"):
            target = (path.parent / a.get("href").split("#")[0]).resolve()
            if target.is_dir():
                target = target / "index.html"
            fragment = a.get("href").split("#")[1]
            assert parse(target).xpath(f'//*[@id="{fragment}"]'), (path, a.get("href"))
            count += 1
    assert count > 50


# -- the clause map -----------------------------------------------------------------------------

STATUSES = {"verified", "reported", "unverified"}


def clause_entries(built_site):
    doc = parse(built_site / "treaty" / "articles" / "index.html")
    return doc, [el for el in doc.xpath("//*[@id]") if re.fullmatch(r"art-(preamble|\d+)", el.get("id"))]


def entry_body(heading):
    """The elements between an entry's heading and the next heading of the same level."""
    body = []
    for sibling in heading.itersiblings():
        if sibling.tag == heading.tag or sibling.tag == "section":
            break
        body.append(sibling)
    return body


def article_order(label: str) -> int:
    return 0 if label == "art-preamble" else int(label[4:])


def entry_badge(entry):
    """An entry's status badge: inside a term of the compact list, just after a heading."""
    holder = entry if entry.tag == "dt" else entry_body(entry)[0]
    return holder.cssselect(".status-badge")[0]


def entry_title(entry) -> str:
    """An entry's own words, without its badge and its ¶ link."""
    parts = [entry.text or ""] + [("" if child.get("class") in ("entry-meta", "headerlink")
                                   else child.text_content()) + (child.tail or "") for child in entry]
    return "".join(parts).strip()


def test_clause_map_has_exactly_the_preamble_and_articles_1_to_47(built_site):
    _, entries = clause_entries(built_site)
    ids = [e.get("id") for e in entries]
    assert sorted(ids, key=article_order) == ["art-preamble"] + [f"art-{n}" for n in range(1, 48)]
    for tag in {e.tag for e in entries}:  # the headed entries are in order, and so is the list
        numbers = [article_order(e.get("id")) for e in entries if e.tag == tag]
        assert numbers == sorted(numbers), tag


def test_each_clause_map_entry_shows_its_status(built_site):
    _, entries = clause_entries(built_site)
    for entry in entries:
        status = entry.get("data-status")
        assert status in STATUSES, entry.get("id")
        assert entry_badge(entry).get("data-status") == status


def test_each_clause_map_entry_has_a_permanent_link_to_itself(built_site):
    _, entries = clause_entries(built_site)
    for entry in entries:
        assert [a.get("href") for a in entry.cssselect("a.headerlink")] == [f"#{entry.get('id')}"]


def test_verified_and_reported_entries_have_a_summary_and_a_citation(built_site):
    _, entries = clause_entries(built_site)
    for heading in entries:
        if heading.get("data-status") == "unverified":
            continue
        paragraphs = [p for p in entry_body(heading) if p.tag == "p" and "entry-meta" not in (p.get("class") or "")]
        text = " ".join(p.text_content() for p in paragraphs)
        assert len(text.split()) >= 20, heading.get("id")
        assert any(p.cssselect("a.citation") for p in paragraphs), heading.get("id")
        assert ":" in heading.text_content(), heading.get("id")  # "Article N: Topic"


def test_reported_entries_say_who_reports_them(built_site):
    _, entries = clause_entries(built_site)
    for heading in entries:
        if heading.get("data-status") == "reported":
            text = " ".join(p.text_content() for p in entry_body(heading))
            assert re.search(r"\b(reported|reports|according to|describes|as summarised)\b", text, re.I), heading.get("id")


def test_unverified_entries_state_no_content(built_site):
    _, entries = clause_entries(built_site)
    unverified = [h for h in entries if h.get("data-status") == "unverified"]
    assert unverified
    for entry in unverified:
        assert re.fullmatch(r"Article \d+", entry_title(entry)), entry.get("id")
        assert not entry.get("data-tags")
        if entry.tag == "dt":  # one compact list: its one definition and the paragraph before it
            definitions = entry.getparent().cssselect("dd")
            assert len(definitions) == 1, entry.get("id")
            texts = [definitions[0].text_content()]
            intro = entry.getparent().getparent().getprevious()
        else:
            intro = next(p for p in entry_body(entry) if p.tag == "p" and "entry-meta" not in (p.get("class") or ""))
            texts = [intro.text_content()]
        assert all(re.search(r"not (yet )?(read|verified|seen)", t, re.I) for t in texts), entry.get("id")
        assert not intro.cssselect("a.citation"), entry.get("id")  # nothing is cited for a text not read
        assert any("about/method" in (a.get("href") or "") or "github" in (a.get("href") or "")
                   for a in intro.cssselect("a")), entry.get("id")


def test_article_3_shows_the_basis_of_each_paragraph(built_site):
    doc = parse(built_site / "treaty" / "articles" / "index.html")
    heading = doc.xpath('//*[@id="art-3"]')[0]
    table = next(el for el in entry_body(heading) if el.tag == "table")
    rows = table.cssselect("tbody tr")
    assert [row.cssselect("td")[0].text_content().strip() for row in rows] == ["1", "2", "3", "4"]
    assert [row.cssselect("td")[-1].text_content().strip() for row in rows] == [
        "Verified", "Verified", "Verified", "Reported"]
    assert all(row.cssselect("a.citation") for row in rows)


def test_status_counts_at_the_top_match_the_entries(built_site):
    doc, entries = clause_entries(built_site)
    counts = Counter(h.get("data-status") for h in entries)
    summary = doc.cssselect("ul.status-summary")[0].text_content()
    for status, label in (("verified", "Verified"), ("reported", "Reported"),
                          ("unverified", "Not yet verified")):
        assert f"{label}: {counts[status]} of 48 entries" in summary


def test_tag_index_lists_every_tagged_entry(built_site):
    doc, entries = clause_entries(built_site)
    index = doc.cssselect("div.tag-index")[0]
    for heading in entries:
        for tag in (heading.get("data-tags") or "").split():
            block = index.xpath(f'.//h3[@id="tag-{tag}"]/following-sibling::ul[1]')[0]
            assert f"#{heading.get('id')}" in [a.get("href") for a in block.cssselect("a")]


def test_unnumbered_provisions_are_listed_with_citations(built_site):
    doc = parse(built_site / "treaty" / "articles" / "index.html")
    heading = doc.xpath('//*[@id="sec-articles-unnumbered"]')[0]
    items = [el for el in heading.itersiblings() if el.tag in ("ul", "p", "table")]
    assert sum(len(el.cssselect("a.citation")) for el in items[:3]) >= 8


def test_article_3_cross_reference_is_titled_with_its_topic(built_site):
    doc = parse(built_site / "themes" / "defence" / "index.html")
    links = [a for a in doc.cssselect("a.crossref") if a.get("href").endswith("#art-3")]
    assert links and links[0].text == "Article 3"
    assert links[0].get("title").startswith("Article 3: ")


def test_every_page_links_to_its_source_for_editing(built_site):
    for path in html_pages(built_site):
        if path.parent.name == "search":
            continue
        rel = path.parent.relative_to(built_site).as_posix()
        edit = [a.get("href") for a in parse(path).cssselect("a.md-content__button")
                if "/edit/" in (a.get("href") or "")]
        assert edit, path
        assert edit[0].startswith("https://github.com/") and "/edit/main/docs/" in edit[0]
        src = edit[0].split("/edit/main/docs/")[1]
        assert src in (f"{rel}.md", f"{rel}/index.md", "index.md" if rel == "." else "-"), (path, src)


TREATY_SECTIONS = ["sec-treaty-titles", "sec-treaty-signing", "sec-treaty-structure",
                   "sec-treaty-duration", "sec-treaty-ratification", "sec-treaty-entry-into-force",
                   "sec-treaty-languages", "sec-treaty-not-an-alliance"]


@pytest.mark.parametrize("section", TREATY_SECTIONS)
def test_treaty_at_a_glance_covers_each_required_fact_with_citations(built_site, section):
    doc = parse(built_site / "treaty" / "index.html")
    heading = doc.xpath(f'//*[@id="{section}"]')[0]
    body = []
    for sibling in heading.itersiblings():
        if sibling.tag in ("h2", "section"):
            break
        body.append(sibling)
    assert sum(len(el.cssselect("a.citation")) for el in body) >= 2, section


def test_treaty_page_records_where_sources_disagree(built_site):
    text = article(parse(built_site / "treaty" / "index.html")).text_content()
    assert "192" in text and "191" in text  # the Majlis vote counts differ by source
    assert "2 October 2025" in text and "July 2025" in text  # Jalali's earlier claim
