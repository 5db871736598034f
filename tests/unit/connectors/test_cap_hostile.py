"""Hostile and mislabelled documents: each refused with its reason, in bounded memory,
before anything is fetched, expanded or built beyond the limits."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable

import pytest

from connectors.meteorology_cap.parser import MAX_ALERT_BYTES, CapError, parse_cap
from tests.unit.connectors.cap_samples import made, real

SHENZHEN = made("shenzhen-rainstorm-orange-zh-en.xml")
USGS = real("googlecaplib-usgs-earthquake-iso8859-1.xml")
OPEN = b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">'
BODY = SHENZHEN.split(b"?>", 1)[1]  # the alert without its XML declaration

BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY a "lol">'
    + b"".join(
        b'<!ENTITY %s "%s">' % (bytes([98 + i]), bytes([97 + i]).join([b"&", b";"]) * 10)
        for i in range(9)
    )
    + b"]>"
    + OPEN
    + b"<note>&j;</note></alert>"
)


def peak_bytes(work: Callable[[], object]) -> int:
    """The most memory ``work`` held at once, while it was refused."""
    tracemalloc.start()
    try:
        with pytest.raises(CapError):
            work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def refusal(data: bytes, **limits: int) -> str:
    with pytest.raises(CapError) as caught:
        parse_cap(data, **limits)
    assert caught.value.path == "document"
    return str(caught.value)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (BILLION_LAUGHS, "a DOCTYPE is not allowed (no DTDs, no entity declarations)"),
        (
            b'<!DOCTYPE alert [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            + OPEN
            + b"<note>&x;</note></alert>",
            "a DOCTYPE is not allowed",
        ),
        (
            b'<!DOCTYPE alert [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p;]>'
            + OPEN
            + b"</alert>",
            "a DOCTYPE is not allowed",
        ),
        (
            b'<!DOCTYPE alert SYSTEM "http://127.0.0.1:9/cap.dtd">' + BODY,
            "a DOCTYPE is not allowed",
        ),
        (b"<!DOCTYPE alert>" + BODY, "a DOCTYPE is not allowed"),
        (
            BODY.replace(
                b"<scope>Public</scope>",
                b'<scope>Public</scope><xi:include xmlns:xi="http://www.w3.org/2001/XInclude"'
                b' href="file:///etc/passwd" parse="text"/>',
            ),
            "XInclude (<xi:include>) is not allowed",
        ),
        (OPEN + b"<note>&undeclared;</note></alert>", "not well-formed XML: undefined entity"),
    ],
    ids=[
        "billion-laughs",
        "external-entity",
        "parameter-entity",
        "external-dtd",
        "doctype",
        "xinclude",
        "undeclared-entity",
    ],
)
def test_entities_dtds_and_xinclude_are_refused(data: bytes, reason: str) -> None:
    assert reason in refusal(data)


def test_the_billion_laughs_are_refused_before_any_expansion() -> None:
    assert peak_bytes(lambda: parse_cap(BILLION_LAUGHS)) < 1_000_000


def test_deep_nesting_is_refused_at_the_depth_limit_in_little_memory() -> None:
    depth = 300_000  # fits the size limit: 1 MiB of <n>
    data = OPEN + b"<n>" * depth + b"</n>" * depth + b"</alert>"
    assert len(data) > 1_000_000
    assert "elements are nested deeper than 32 levels" in refusal(data, max_bytes=len(data))
    # A few copies of the input while it is decoded; nothing that grows with the depth.
    assert peak_bytes(lambda: parse_cap(data, max_bytes=len(data))) < 5 * len(data)


def test_a_flood_of_elements_is_refused_at_the_element_limit() -> None:
    data = OPEN + b"<code/>" * 60_000 + b"</alert>"
    assert len(data) < MAX_ALERT_BYTES
    assert "more than 50,000 elements" in refusal(data)


def test_an_oversized_document_is_refused_before_parsing() -> None:
    data = OPEN + b"<note>" + b"x" * (20 * 1024 * 1024) + b"</note></alert>"
    assert refusal(data) == "document: more than 1,048,576 bytes, the limit for one document"
    # Measured without the input itself: nothing is decoded, copied or built.
    assert peak_bytes(lambda: parse_cap(data)) < 100_000


def test_the_size_limit_is_a_parameter() -> None:
    parse_cap(SHENZHEN, max_bytes=len(SHENZHEN))
    assert "more than 1,000 bytes" in refusal(SHENZHEN, max_bytes=1000)


# Encodings


def test_the_iso_8859_1_sample_decodes_as_declared() -> None:
    alert = parse_cap(USGS)
    assert "Usulután" in alert["info"][0]["headline"]


@pytest.mark.parametrize(
    "encoded",
    [
        SHENZHEN.replace(b'encoding="UTF-8"', b'encoding="GB18030"').decode().encode("gb18030"),
        SHENZHEN.replace(b'encoding="UTF-8"', b'encoding="UTF-16"').decode().encode("utf-16"),
        b"\xef\xbb\xbf" + SHENZHEN,
        BODY,
    ],
    ids=["gb18030", "utf-16-with-bom", "utf-8-with-bom", "no-declaration"],
)
def test_other_honest_encodings_read_the_same_as_utf8(encoded: bytes) -> None:
    assert parse_cap(encoded) == parse_cap(SHENZHEN)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (
            USGS.replace(b'encoding="ISO-8859-1"', b'encoding="UTF-8"'),
            "it declares encoding 'UTF-8', but byte 0xE1 at offset 928 is not UTF-8",
        ),
        (
            USGS.split(b"?>", 1)[1],
            "it declares no encoding, so it must be UTF-8, but byte 0xE1 at offset",
        ),
        (
            SHENZHEN.replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"'),
            "it declares encoding 'ISO-8859-1', but its bytes are UTF-8 (mislabelled)",
        ),
        (
            SHENZHEN.replace(b'encoding="UTF-8"', b'encoding="US-ASCII"'),
            "it declares encoding 'US-ASCII', but byte 0xE6 at offset",
        ),
        (
            SHENZHEN.replace(b'encoding="UTF-8"', b'encoding="klingon"'),
            "it declares an unknown encoding 'klingon'",
        ),
        (SHENZHEN.replace(b'encoding="UTF-8"', b'encoding="base64"'), "is not a text encoding"),
        (
            SHENZHEN.replace(b'encoding="UTF-8"', b'encoding="UTF-16"'),
            "it declares encoding 'UTF-16', but its declaration is in single bytes",
        ),
        (
            SHENZHEN.decode().encode("utf-16"),
            "it declares encoding 'UTF-8', but its byte order mark says UTF-16",
        ),
    ],
    ids=[
        "latin1-declared-utf8",
        "latin1-undeclared",
        "utf8-declared-latin1",
        "utf8-declared-ascii",
        "unknown",
        "not-text",
        "utf16-declared-8bit",
        "utf16-bom-declared-utf8",
    ],
)
def test_bytes_that_are_not_in_their_declared_encoding_are_refused(
    data: bytes, reason: str
) -> None:
    assert reason in refusal(data)


def test_error_positions_still_fit_the_original_once_the_declaration_is_blanked() -> None:
    first_line = USGS.index(b"\n")
    broken = USGS[:first_line] + b"<x></y>" + USGS[first_line:]
    reason = refusal(broken)
    assert "mismatched tag: line 1, column" in reason
    column = int(reason.rpartition("column ")[2])
    assert broken[column - 2 : column + 2] == b"</y>", "expat points at the tag's name"
