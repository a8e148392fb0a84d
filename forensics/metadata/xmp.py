"""XMP packets: find them in a file's bytes and parse them safely with defusedxml.

defusedxml refuses DTDs, entity declarations and external references, so billion-laughs
and XXE packets are reported as unparseable rather than expanded or fetched.
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException

NAMESPACES = {
    "adobe:ns:meta/": "x",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf",
    "http://ns.adobe.com/xap/1.0/": "xmp",
    "http://ns.adobe.com/xap/1.0/mm/": "xmpMM",
    "http://ns.adobe.com/xap/1.0/sType/ResourceEvent#": "stEvt",
    "http://ns.adobe.com/xap/1.0/sType/ResourceRef#": "stRef",
    "http://ns.adobe.com/xap/1.0/rights/": "xmpRights",
    "http://ns.adobe.com/photoshop/1.0/": "photoshop",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://ns.adobe.com/exif/1.0/": "exif",
    "http://ns.adobe.com/exif/1.0/aux/": "aux",
    "http://cipa.jp/exif/1.0/": "exifEX",
    "http://ns.adobe.com/tiff/1.0/": "tiff",
    "http://ns.adobe.com/camera-raw-settings/1.0/": "crs",
    "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/": "Iptc4xmpCore",
    "http://iptc.org/std/Iptc4xmpExt/2008-02-29/": "Iptc4xmpExt",
    "http://ns.google.com/photos/1.0/camera/": "GCamera",
    "http://ns.google.com/photos/1.0/image/": "GImage",
    "http://ns.google.com/photos/1.0/depthmap/": "GDepth",
    "http://ns.adobe.com/lightroom/1.0/": "lr",
    "http://ns.useplus.org/ldf/xmp/1.0/": "plus",
    "http://c2pa.org/": "c2pa",
}
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
MAX_PACKET_BYTES = 4 * 1024 * 1024
MAX_VALUE_CHARS = 4000
_PACKET_START = re.compile(rb"<x:xmpmeta[\s>]")
_RDF_START = re.compile(rb"<rdf:RDF[\s>]")


def _spans(data: bytes, start: re.Pattern[bytes], end: bytes) -> list[bytes]:
    """Each opener through the first closer after it, non-overlapping. Linear time: a lazy
    ``opener.*?closer`` regex rescans to the end of the data for every unclosed opener."""
    out: list[bytes] = []
    pos = 0
    while (m := start.search(data, pos)) is not None:
        stop = data.find(end, m.end())
        if stop < 0:  # no closer after this opener, hence none after any later one
            break
        out.append(data[m.start():stop + len(end)])
        pos = stop + len(end)
    return out


def find_packets(data: bytes) -> list[bytes]:
    """Every XMP packet in a file's bytes (``x:xmpmeta`` wrapped, or bare ``rdf:RDF``)."""
    packets = _spans(data, _PACKET_START, b"</x:xmpmeta>")
    if not packets:
        packets = _spans(data, _RDF_START, b"</rdf:RDF>")
    return [p for p in packets if len(p) <= MAX_PACKET_BYTES]


STD_XMP_ID = b"http://ns.adobe.com/xap/1.0/\x00"
EXT_XMP_ID = b"http://ns.adobe.com/xmp/extension/\x00"


def jpeg_xmp_packets(data: bytes, segments: list[dict[str, Any]]) -> list[bytes]:
    """XMP from JPEG APP1 segments: the standard packet, then extended XMP reassembled.

    Extended XMP (Adobe XMP spec part 3) is split over APP1 segments carrying a GUID, the
    full length and the chunk offset; chunks are joined in offset order per GUID.
    """
    standard: list[bytes] = []
    extended: dict[bytes, dict[int, bytes]] = {}
    for seg in segments:
        if seg.get("marker") != "APP1":
            continue
        body = data[seg["offset"] + 4:seg["offset"] + 2 + seg["length"]]
        if body.startswith(STD_XMP_ID):
            standard.append(body[len(STD_XMP_ID):])
        elif body.startswith(EXT_XMP_ID) and len(body) > len(EXT_XMP_ID) + 40:
            rest = body[len(EXT_XMP_ID):]
            guid, offset = rest[:32], int.from_bytes(rest[36:40], "big")
            extended.setdefault(guid, {})[offset] = rest[40:]
    packets = list(standard)
    for chunks in extended.values():
        joined = b"".join(chunks[k] for k in sorted(chunks))
        if len(joined) <= MAX_PACKET_BYTES:
            packets.append(joined)
    return packets


def qualified(tag: str) -> str:
    """``{uri}local`` -> ``prefix:local`` using well-known prefixes."""
    if tag.startswith("{"):
        uri, _, local = tag[1:].partition("}")
        prefix = NAMESPACES.get(uri) or uri.rstrip("/#").rsplit("/", 1)[-1] or "ns"
        return f"{prefix}:{local}"
    return tag


def parse_xmp(packet: bytes) -> dict[str, Any]:
    """Parse one XMP packet into flat ``prefix:Name`` properties.

    Simple values become strings, ``rdf:Seq``/``rdf:Bag``/``rdf:Alt`` become lists and
    structures become dicts. ``rdf:resource`` attributes are kept as the value. Returns
    ``{"properties": {...}}`` or ``{"error": reason}`` when the packet is refused.
    """
    try:
        root = SafeET.fromstring(packet)
    except DefusedXmlException as exc:
        return {"error": f"refused unsafe XML ({type(exc).__name__})"}
    except Exception as exc:  # noqa: BLE001 - ParseError and friends; the packet is untrusted
        return {"error": f"unparseable XMP: {exc}"[:300]}
    props: dict[str, Any] = {}
    for desc in root.iter(f"{RDF}Description"):
        for key, value in desc.attrib.items():
            name = qualified(key)
            if not name.startswith("rdf:"):
                props.setdefault(name, _clip(value))
        for child in desc:
            name = qualified(child.tag)
            props.setdefault(name, _value(child))
    return {"properties": props}


def _clip(text: str | None) -> str:
    return (text or "").strip()[:MAX_VALUE_CHARS]


def _value(elem: Element, depth: int = 0) -> Any:
    if depth > 16:
        return None
    resource = elem.attrib.get(f"{RDF}resource")
    children = list(elem)
    if not children:
        if resource is not None:
            return _clip(resource)
        attrs = {qualified(k): _clip(v) for k, v in elem.attrib.items()
                 if not k.startswith(RDF) and "xml}lang" not in k}
        return attrs if attrs and not (elem.text or "").strip() else _clip(elem.text)
    first = children[0]
    if first.tag in (f"{RDF}Seq", f"{RDF}Bag", f"{RDF}Alt"):
        return [_value(li, depth + 1) for li in first if li.tag == f"{RDF}li"][:1000]
    if first.tag == f"{RDF}Description" or elem.attrib.get(f"{RDF}parseType") == "Resource":
        holder = first if first.tag == f"{RDF}Description" else elem
        out: dict[str, Any] = {qualified(k): _clip(v) for k, v in holder.attrib.items()
                               if not k.startswith(RDF)}
        for sub in holder:
            if sub.tag != f"{RDF}Description":
                out[qualified(sub.tag)] = _value(sub, depth + 1)
        return out
    return {qualified(c.tag): _value(c, depth + 1) for c in children}


def read_xmp(data: bytes, pillow_xmp: bytes | str | None = None,
             jpeg_segments: list[dict[str, Any]] | None = None) -> dict[str, Any] | None:
    """All XMP in a file, merged (first packet wins per property). ``None`` when absent.

    For JPEG the APP1 segments are read (``jpeg_segments`` from the marker walk), including
    extended XMP. Otherwise ``pillow_xmp`` (``Image.info['xmp']``) is used, and a byte search
    finds packets in containers Pillow does not expose.
    """
    packets: list[bytes] = []
    first_raw: bytes | None = None
    if jpeg_segments is not None:
        raws = jpeg_xmp_packets(data, jpeg_segments)
        first_raw = raws[0] if raws else None
        packets = [p for raw in raws for p in (find_packets(raw) or [raw])]
    else:
        if pillow_xmp:
            raw = (pillow_xmp.encode("utf-8") if isinstance(pillow_xmp, str)
                   else bytes(pillow_xmp))
            packets.extend(find_packets(raw) or [raw])
        for p in find_packets(data):
            if p not in packets:
                packets.append(p)
    if not packets:
        return None
    merged: dict[str, Any] = {}
    errors: list[str] = []
    for p in packets:
        parsed = parse_xmp(p)
        if "error" in parsed:
            errors.append(parsed["error"])
            continue
        for k, v in parsed["properties"].items():
            merged.setdefault(k, v)
    out: dict[str, Any] = {"packets": len(packets), "properties": merged,
                           "style": packet_style(packets[0], first_raw or data)}
    if errors:
        out["errors"] = errors
    return out


_TOOLKIT = re.compile(rb"""x:xmptk\s*=\s*["']([^"']{0,200})["']""")
_XPACKET_END = re.compile(rb"<\?xpacket\s+end\s*=")


def packet_style(packet: bytes, around: bytes) -> dict[str, Any]:
    """How the first packet was written, beyond its properties (a writer's habit): the
    ``x:xmptk`` toolkit named, whether it is wrapped in ``<?xpacket?>`` processing
    instructions, the whitespace padding before the end wrapper, and whether the first
    description holds its properties as attributes or as elements. ``around`` is the
    segment (JPEG) or the file holding the packet."""
    tk = _TOOLKIT.search(packet[:2000])
    at = around.find(packet[:64]) if packet else -1
    start = max(0, at - 256) if at >= 0 else 0
    head = around[start:at] if at >= 0 else b""
    tail = around[at + len(packet):at + len(packet) + 65536] if at >= 0 else b""
    end = _XPACKET_END.search(tail)
    desc = re.search(rb"<rdf:Description\b([^>]{0,4000})>", packet)
    names = re.findall(rb"\s([A-Za-z][\w.-]*):[\w.-]+\s*=", desc.group(1)) if desc else []
    attrs = sum(1 for n in names if n not in (b"xmlns", b"rdf"))
    return {"toolkit": tk.group(1).decode("utf-8", "replace").strip() if tk else None,
            "xpacket": b"<?xpacket begin" in head,
            "padding_bytes": len(tail[:end.start()]) - len(tail[:end.start()].strip())
            if end else None,
            "properties_as": "attributes" if attrs else "elements"}


def history(props: dict[str, Any]) -> list[dict[str, Any]]:
    """The ``xmpMM:History`` events as dicts with short keys (action, when, softwareAgent...)."""
    events = props.get("xmpMM:History")
    if not isinstance(events, list):
        return []
    out = []
    for ev in events:
        if isinstance(ev, dict):
            out.append({k.split(":", 1)[-1]: v for k, v in ev.items()})
    return out


def digital_source_types(props: dict[str, Any]) -> list[str]:
    """IPTC DigitalSourceType values, whether written as an attribute, as element text or as
    an ``rdf:resource`` (the three encodings seen in the wild)."""
    found: list[str] = []
    for key in ("Iptc4xmpExt:DigitalSourceType", "Iptc4xmpExt:DigitalSourceFileType",
                "plus:DigitalSourceType"):
        val = props.get(key)
        vals = val if isinstance(val, list) else [val]
        for v in vals:
            if isinstance(v, dict):
                v = next(iter(v.values()), None)
            if isinstance(v, str) and v:
                found.append(v)
    return found
