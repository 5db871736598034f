"""An Atom or RSS index of CAP alerts: the alerts it lists, oldest first.

Alert feeds list each alert as an entry with an id and a link to its CAP document:
Atom ``<entry>`` with ``<id>``, ``<updated>`` and ``<link href>``; RSS 2.0 ``<item>``
with ``<guid>``, ``<pubDate>`` and ``<link>`` (or an ``<enclosure url>``). Only links
are followed, so a feed that also embeds CAP in its entries is read the same way.

The link taken from an Atom entry is the one typed ``application/cap+xml``, else the
``alternate`` one (a link without ``rel`` is one), else the first. Relative links are
resolved against the index's own URL; a link that is not http or https is kept so the
entry can be refused with it, never fetched. An entry without an id is known by its
link.

Feeds list newest first. Entries come back oldest first: by their time when every
entry has one, otherwise in the reverse of the index's order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin
from xml.etree.ElementTree import Element

from connectors.meteorology_cap.safe_xml import parse_document

ATOM = "{http://www.w3.org/2005/Atom}"
CAP_MEDIA_TYPE = "application/cap+xml"


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One alert the index lists: ``link`` is ``None`` when the entry gives none."""

    id: str
    link: str | None
    updated: datetime | None


def parse_index(data: bytes, *, base_url: str, max_bytes: int) -> list[FeedEntry]:
    """The index's entries, oldest first; ``ValueError`` if it is neither Atom nor RSS
    (or is refused as a document, see :mod:`.safe_xml`)."""
    root = parse_document(data, max_bytes=max_bytes)
    if root.tag == f"{ATOM}feed":
        entries = [_atom(e, base_url) for e in root.findall(f"{ATOM}entry")]
    elif root.tag == "rss":
        entries = [_rss(e, base_url) for e in root.findall("channel/item")]
    else:
        raise ValueError(f"root element is {root.tag!r}, not an Atom <feed> or an RSS <rss>")
    entries = [e for e in entries if e.id]
    if all(e.updated is not None for e in entries):
        return sorted(entries, key=lambda e: e.updated or datetime.min.replace(tzinfo=UTC))
    return entries[::-1]


def _atom(entry: Element, base_url: str) -> FeedEntry:
    links = entry.findall(f"{ATOM}link")
    chosen = (
        next((k for k in links if k.get("type") == CAP_MEDIA_TYPE), None)
        or next((k for k in links if k.get("rel", "alternate") == "alternate"), None)
        or next(iter(links), None)
    )
    href = (chosen.get("href") or "").strip() if chosen is not None else ""
    link = urljoin(base_url, href) if href else None
    return FeedEntry(_text(entry, f"{ATOM}id") or link or "", link, _time(entry, f"{ATOM}updated"))


def _rss(item: Element, base_url: str) -> FeedEntry:
    enclosure = item.find("enclosure")
    href = _text(item, "link") or (enclosure.get("url", "") if enclosure is not None else "")
    link = urljoin(base_url, href.strip()) if href.strip() else None
    return FeedEntry(_text(item, "guid") or link or "", link, _time(item, "pubDate"))


def _text(parent: Element, name: str) -> str:
    child = parent.find(name)
    return (child.text or "").strip() if child is not None else ""


def _time(parent: Element, name: str) -> datetime | None:
    text = _text(parent, name)
    if not text:
        return None
    for parse in (datetime.fromisoformat, parsedate_to_datetime):
        try:
            when = parse(text)
        except (ValueError, TypeError):
            continue
        return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    return None
