"""XMP parsing: real packets, the three DigitalSourceType encodings, and hostile XML."""

from __future__ import annotations

import pytest

from provenancekit.forensics.metadata.xmp import (
    digital_source_types,
    find_packets,
    history,
    parse_xmp,
)

AI = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
HEAD = ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" '
        'xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
        'xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/" '
        'xmlns:stEvt="http://ns.adobe.com/xap/1.0/sType/ResourceEvent#">')
TAIL = "</rdf:RDF></x:xmpmeta>"


@pytest.mark.parametrize("body", [
    f'<rdf:Description Iptc4xmpExt:DigitalSourceType="{AI}"/>',
    f"<rdf:Description><Iptc4xmpExt:DigitalSourceType>{AI}</Iptc4xmpExt:DigitalSourceType>"
    "</rdf:Description>",
    f'<rdf:Description><Iptc4xmpExt:DigitalSourceType rdf:resource="{AI}"/></rdf:Description>',
], ids=["attribute", "element", "resource"])
def test_digital_source_type_all_encodings(body: str) -> None:
    props = parse_xmp((HEAD + body + TAIL).encode())["properties"]
    assert digital_source_types(props) == [AI]


def test_history_and_creator_tool() -> None:
    body = ('<rdf:Description xmp:CreatorTool="Adobe Photoshop 25.0 (Windows)"><xmpMM:History>'
            '<rdf:Seq><rdf:li stEvt:action="created" stEvt:softwareAgent="Camera"/>'
            '<rdf:li rdf:parseType="Resource"><stEvt:action>saved</stEvt:action>'
            '<stEvt:softwareAgent>Adobe Photoshop 25.0</stEvt:softwareAgent></rdf:li>'
            '</rdf:Seq></xmpMM:History></rdf:Description>')
    props = parse_xmp((HEAD + body + TAIL).encode())["properties"]
    assert props["xmp:CreatorTool"] == "Adobe Photoshop 25.0 (Windows)"
    events = history(props)
    assert [e["action"] for e in events] == ["created", "saved"]
    assert events[1]["softwareAgent"] == "Adobe Photoshop 25.0"


def test_billion_laughs_is_refused_not_expanded() -> None:
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i else "&lol;"}">'
                      for i in range(10))
            + ']><x:xmpmeta xmlns:x="adobe:ns:meta/">&lol9;</x:xmpmeta>')
    out = parse_xmp(bomb.encode())
    assert "error" in out and "refused" in out["error"]


def test_external_entity_is_refused() -> None:
    xxe = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
           '<x:xmpmeta xmlns:x="adobe:ns:meta/">&xxe;</x:xmpmeta>')
    out = parse_xmp(xxe.encode())
    assert "error" in out
    assert "root:" not in str(out)


def test_packets_found_in_arbitrary_bytes() -> None:
    packet = (HEAD + '<rdf:Description xmp:CreatorTool="GIMP 2.10"/>' + TAIL).encode()
    data = b"\x00junk" + packet + b"more junk"
    assert find_packets(data) == [packet]


def test_garbage_is_an_error_not_an_exception() -> None:
    assert "error" in parse_xmp(b"<x:xmpmeta><unclosed></x:xmpmeta>")
