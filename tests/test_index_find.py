"""Finding the page being rendered by its text (the fallback for a generator that does not name
the page): two pages with identical text are refused with an error naming both, never rendered
with the links of one of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from mdcite import index as index_module
from mdcite.errors import SourceError

BODY = "# Twin\n\nThe same words on two pages.\n"


def scan(project: Path) -> index_module.Index:
    return index_module.build(project, "docs", "references.bib", True)


@pytest.fixture
def twins(project: Path) -> Path:
    """The scratch project with two more pages of identical text, one behind front matter."""
    (project / "docs" / "a.md").write_text(BODY, encoding="utf-8")
    (project / "docs" / "b.md").write_text("---\ntitle: B\n---\n" + BODY, encoding="utf-8")
    return project


def test_looking_up_text_that_two_pages_share_names_both_pages_at_their_first_line(twins):
    idx = scan(twins)
    with pytest.raises(SourceError) as caught:
        idx.find(BODY)
    message = ("pages docs/a.md and docs/b.md have identical text; the engine cannot tell them apart when the "
               "site generator does not say which page it renders, and would give each the links of one; make "
               "each page's text its own (its title or a sentence), or remove the copy and link to one page")
    assert [str(d) for d in caught.value.diagnostics] == [f"docs/a.md:1:1: error: {message}",
                                                          f"docs/b.md:4:1: error: {message}"]


def test_text_that_differs_from_a_twin_only_in_trailing_spaces_is_refused_too(twins):
    with pytest.raises(SourceError, match=r"pages docs/a\.md and docs/b\.md have identical text"):
        scan(twins).find(BODY.replace("two pages.", "two pages.   ").replace("\n", "\r\n"))


def test_a_page_whose_text_is_its_own_is_still_found_beside_twins(twins):
    idx = scan(twins)
    text = (twins / "docs" / "articles.md").read_text(encoding="utf-8")
    _, body, _ = index_module.split_front_matter(text)
    assert idx.find(body).src == "articles.md"


def test_identical_pages_are_no_error_of_the_check_itself(twins):
    """With a generator that names each page, identical text is harmless: only a look-up by text
    refuses it."""
    assert [str(d) for d in scan(twins).all_diagnostics() if "identical" in d.message] == []


@pytest.mark.parametrize("variant", ["Text.  \nMore\t\n", "Text.\r\nMore\r\n", "Text.\u00a0\nMore\u2003",
                                     "\n\nText.\nMore\n\n"])
def test_a_body_hashes_as_its_text_with_no_space_at_line_ends_and_no_carriage_returns(variant):
    from mdcite.index import body_hash

    assert body_hash(variant) == body_hash("Text.\nMore")
