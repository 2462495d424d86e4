"""Turn a raw news source (front matter, HTML or plain text, live blog) into text + metadata."""

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from bench.text import count_words

if TYPE_CHECKING:
    from bs4 import Tag


class Section(BaseModel):
    """One timestamped entry of a live blog, kept as structure rather than prose."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str
    published: str | None
    label: str | None = None
    start: int
    end: int


class CleanSource(BaseModel):
    """A source after cleaning: prose, metadata from front matter/headline, live-blog entries."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str
    metadata: dict[str, str] = Field(default_factory=dict)
    sections: list[Section] = Field(default_factory=list)
    removed: dict[str, int] = Field(default_factory=dict)


# --- whitespace -------------------------------------------------------------

_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029]")
_SPACES = re.compile(r"[^\S\n]+")  # any whitespace except "\n", including NBSP and thin spaces
_BULLET = re.compile(r"^[•◦▪‣●]\s*")

# --- front matter -----------------------------------------------------------

_FENCE = "---"
# "Headline - Outlet" as printed by news aggregators; the outlet is a short name.
_OUTLET_SUFFIX = re.compile(r"(?P<title>.*\S)\s+[-–—|]\s+(?P<outlet>[^-–—|!?:;,\"]+)")
_MAX_OUTLET_WORDS = 5

# --- HTML -------------------------------------------------------------------

_HTML_TAG = re.compile(
    r"</?(?:a|abbr|article|aside|b|blockquote|body|br|caption|cite|code|dd|div|dl|dt|em|figcaption|figure"
    r"|font|footer|h[1-6]|head|header|hr|html|i|img|li|link|main|meta|nav|ol|p|pre|script|section|small"
    r"|span|strong|style|sub|sup|table|tbody|td|th|thead|time|title|tr|u|ul)(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)
# fmt: off
_BLOCK_TAGS = [
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "div", "dl", "dt",
    "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li",
    "main", "nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul",
]
# fmt: on
_INVISIBLE_TAGS = ["head", "noscript", "script", "style", "template"]
_PARAGRAPH_BREAK = "\u2029"  # Unicode PARAGRAPH SEPARATOR, marks block boundaries
_BLANK_LINE = re.compile(r"\n[^\S\n]*\n")

# --- live blogs -------------------------------------------------------------

# "12. Headlinepublished at 21:05 GMT 6 January": number optional, "published" often glued on.
_ENTRY_HEADLINE = re.compile(
    r"(?:\d{1,3}\.\s+)?(?P<title>\S.*?)\s*published at\s+"
    r"(?P<published>\d{1,2}:\d{2}(?:\s+[A-Z]{2,5})?(?:\s+\d{1,2}\s+[A-Z][a-z]+(?:\s+\d{4})?)?)"
)
_ENTRY_LABEL = re.compile(r"(?:(?P<number>\d{1,3})\.\s+)?(?P<label>Breaking|Analysis)")
_PAGE_HEADINGS = {"summary", "key points"}
_IMAGE_CREDIT = re.compile(r"Image source, ?[^,]{1,80}$")
_CAPTION = re.compile(r"(?P<kind>Image|Media|Video) caption,?\s*(?P<rest>.*)")
_IMAGE_DESCRIPTION = re.compile(r"(?:Map|Graphic|Chart|Graph|Diagram|Infographic) showing\b")
_BYLINE_NAME = re.compile(
    r"(?:By\s+)?[A-Z][\w'’.-]*(?:\s+(?:[A-Z][\w'’.-]*|al|bin|da|de|del|der|di|du|la|le|van|von)){1,3}"
)
_BYLINE_ROLE = re.compile(
    r"\b(?:editor|correspondent|reporter|presenter|analyst|producer|journalist|writer|columnist"
    r"|commentator|contributor|reporting from)\b",
    re.IGNORECASE,
)
_MAX_ROLE_WORDS = 12
_NOTICES = [
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        r"\bstream-only page\b",
        r"\b(?:won't|won’t|will not) be providing (?:regular |any )?(?:text )?updates\b",
        r"\b(?:won't|won’t|will not) be regular text updates\b",
        r"^(?:our|this) live (?:coverage|page|blog) (?:is|has) (?:now )?"
        r"(?:ending|ended|closing|closed|paused)\b",
        r"\bread more in our (?:news )?story here\b",
        r"\bwatch live at the top of (?:the|this) page\b",
    )
]
_MAX_NOTICE_WORDS = 60

# --- plain articles ---------------------------------------------------------

_MAX_HEADLINE_WORDS = 20
# A Title-Cased run glued after a paragraph's last sentence: "…front lines. US Security Guarantees".
_GLUED_HEADING = re.compile(r"(?P<body>.*\w{2}[.!?][\"'”’)]?)\s+(?P<heading>[A-Z][^.!?:;,\"“”]*)")
# fmt: off
_MINOR_WORDS = {
    "a", "an", "and", "as", "at", "but", "by", "for", "from", "in", "into", "nor", "of", "on",
    "or", "over", "than", "the", "to", "up", "vs", "with",
}
# fmt: on
_MAX_GLUED_HEADING_WORDS = 12


@dataclass
class _Entry:
    """Live-blog data attached to a headline paragraph."""

    published: str
    label: str | None = None


@dataclass
class _Para:
    """A paragraph on its way through cleaning; `entry` is set when it is a live-blog headline."""

    text: str
    entry: _Entry | None = None


def clean_source(raw: str, *, name: str = "") -> CleanSource:
    """Clean one decoded source: front matter → metadata, body → paragraphs, entries → sections.

    Raises ValueError (naming `name`, used only in messages) when the front matter is malformed.
    """
    text = _NEWLINES.sub("\n", raw).lstrip("\ufeff")
    metadata, body = _split_front_matter(text, name)
    removed: Counter[str] = Counter()
    is_html = _HTML_TAG.search(body) is not None
    paragraphs = _html_paragraphs(body) if is_html else _plain_paragraphs(body)

    paras = [_as_para(p) for p in paragraphs]
    paras = _drop_furniture(paras, removed)
    paras = _attach_labels(paras, removed)
    if not is_html and "title" not in metadata:
        paras = _take_title(paras, metadata)
    paras = _drop_duplicates(paras, removed)  # before splitting, so counts are of source paragraphs
    paras = _split_glued_headings(paras)

    clean_text, sections = _assemble(paras)
    return CleanSource(text=clean_text, metadata=metadata, sections=sections, removed=dict(removed))


def _collapse(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


# --- front matter -----------------------------------------------------------


def _split_front_matter(text: str, name: str) -> tuple[dict[str, str], str]:
    """Parse a leading `---` … `---` YAML block into metadata; return it with the remaining body."""
    lines = text.split("\n")
    if lines[0].rstrip() != _FENCE:
        return {}, text
    source = name or "<unnamed source>"
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() == _FENCE), None)
    if close is None:
        raise ValueError(f"{source}: front matter opened by '---' on line 1 has no closing '---'")
    try:
        data = yaml.safe_load("\n".join(lines[1:close]))
    except yaml.YAMLError as exc:
        raise ValueError(f"{source}: front matter is not valid YAML: {exc}") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        kind = type(data).__name__
        raise ValueError(f"{source}: front matter must be a mapping of keys to values, got {kind}")
    return _front_matter_metadata(data, source), "\n".join(lines[close + 1 :])


def _front_matter_metadata(data: dict[Any, Any], source: str) -> dict[str, str]:
    """Keep title (split into title + outlet), date (ISO), link, tags; the rest repeats the body."""
    metadata: dict[str, str] = {}
    title = _scalar_field(data, "title", source)
    if title:
        match = _OUTLET_SUFFIX.fullmatch(title)
        if match and count_words(match["outlet"]) <= _MAX_OUTLET_WORDS:
            metadata["title"], metadata["outlet"] = match["title"], match["outlet"].strip()
        else:
            metadata["title"] = title
    if data.get("date") is not None:
        metadata["date"] = _iso_date(data["date"], source)
    link = _scalar_field(data, "link", source)
    if link:
        metadata["link"] = link
    tags = data.get("tags")
    if isinstance(tags, list):
        names = [_collapse(str(tag)) for tag in tags if tag is not None]
        if any(names):
            metadata["tags"] = ", ".join(name for name in names if name)
    elif isinstance(tags, str) and tags.strip():
        metadata["tags"] = _collapse(tags)
    return metadata


def _scalar_field(data: dict[Any, Any], key: str, source: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ValueError(f"{source}: front matter {key!r} must be text, got {type(value).__name__}")
    return _collapse(str(value))


def _iso_date(value: object, source: str) -> str:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip()).date().isoformat()
        except ValueError:
            pass
    raise ValueError(f"{source}: front matter 'date' is not an ISO date (yyyy-mm-dd): {value!r}")


# --- body → paragraphs ------------------------------------------------------


def _plain_paragraphs(body: str) -> list[str]:
    """One paragraph per non-blank line; a lower-case line after an unfinished one continues it."""
    paragraphs: list[str] = []
    previous_blank = True
    for raw_line in body.split("\n"):
        line = _collapse(raw_line)
        if not line:
            previous_blank = True
            continue
        is_bullet = _BULLET.match(line) is not None
        line = _BULLET.sub("", line)
        if not line:
            continue
        if (
            not previous_blank
            and not is_bullet
            and line[0].islower()
            and not paragraphs[-1].endswith((".", "!", "?", ":", ";", '"', "”", "'", "’"))
        ):
            paragraphs[-1] += " " + line
        else:
            paragraphs.append(line)
        previous_blank = False
    return paragraphs


def _html_paragraphs(body: str) -> list[str]:
    """Render HTML to paragraphs: one per block element (li, p, div, …), entities decoded."""
    from bs4 import BeautifulSoup, Tag  # only for HTML sources

    soup = BeautifulSoup(body, "html.parser")
    for tag in soup.find_all(_INVISIBLE_TAGS):
        if isinstance(tag, Tag):
            tag.decompose()
    for font in soup.find_all("font"):
        if isinstance(font, Tag):
            _label_outlet(font)
    for block in soup.find_all(_BLOCK_TAGS):
        if isinstance(block, Tag):
            block.insert_before(_PARAGRAPH_BREAK)
            block.insert_after(_PARAGRAPH_BREAK)
    text = _BLANK_LINE.sub(_PARAGRAPH_BREAK, soup.get_text())
    return [paragraph for chunk in text.split(_PARAGRAPH_BREAK) if (paragraph := _collapse(chunk))]


def _label_outlet(font: "Tag") -> None:
    """Render aggregator items `<a>Headline</a>&nbsp;<font>Outlet</font>` as "Headline (Outlet)"."""
    from bs4 import Tag
    from bs4.element import NavigableString

    node = font.previous_sibling
    while isinstance(node, NavigableString) and not node.strip():
        node = node.previous_sibling
    outlet = _collapse(font.get_text())
    if isinstance(node, Tag) and node.name == "a" and outlet:
        font.replace_with(f" ({outlet})")


# --- live-blog structure and furniture --------------------------------------


def _as_para(text: str) -> _Para:
    match = _ENTRY_HEADLINE.fullmatch(text)
    if match is None:
        return _Para(text)
    return _Para(match["title"], _Entry(published=match["published"]))


def _drop_furniture(paras: list[_Para], removed: Counter[str]) -> list[_Para]:
    """Drop page furniture: image credits/captions, bylines, notices, chart alt text, "Summary"."""
    kept: list[_Para] = []
    i = 0
    while i < len(paras):
        text = paras[i].text
        following = paras[i + 1] if i + 1 < len(paras) and paras[i + 1].entry is None else None
        if paras[i].entry is not None:
            kept.append(paras[i])
            i += 1
            continue
        if not kept and text.casefold() in _PAGE_HEADINGS:
            removed["headings"] += 1
        elif caption := _CAPTION.fullmatch(text):
            removed["image_captions" if caption["kind"] == "Image" else "media_captions"] += 1
            if not caption["rest"] and following is not None:
                i += 1  # the caption text is on the next line
        elif _IMAGE_CREDIT.search(text):
            removed["image_credits"] += 1
        elif following is not None and _is_byline(text, following.text):
            removed["bylines"] += 1
            i += 1
        elif count_words(text) <= _MAX_NOTICE_WORDS and any(p.search(text) for p in _NOTICES):
            removed["notices"] += 1
        elif _IMAGE_DESCRIPTION.match(text) and not text.endswith("."):
            removed["image_descriptions"] += 1
        else:
            kept.append(paras[i])
        i += 1
    return kept


def _is_byline(name_line: str, role_line: str) -> bool:
    """A short name line followed by a role line such as "BBC Europe editor"."""
    return (
        _BYLINE_NAME.fullmatch(name_line) is not None
        and _BYLINE_ROLE.search(role_line) is not None
        and count_words(role_line) <= _MAX_ROLE_WORDS
        and not role_line.endswith(".")
    )


def _attach_labels(paras: list[_Para], removed: Counter[str]) -> list[_Para]:
    """Move "Breaking"/"Analysis" lines onto the adjacent entry headline.

    A numbered label ("2. Analysis") opens the next entry; a bare one belongs to the one above.
    """
    kept: list[_Para] = []
    for i, para in enumerate(paras):
        label = _ENTRY_LABEL.fullmatch(para.text) if para.entry is None else None
        if label is not None:
            previous = kept[-1] if kept else None
            following = paras[i + 1] if i + 1 < len(paras) else None
            candidates = [following, previous] if label["number"] else [previous, following]
            entries = [c.entry for c in candidates if c is not None and c.entry is not None]
            target = next((entry for entry in entries if entry.label is None), None)
            if target is not None:
                target.label = label["label"]
                removed["labels"] += 1
                continue
        kept.append(para)
    return kept


# --- plain-article headlines ------------------------------------------------


def _is_headline_like(text: str) -> bool:
    return (
        count_words(text) <= _MAX_HEADLINE_WORDS
        and not text.endswith((".", ",", ":", ";"))
        and not text[0].islower()
        and any(ch.isalpha() for ch in text)
    )


def _take_title(paras: list[_Para], metadata: dict[str, str]) -> list[_Para]:
    """Move a leading headline line (and a second, as subtitle) into metadata if a body follows."""
    if len(paras) < 2 or paras[0].entry is not None or not _is_headline_like(paras[0].text):
        return paras
    metadata["title"] = paras[0].text
    rest = paras[1:]
    if len(rest) >= 2 and rest[0].entry is None and _is_headline_like(rest[0].text):
        metadata["subtitle"] = rest[0].text
        rest = rest[1:]
    return rest


def _split_glued_headings(paras: list[_Para]) -> list[_Para]:
    """Split a Title-Cased subheading glued after a paragraph's last sentence into its own one."""
    result: list[_Para] = []
    for para in paras:
        match = _GLUED_HEADING.fullmatch(para.text) if para.entry is None else None
        if match is not None and _is_title_case(match["heading"]):
            result.extend([_Para(match["body"]), _Para(match["heading"].strip())])
        else:
            result.append(para)
    return result


def _is_title_case(text: str) -> bool:
    words = text.split()
    if not 2 <= len(words) <= _MAX_GLUED_HEADING_WORDS or not words[-1][0].isupper():
        return False
    return all(word[0].isupper() or word[0].isdigit() or word in _MINOR_WORDS for word in words)


# --- duplicates and assembly ------------------------------------------------


def _drop_duplicates(paras: list[_Para], removed: Counter[str]) -> list[_Para]:
    """Keep the first occurrence of each prose paragraph (whitespace- and case-insensitive)."""
    seen: set[str] = set()
    kept: list[_Para] = []
    for para in paras:
        key = " ".join(para.text.split()).casefold()
        if para.entry is None:
            if key in seen:
                removed["duplicate_paragraphs"] += 1
                continue
            seen.add(key)
        kept.append(para)
    return kept


def _assemble(paras: list[_Para]) -> tuple[str, list[Section]]:
    """Join paragraphs with one blank line and record each entry's [start, end) span."""
    sections: list[Section] = []
    open_entry: tuple[_Para, _Entry, int] | None = None
    end = 0  # end of the previous paragraph
    for index, para in enumerate(paras):
        start = end + 2 if index else 0
        if para.entry is not None:
            if open_entry is not None:
                sections.append(_section(*open_entry, end=end))
            open_entry = (para, para.entry, start)
        end = start + len(para.text)
    if open_entry is not None:
        sections.append(_section(*open_entry, end=end))
    return "\n\n".join(para.text for para in paras), sections


def _section(headline: _Para, entry: _Entry, start: int, *, end: int) -> Section:
    return Section(
        title=headline.text, published=entry.published, label=entry.label, start=start, end=end
    )
