"""Untrusted XML bytes to an element tree, refusing what could cost more than it shows.

Alerts and feed indexes come from other organisations' servers. Before anything is
parsed, the document must fit ``max_bytes`` and its bytes must be in the encoding it
declares (UTF-8 when it declares none, as XML says); it is then decoded once and handed
to the parser as UTF-8, so every encoding Python knows is read the same way, GB18030 as
well as ISO-8859-1. A document that declares a single-byte or legacy encoding but whose
bytes are valid UTF-8 with non-ASCII characters is refused as mislabelled: real
Latin-1 or GBK text is practically never valid UTF-8, and reading it under the wrong
label would garble every name in it.

The parser is defusedxml's (expat underneath): a DOCTYPE is refused outright, so there
are no entities to expand (billion laughs), no external entities or DTDs to fetch; an
XInclude element is refused rather than silently left unexpanded; and the tree is built
as a stream that stops at ``max_depth`` levels or ``max_elements`` elements, so memory
stays a small multiple of ``max_bytes`` whatever the input.
"""

from __future__ import annotations

import codecs
import io
import re
from xml.etree.ElementTree import Element, ParseError

from defusedxml import ElementTree
from defusedxml.common import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

MAX_DEPTH = 32
MAX_ELEMENTS = 50_000
XINCLUDE = "{http://www.w3.org/2001/XInclude}"

_DECLARED = re.compile(rb"\A<\?xml\s[^>]*?\bencoding\s*=\s*[\"']([A-Za-z][A-Za-z0-9._:-]*)[\"']")
_DECLARATION = re.compile(r"\A<\?xml\s[^>]*?\?>")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_WIDE = ("utf-16", "utf-32")


class RefusedDocument(ValueError):
    """The bytes are not a document this reader will parse; the message says why."""


def parse_document(
    data: bytes,
    *,
    max_bytes: int,
    max_depth: int = MAX_DEPTH,
    max_elements: int = MAX_ELEMENTS,
) -> Element:
    """The root element of ``data``, or ``RefusedDocument`` naming what is wrong."""
    if len(data) > max_bytes:
        raise RefusedDocument(f"more than {max_bytes:,} bytes, the limit for one document")
    source = io.BytesIO(as_utf8(data))
    depth = elements = 0
    root: Element | None = None
    try:
        for event, element in ElementTree.iterparse(
            source, events=("start", "end"), forbid_dtd=True
        ):
            if event == "end":
                depth -= 1
                continue
            depth += 1
            elements += 1
            root = element if root is None else root
            if element.tag.startswith(XINCLUDE):
                raise RefusedDocument("XInclude (<xi:include>) is not allowed")
            if depth > max_depth:
                raise RefusedDocument(f"elements are nested deeper than {max_depth} levels")
            if elements > max_elements:
                raise RefusedDocument(f"more than {max_elements:,} elements")
    except (DTDForbidden, EntitiesForbidden) as exc:
        raise RefusedDocument("a DOCTYPE is not allowed (no DTDs, no entity declarations)") from exc
    except ExternalReferenceForbidden as exc:
        raise RefusedDocument("external entities are not allowed") from exc
    except ParseError as exc:
        raise RefusedDocument(f"not well-formed XML: {exc}") from exc
    if root is None:  # pragma: no cover - expat refuses a document without an element
        raise RefusedDocument("no root element")
    return root


def as_utf8(data: bytes) -> bytes:
    """The document re-encoded as UTF-8 without its XML declaration (whose encoding no
    longer holds), once its bytes are known to be in the encoding it declares."""
    encoding, body = _byte_order_mark(data)
    if encoding is None:
        text = _decode_declared(data)
    else:
        text = _decode(body, encoding, f"its byte order mark says {encoding.upper()}")
        declared = _declared_in_text(text)
        if declared is not None and _family(declared) != _family(encoding):
            raise RefusedDocument(
                f"it declares encoding {declared!r}, but its byte order mark says"
                f" {encoding.upper()}"
            )
    # Blanked rather than cut, so that the parser's line and column numbers still fit.
    return _DECLARATION.sub(lambda m: " " * len(m.group()), text, count=1).encode("utf-8")


def _byte_order_mark(data: bytes) -> tuple[str | None, bytes]:
    for mark, encoding in _BOMS:
        if data.startswith(mark):
            return encoding, data if encoding != "utf-8-sig" else data[len(mark) :]
    # UTF-16 without a mark still shows where its first "<" is (XML 1.0, appendix F).
    if data.startswith(b"<\x00?\x00"):
        return "utf-16-le", data
    if data.startswith(b"\x00<\x00?"):
        return "utf-16-be", data
    return None, data


def _decode_declared(data: bytes) -> str:
    found = _DECLARED.match(data)
    if found is None:
        return _decode(data, "utf-8", "it declares no encoding, so it must be UTF-8")
    declared = found.group(1).decode("ascii")
    try:
        codec = codecs.lookup(declared)
    except LookupError:
        raise RefusedDocument(f"it declares an unknown encoding {declared!r}") from None
    if _family(codec.name) in _WIDE:
        raise RefusedDocument(
            f"it declares encoding {declared!r}, but its declaration is in single bytes"
        )
    text = _decode(data, codec.name, f"it declares encoding {declared!r}")
    if _family(codec.name) != "utf-8" and not data.isascii() and _is_utf8(data):
        raise RefusedDocument(
            f"it declares encoding {declared!r}, but its bytes are UTF-8 (mislabelled)"
        )
    return text


def _decode(data: bytes, encoding: str, claim: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        bad = exc.object[exc.start : exc.start + 1].hex().upper()
        raise RefusedDocument(
            f"{claim}, but byte 0x{bad} at offset {exc.start:,} is not {exc.encoding.upper()}"
        ) from None
    except LookupError:  # a codec that is not a text encoding (base64, rot13)
        raise RefusedDocument(f"{encoding!r} is not a text encoding") from None


def _declared_in_text(text: str) -> str | None:
    found = _DECLARED.match(text[:200].encode("ascii", errors="replace"))
    return found.group(1).decode("ascii") if found else None


def _family(encoding: str) -> str:
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return encoding.lower()
    for wide in _WIDE:
        if name.startswith(wide):
            return wide
    return "utf-8" if name in ("utf-8", "utf-8-sig") else name


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
