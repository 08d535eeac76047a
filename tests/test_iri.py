"""The readable form of an address that the reference list prints (mdcite.iri.readable_url)."""

from __future__ import annotations

from mdcite.iri import readable_url


def test_percent_encoded_cyrillic_is_shown_as_cyrillic():
    url = "https://cyclowiki.org/wiki/%D0%94%D0%BE%D0%B3%D0%BE%D0%B2%D0%BE%D1%80_%D0%BE_%D0%BF%D0%B0%D1%80%D1%82%D0%BD%D1%91%D1%80%D1%81%D1%82%D0%B2%D0%B5"
    assert readable_url(url) == "https://cyclowiki.org/wiki/Договор_о_партнёрстве"


def test_percent_encoded_persian_is_shown_as_persian():
    url = "https://spnfa.ir/amp/20231226/%D8%AA%D8%A7%DA%A9%DB%8C%D8%AF-%D9%84%D8%A7%D9%88%D8%B1%D9%88%D9%81-19147412.html"
    assert readable_url(url) == "https://spnfa.ir/amp/20231226/تاکید-لاوروف-19147412.html"


def test_escapes_of_ascii_characters_stay_encoded_beside_decoded_text():
    url = "https://example.org/%D0%94%2F%D0%B0%20b%3Fc%23d%3D1"
    assert readable_url(url) == "https://example.org/Д%2Fа%20b%3Fc%23d%3D1"


def test_an_encoded_percent_sign_stays_encoded():
    assert readable_url("https://example.org/100%25-%D0%94") == "https://example.org/100%25-Д"


def test_bytes_that_are_not_utf8_stay_encoded_in_their_original_case():
    # a Windows-1251 "Д" (one byte), a lone continuation byte, a truncated sequence, an overlong "/"
    url = "https://example.org/%c4/%80/%D0/%C0%AF/%D0%94"
    assert readable_url(url) == "https://example.org/%c4/%80/%D0/%C0%AF/Д"


def test_a_truncated_sequence_keeps_its_escape_and_the_valid_character_after_it_is_decoded():
    assert readable_url("https://example.org/%E2%82%D0%94") == "https://example.org/%E2%82Д"


def test_invisible_and_blank_characters_stay_encoded():
    # a no-break space, a right-to-left override, a zero-width space and the replacement character
    url = "https://example.org/a%C2%A0b%E2%80%AEc%E2%80%8Bd%EF%BF%BDe"
    assert readable_url(url) == url


def test_an_address_with_no_escapes_or_a_stray_percent_is_unchanged():
    for url in ("https://example.org/x?y=1", "https://example.org/الشورى", "https://example.org/50%off%G1"):
        assert readable_url(url) == url


def test_a_character_outside_the_basic_plane_is_decoded():
    assert readable_url("https://example.org/%F0%9F%98%80") == "https://example.org/😀"


def test_the_zero_width_non_joiner_of_persian_spelling_is_decoded():
    url = "https://www.iribnews.ir/fa/news/5585040/%D9%84%D8%A7%D8%B2%D9%85%E2%80%8C%D8%A7%D9%84%D8%A7%D8%AC%D8%B1%D8%A7"
    assert readable_url(url) == "https://www.iribnews.ir/fa/news/5585040/لازم\u200cالاجرا"
