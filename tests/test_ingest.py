"""Tests for bench.ingest: cleaning raw news sources into text, metadata and live-blog sections."""

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from bench.ingest import CleanSource, Section, clean_source

SOURCES = Path(__file__).parents[1] / "tasks" / "paris-summit" / "sources"


def _raw(prefix: str) -> str:
    (path,) = SOURCES.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


def _clean(prefix: str) -> CleanSource:
    (path,) = SOURCES.glob(f"{prefix}_*.txt")
    return clean_source(path.read_text(encoding="utf-8"), name=path.name)


def _paragraphs(source: CleanSource) -> list[str]:
    return source.text.split("\n\n")


# --- 000: YAML front matter + aggregator HTML ---------------------------------


def test_front_matter_becomes_metadata() -> None:
    metadata = _clean("000").metadata
    assert (
        metadata["title"]
        == "UK and France to send troops to Ukraine if peace deal agreed with Russia"
    )
    assert metadata["outlet"] == "BBC"
    assert metadata["date"] == "2026-01-07"
    assert metadata["link"].startswith("https://news.google.com/rss/articles/CBMiWkFVX3lx")
    assert metadata["tags"] == "ukraine, france, troops, agreed, russia"


def test_front_matter_fields_that_repeat_the_body_are_ignored() -> None:
    source = _clean("000")
    assert set(source.metadata) == {"title", "outlet", "date", "link", "tags"}
    assert not source.text.startswith("---")
    assert "slug" not in source.text and "draft" not in source.text


def test_html_list_items_become_headline_with_outlet_paragraphs() -> None:
    assert _paragraphs(_clean("000")) == [
        "UK and France to send troops to Ukraine if peace deal agreed with Russia (BBC)",
        "US backs security guarantees for Ukraine at summit of Kyiv's allies in Paris (Reuters)",
        "Russia-Ukraine war: List of key events, day 1,413 (Al Jazeera)",
        "On January 6, the Coalition of the Willing to Decide on Deployment of Multinational "
        "Forces in Ukraine - Militarnyi (Мілітарний)",
        "European Allies Agree to Key Security Provisions for Ukraine (The New York Times)",
    ]


def test_html_entities_are_decoded_and_nbsp_becomes_space() -> None:
    text = _clean("000").text
    assert "&nbsp;" not in text and "\xa0" not in text
    assert "<" not in text and ">" not in text


def test_generic_html_paragraphs_are_split_on_block_elements() -> None:
    raw = (
        "<html><head><title>t</title><style>p {}</style></head>"
        "<body>\n<p>One &amp; two</p>\n<p>Three<br>Four</p></body></html>"
    )
    assert clean_source(raw).text == "One & two\n\nThree\n\nFour"


def test_front_matter_title_without_outlet_suffix_is_kept_whole() -> None:
    source = clean_source("---\ntitle: Paris talks end\n---\nBody text.\n")
    assert source.metadata == {"title": "Paris talks end"}
    assert source.text == "Body text."


def test_front_matter_only_gives_metadata_and_empty_text() -> None:
    source = clean_source("---\ntitle: 'Talks - Reuters'\ndate: 2026-01-06\n---\n")
    assert source.text == ""
    assert source.metadata == {"title": "Talks", "outlet": "Reuters", "date": "2026-01-06"}


def test_front_matter_datetime_string_becomes_iso_date() -> None:
    source = clean_source("---\ndate: '2026-01-06T21:05:00Z'\n---\nBody.")
    assert source.metadata["date"] == "2026-01-06"


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("---\ntitle: x\nBody without a closing fence.\n", "no closing '---'"),
        ("---\ntitle: [unclosed\n---\nBody.\n", "not valid YAML"),
        ("---\n- just\n- a list\n---\nBody.\n", "must be a mapping"),
        ("---\ndate: last Tuesday\n---\nBody.\n", "not an ISO date"),
        ("---\ntitle: [a, b]\n---\nBody.\n", "'title' must be text"),
    ],
)
def test_malformed_front_matter_raises_value_error_naming_source(raw: str, problem: str) -> None:
    with pytest.raises(ValueError, match=re.escape(problem)) as info:
        clean_source(raw, name="bad_source.txt")
    assert "bad_source.txt" in str(info.value)


# --- 001/002/003: plain articles ----------------------------------------------


def test_leading_headline_lines_become_title_and_subtitle() -> None:
    metadata = _clean("001").metadata
    assert metadata == {
        "title": "UK, France to deploy troops in Ukraine post-war; "
        "35-nation coalition forms security plan",
        "subtitle": "UK, France sign pact to send troops to Ukraine after war",
    }


def test_headline_lines_are_removed_from_body() -> None:
    text = _clean("001").text
    assert text.startswith("In a significant move to guarantee Ukraine's long-term security")
    assert "UK, France sign pact" not in text


def test_interior_subheadings_stay_as_their_own_paragraphs() -> None:
    paragraphs = _paragraphs(_clean("001"))
    for heading in (
        "The 'Coalition of the Willing': A 35-Nation Security Shield",
        "UK-France Pact: Military Hubs and Troop Deployment",
        "US Role and Stalled Peace Efforts",
    ):
        assert heading in paragraphs


def test_prose_first_line_is_not_taken_as_title() -> None:
    source = _clean("002")
    assert "title" not in source.metadata
    assert source.text.startswith("The UK and France have signed a declaration of intent")


def test_each_line_of_a_plain_article_is_a_paragraph() -> None:
    lines = [line for line in _raw("002").splitlines() if line.strip()]
    assert _paragraphs(_clean("002")) == lines


def test_trailing_blank_lines_are_dropped() -> None:
    raw, text = _raw("002"), _clean("002").text
    assert raw.endswith("\n\n\n")
    assert text == text.strip()
    assert text.endswith("reflecting the ongoing complexity of the peace process.")


def test_repeated_article_body_is_kept_once() -> None:
    raw, source = _raw("003"), _clean("003")
    paragraphs = _paragraphs(source)
    assert len(paragraphs) == len(set(paragraphs))
    assert source.removed["duplicate_paragraphs"] == 9
    assert 0.4 < len(source.text) / len(raw) < 0.6


def test_subheading_glued_to_paragraph_end_is_split_off() -> None:
    paragraphs = _paragraphs(_clean("003"))
    index = paragraphs.index("US Security Guarantees Stronger than Ever")
    assert paragraphs[index - 1].endswith("fighting on the front lines.")


def test_sentence_tail_that_is_not_title_cased_is_not_split() -> None:
    raw = "Talks ended late. Officials then left the Elysee Palace for dinner"
    assert clean_source(raw).text == raw


def test_duplicate_paragraph_in_normal_text_is_dropped() -> None:
    raw = "First point is here.\n\nSecond point.\n\n  FIRST   point is HERE.  \n\nThird point."
    source = clean_source(raw)
    assert source.text == "First point is here.\n\nSecond point.\n\nThird point."
    assert source.removed == {"duplicate_paragraphs": 1}


# --- 004: BBC live page -------------------------------------------------------


def test_live_blog_entries_become_sixteen_sections() -> None:
    assert len(_clean("004").sections) == 16


def test_every_section_has_a_gmt_timestamp() -> None:
    for section in _clean("004").sections:
        assert section.published is not None
        assert re.fullmatch(r"\d{1,2}:\d{2} GMT \d{1,2} \w+", section.published)


def test_section_titles_and_timestamps_match_the_page() -> None:
    sections = _clean("004").sections
    assert (sections[0].title, sections[0].published) == (
        "UK and France agree to deploy forces to Ukraine if peace deal reached",
        "21:05 GMT 6 January",
    )
    assert (sections[-1].title, sections[-1].published) == (
        "Zelensky and allies to hold press conference as efforts to agree security guarantees "
        "intensify",
        "17:28 GMT 6 January",
    )


def test_section_span_starts_with_headline_and_holds_entry_prose() -> None:
    source = _clean("004")
    first, witkoff = source.sections[0], source.sections[3]
    span = source.text[first.start : first.end]
    assert span.startswith(first.title + "\n\n")
    assert 'signed a declaration of intent to "deploy forces"' in span
    assert span.endswith("we have to wait for the detail to emerge.")
    assert "Progress has been made" not in span
    assert source.text[witkoff.start : witkoff.end].endswith(
        '"will be there for the Ukrainians in helping that to get to that final peace."'
    )


def test_sections_tile_the_text_in_order() -> None:
    source = _clean("004")
    assert source.sections[0].start == 0
    assert source.sections[-1].end == len(source.text)
    for before, after in zip(source.sections, source.sections[1:], strict=False):
        assert after.start == before.end + 2


def test_headlines_are_own_paragraphs_without_numbers_or_timestamps() -> None:
    source = _clean("004")
    paragraphs = _paragraphs(source)
    assert "published at" not in source.text
    for section in source.sections:
        assert section.title in paragraphs
        assert not re.match(r"\d+\.", section.title)


def test_entry_labels_move_to_sections() -> None:
    source = _clean("004")
    labels = {i: s.label for i, s in enumerate(source.sections, start=1) if s.label}
    assert labels == {
        2: "Analysis",
        11: "Breaking",
        12: "Breaking",
        13: "Breaking",
        14: "Analysis",
    }
    assert "Breaking" not in _paragraphs(source) and "Analysis" not in _paragraphs(source)
    assert source.removed["labels"] == 5


def test_image_credit_lines_are_dropped() -> None:
    source = _clean("004")
    assert "Image source" not in source.text
    assert "sat at a table as they sign the declaration" not in source.text
    assert source.removed["image_credits"] == 9


def test_image_and_media_captions_are_dropped_with_their_caption_line() -> None:
    source = _clean("004")
    assert "caption," not in source.text
    assert "Starmer sets out plans for UK forces" not in source.text
    assert "who represented the US in today's talks in Paris" not in source.text
    assert source.removed["image_captions"] == 1
    assert source.removed["media_captions"] == 2


def test_bylines_are_dropped() -> None:
    source = _clean("004")
    paragraphs = _paragraphs(source)
    for line in ("Hugh Schofield", "Katya Adler", "Rorey Bosotti", "BBC Europe editor"):
        assert line not in paragraphs
    assert "Paris correspondent, reporting from" not in source.text
    assert "Live page editor" not in source.text
    assert source.removed["bylines"] == 3


def test_summary_heading_at_top_is_dropped() -> None:
    source = _clean("004")
    assert source.text.startswith(source.sections[0].title)
    assert source.removed["headings"] == 1


def test_page_notices_are_dropped() -> None:
    source = _clean("004")
    assert "stream-only page" not in source.text
    assert "regular text updates" not in source.text
    assert "live coverage is now ending" not in source.text
    assert source.removed["notices"] == 3


def test_map_alt_text_without_credit_is_dropped() -> None:
    source = _clean("004")
    agenda = source.sections[14]
    assert "Map showing" not in source.text
    assert source.text[agenda.start : agenda.end].endswith("implementation is not yet clear.")
    assert source.removed["image_descriptions"] == 1


def test_bullets_lose_their_marker_and_stay_separate_paragraphs() -> None:
    source = _clean("004")
    paragraphs = _paragraphs(source)
    assert "•" not in source.text
    start = paragraphs.index(
        'Ukrainian President Volodymyr Zelensky says the announcement is a "huge step forward"'
    )
    assert paragraphs[start - 1].startswith("The UK has signed a declaration of intent")
    assert paragraphs[start + 1].startswith("US special envoy Steve Witkoff says")


def test_live_page_removed_counts() -> None:
    assert _clean("004").removed == {
        "headings": 1,
        "media_captions": 2,
        "image_captions": 1,
        "image_credits": 9,
        "bylines": 3,
        "notices": 3,
        "image_descriptions": 1,
        "labels": 5,
    }


def test_live_page_rules_generalise_to_other_agencies_roles_and_notices() -> None:
    raw = (
        "Key points\n\n"
        "1. Ceasefire talks resume in Genevapublished at 09:15 BST 3 June 2025\n"
        "Breaking\n\n"
        "Delegates arrive at the venueImage source, EPA-EFE/Shutterstock\n"
        "Image caption, Delegates arrive at the venue\n\n"
        "Anna Smith\nDiplomatic correspondent in Geneva\n\n"
        "Talks resumed on Tuesday morning.\n\n"
        "Graphic showing the front line in the south\n"
        "2. Analysis\n\n"
        "What the talks could achievepublished at 08:50 BST 3 June 2025\n\n"
        "Both sides are far apart.\n\n"
        "This live page has now ended."
    )
    source = clean_source(raw)
    assert [(s.title, s.published, s.label) for s in source.sections] == [
        ("Ceasefire talks resume in Geneva", "09:15 BST 3 June 2025", "Breaking"),
        ("What the talks could achieve", "08:50 BST 3 June 2025", "Analysis"),
    ]
    assert _paragraphs(source) == [
        "Ceasefire talks resume in Geneva",
        "Talks resumed on Tuesday morning.",
        "What the talks could achieve",
        "Both sides are far apart.",
    ]
    assert source.removed == {
        "headings": 1,
        "labels": 2,
        "image_credits": 1,
        "image_captions": 1,
        "bylines": 1,
        "image_descriptions": 1,
        "notices": 1,
    }


# --- whitespace and generic inputs --------------------------------------------


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_text_is_paragraphs_separated_by_one_blank_line(prefix: str) -> None:
    text = _clean(prefix).text
    assert text == text.strip()
    assert "\n\n\n" not in text and "\r" not in text and "  " not in text and "\t" not in text
    for paragraph in text.split("\n\n"):
        assert paragraph and "\n" not in paragraph and paragraph == paragraph.strip()


def test_empty_source_gives_empty_text() -> None:
    assert clean_source("") == CleanSource(text="")


def test_whitespace_only_source_gives_empty_text() -> None:
    assert clean_source(" \n\t\n\r\n").text == ""


def test_crlf_line_endings_are_normalised() -> None:
    raw = "---\r\ntitle: Talks - AFP\r\n---\r\nFirst para.\r\n\r\n\r\nSecond para.\r\n"
    source = clean_source(raw)
    assert source.text == "First para.\n\nSecond para."
    assert source.metadata == {"title": "Talks", "outlet": "AFP"}


def test_lone_cr_line_endings_are_normalised() -> None:
    assert clean_source("First para.\r\rSecond para.\r").text == "First para.\n\nSecond para."


def test_indentation_and_runs_of_spaces_are_collapsed() -> None:
    raw = "    Leaders\t met  in\u00a0Paris.   \n\n\n\n   They agreed.   \n\n\n"
    assert clean_source(raw).text == "Leaders met in Paris.\n\nThey agreed."


def test_hard_wrapped_lines_are_joined_into_one_paragraph() -> None:
    raw = "Leaders met in Paris and agreed\nto send troops after a ceasefire.\n\nSecond paragraph."
    assert clean_source(raw).text == (
        "Leaders met in Paris and agreed to send troops after a ceasefire.\n\nSecond paragraph."
    )


def test_plain_text_with_angle_brackets_is_not_treated_as_html() -> None:
    raw = "If a < b and c > d then x &amp; y stay.\n\nUse List<String> here."
    assert clean_source(raw).text == raw


def test_models_are_frozen_and_reject_unknown_fields() -> None:
    section = Section(title="t", published=None, start=0, end=1)
    with pytest.raises(ValidationError):
        section.title = "other"
    with pytest.raises(ValidationError):
        CleanSource(text="", metadata={}, extra_field=1)  # type: ignore[call-arg]
