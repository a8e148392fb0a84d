"""read_c2pa on real C2PA test files (the shared corpus), offline."""

from __future__ import annotations

import base64
import json
import os
import re
import socket
import struct
import sys
import threading
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
C2PA = CORPUS / "c2pa"
SDK = C2PA / "c2pa-rs" / "sdk-fixtures"
ICA = C2PA / "c2pa-rs" / "identity-fixtures" / "claim_aggregation" / "ica_validation"

if not C2PA.is_dir():
    pytest.skip(f"C2PA corpus not found at {C2PA}", allow_module_level=True)

ROOT = str(Path(__file__).resolve().parents[1])
if ROOT not in sys.path:  # plain `pytest` does not put the project root on sys.path
    sys.path.insert(0, ROOT)

from provenancekit.forensics.metadata.c2pa import STATES, read_c2pa  # noqa: E402


def read(path: Path, media_type: str = "image/jpeg", **kwargs) -> dict:
    result = read_c2pa(path.name, path.read_bytes(), media_type, **kwargs)
    assert result["state"] in STATES
    json.dumps(result)  # plain JSON, always
    return result


def codes(result: dict, scope: str | None = None) -> set[str]:
    return {c["code"] for c in result["validation_codes"] if scope in (None, c["scope"])}


def embedded_certificates(data: bytes) -> list[bytes]:
    """DER certificates found in a file's bytes (the COSE x5chain of its signature, ...)."""
    found = []
    for m in re.finditer(rb"\x30\x82(..)\x30\x82", data, re.S):
        der = data[m.start():m.start() + 4 + int.from_bytes(m.group(1), "big")]
        if b"\x06\x03\x55\x04\x03" in der:  # carries a commonName: a certificate
            found.append(der)
    return found


def pem(der: bytes) -> str:
    b64 = base64.b64encode(der).decode()
    lines = "\n".join(b64[i:i + 64] for i in range(0, len(b64), 64))
    return f"-----BEGIN CERTIFICATE-----\n{lines}\n-----END CERTIFICATE-----\n"


def test_file_without_jumbf_is_no_manifest():
    result = read(SDK / "no_manifest.jpg")
    assert result["state"] == "no_manifest"
    assert result["validation_codes"] == [] and result["active_manifest"] is None
    assert read(SDK / "sample1.png", "image/png")["state"] == "no_manifest"


def test_c_jpg_is_valid_but_untrusted():
    result = read(SDK / "C.jpg")
    assert result["state"] == "valid_untrusted"
    assert codes(result) == {"signingCredential.untrusted"}
    assert "claimSignature.validated" in result["success_codes"]
    assert result["claim_generator"] and "make_test_images" in result["claim_generator"]
    assert result["active_manifest"].startswith("contentauth:urn:uuid:")
    assert result["signer"]["issuer"] == "C2PA Test Signing Cert"
    assert [a["action"] for a in result["actions"]] == ["c2pa.created"]
    assert result["digital_source_types"] == [
        "http://cv.iptc.org/newscodes/digitalsourcetype/algorithmicMedia"]


def test_asset_modified_after_signing_is_invalid():
    result = read(SDK / "XCA.jpg")
    assert result["state"] == "invalid"
    assert "assertion.dataHash.mismatch" in codes(result, "active")
    assert result["validation_codes"][0]["code"] == "assertion.dataHash.mismatch"


def test_bad_claim_signature_is_invalid():
    result = read(SDK / "E-sig-CA.jpg")
    assert result["state"] == "invalid"
    assert "claimSignature.mismatch" in codes(result, "active")
    assert "claimSignature.mismatch" in result["message"]


PUBLIC = C2PA / "c2pa-public-testfiles" / "image" / "jpeg"


@pytest.mark.parametrize("path, code", [
    (SDK / "CIE-sig-CA.jpg", "claimSignature.mismatch"),  # the ingredient's signature
    (SDK / "CACAE-uri-CA.jpg", "assertion.hashedURI.mismatch"),  # an ingredient's ingredient
    (PUBLIC / "adobe-20220124-CIE-sig-CA.jpg", "claimSignature.mismatch"),
])
def test_ingredient_failure_does_not_make_valid_credentials_invalid(path, code):
    """The active manifest validates (the SDK says Valid): the file's credentials are valid,
    and the failed ingredient is listed apart, as an earlier version's failure."""
    result = read(path)
    assert result["sdk_validation_state"] == "Valid"
    assert result["state"] == "valid_untrusted"
    assert codes(result, "active") <= {"signingCredential.untrusted"}
    failed = result["ingredient_failures"]
    assert any(code in f["codes"] for f in failed)
    assert all(f["title"] and f["manifest"] for f in failed)


def test_ingredient_failure_the_sdk_counts_keeps_the_file_invalid():
    """c2pa-python's CIE-sig-CA.jpg: the SDK re-validates the ingredient's manifest, finds
    its signature broken (an ingredient delta) and judges the store Invalid; so do we."""
    result = read(C2PA / "c2pa-python" / "files-for-reading-tests" / "CIE-sig-CA.jpg")
    assert result["sdk_validation_state"] == "Invalid" and result["state"] == "invalid"
    assert "claimSignature.mismatch" in codes(result, "ingredient")
    assert "in an ingredient" in result["message"]


def test_ingredient_failures_are_listed_per_ingredient():
    result = read(SDK / "CIE-sig-CA.jpg")
    [ingredient] = result["ingredients"]
    assert ingredient["title"] == "E-sig-CA.jpg"
    assert ingredient["failures"] == ["claimSignature.mismatch"]


def test_ingredient_and_identity_findings():
    from provenancekit.forensics.checks import get_checks
    from provenancekit.forensics.scan import scan_file

    check = get_checks(["metadata"])
    found = {f["code"]: f for f in scan_file(str(SDK / "CIE-sig-CA.jpg"),
                                             checks=check).to_dict()["findings"]}
    assert "metadata.c2pa_invalid" not in found
    assert found["metadata.c2pa_valid_untrusted"]["severity"] == "info"
    ingredient = found["metadata.c2pa_ingredient_invalid"]
    assert ingredient["severity"] == "low" and "E-sig-CA.jpg" in ingredient["message"]
    assert ingredient["evidence"]["ingredients"][0]["codes"] == ["claimSignature.mismatch"]
    # CAWG identity fixture: the SDK says Valid, its identity assertion's padding is bad
    pad = C2PA / "c2pa-rs" / "identity-fixtures" / "validation_method" / "pad1_invalid.jpg"
    found = {f["code"]: f for f in scan_file(str(pad), checks=check).to_dict()["findings"]}
    identity = found["metadata.c2pa_identity_invalid"]
    assert identity["severity"] == "medium" and "cawg.identity.pad.invalid" in identity["message"]
    assert "metadata.c2pa_invalid" not in found


def _sdk_state(path: Path, media_type: str) -> str:
    """The SDK's own ``validation_state`` (or its error's kind), read independently."""
    import io

    import c2pa

    from provenancekit.forensics.metadata.c2pa import offline_settings

    settings = c2pa.Settings.from_dict(offline_settings())
    try:
        with settings, c2pa.Context(settings=settings) as ctx, \
                c2pa.Reader(media_type, io.BytesIO(path.read_bytes()), context=ctx) as reader:
            return str(reader.get_validation_state())
    except Exception as exc:  # noqa: BLE001 - the kind of refusal is compared below
        return "error: " + str(exc).split(":", 1)[0]


def test_state_is_the_sdks_validation_state_on_every_corpus_file():
    """On every file of the C2PA corpus the state is the SDK's own: Valid -> valid_untrusted,
    Invalid -> invalid; the one documented exception is an Invalid due only to codes that
    cannot be checked offline (a did:web issuer), reported valid with those codes listed."""
    from provenancekit.forensics.metadata.c2pa import OFFLINE_UNVERIFIABLE
    from provenancekit.forensics.sniff import SNIFF_BYTES, sniff_media_type

    compared = 0
    for path in sorted(C2PA.rglob("*")):
        if path.is_dir() or "_meta" in path.relative_to(C2PA).parts:
            continue
        data = path.read_bytes()
        media_type = sniff_media_type(data[:SNIFF_BYTES])
        ours = read(path, media_type)
        if ours["state"] in ("unsupported", "no_manifest", "remote_not_fetched", "error"):
            continue
        sdk = _sdk_state(path, media_type)
        if path.name == "no_alg.jpg":  # the SDK refuses it: "unknown algorithm"
            assert sdk.startswith("error") and ours["state"] == "invalid"
            continue
        compared += 1
        assert ours["sdk_validation_state"] == sdk, path
        expected = {"Valid": "valid_untrusted", "Invalid": "invalid"}[sdk]
        if sdk == "Invalid" and ours["unverifiable_offline"]:
            assert set(ours["unverifiable_offline"]) <= OFFLINE_UNVERIFIABLE
            assert not [c for c in ours["validation_codes"] if c["code"] not in
                        OFFLINE_UNVERIFIABLE and not c["code"].endswith(".untrusted")], path
            expected = "valid_untrusted"
        assert ours["state"] == expected, path
    assert compared >= 75


@pytest.mark.parametrize("name, state", [
    ("success.jpg", "valid_untrusted"),
    ("valid_until_in_future.jpg", "valid_untrusted"),
    ("valid_until_in_past.jpg", "invalid"),
    ("signature_mismatch.jpg", "invalid"),
])
def test_cawg_identity_fixtures(name, state):
    assert read(ICA / name)["state"] == state


def test_unvalidatable_signature_and_prerelease_manifest():
    no_alg = read(SDK / "no_alg.jpg")
    assert no_alg["state"] == "invalid" and codes(no_alg) == {"algorithm.unsupported"}
    prerelease = read(SDK / "prerelease.jpg")
    assert prerelease["state"] == "error" and "prerelease" in prerelease["message"]


def test_remote_manifest_is_reported_not_fetched():
    result = read(SDK / "cloud.jpg")
    assert result["state"] == "remote_not_fetched"
    assert result["remote_manifest_url"] == (
        "https://cai-manifests.adobe.com/manifests/"
        "adobe-urn-uuid-5f37e182-3687-462e-a7fb-573462780391")


def test_remote_manifest_on_localhost_sees_no_connection():
    """libpng-test_with_url.png points at http://localhost:5000/: listen there and watch."""
    import c2pa

    hits: list = []
    listeners = []
    for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        sock = socket.socket(family)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, 5000))
        except OSError:
            sock.close()
            if family == socket.AF_INET:
                pytest.skip("port 5000 is busy on localhost")
            continue
        sock.listen()
        sock.settimeout(5)
        listeners.append(sock)
        threading.Thread(target=_answer_404, args=(sock, hits), daemon=True).start()
    try:
        path = SDK / "libpng-test_with_url.png"
        result = read(path, "image/png")
        assert result["state"] == "remote_not_fetched"
        assert result["remote_manifest_url"] == "http://localhost:5000/libpng-test.c2pa"
        assert hits == []
        # Control: the SDK with its default settings does fetch, and the listener sees it.
        with path.open("rb") as stream:
            try:
                c2pa.Reader("image/png", stream, context=c2pa.Context()).close()
            except c2pa.C2paError:
                pass
        assert hits, "the listener should have seen the default SDK's fetch"
    finally:
        for sock in listeners:
            sock.close()


def _answer_404(sock: socket.socket, hits: list) -> None:
    while True:
        try:
            conn, addr = sock.accept()
        except OSError:
            return
        hits.append(addr)
        # Reset on close, so that no TIME_WAIT keeps port 5000 from the next run.
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        with conn:
            conn.recv(4096)
            conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")


def test_trust_anchor_from_the_files_own_chain_makes_it_trusted():
    data = (SDK / "C.jpg").read_bytes()
    signer, intermediate, tsa = embedded_certificates(data)[:3]
    assert b"C2PA Signer" in signer and b"Intermediate CA" in intermediate
    assert b"DigiCert" in tsa

    trusted = read_c2pa("C.jpg", data, "image/jpeg", trust_anchors_pem=pem(intermediate))
    assert trusted["state"] == "trusted"
    assert "signingCredential.trusted" in trusted["success_codes"]
    assert trusted["validation_codes"] == []

    # An anchor that is not in the signer's chain changes nothing.
    other = read_c2pa("C.jpg", data, "image/jpeg", trust_anchors_pem=pem(tsa))
    assert other["state"] == "valid_untrusted"
    # A tampered file stays invalid whatever is trusted.
    tampered = read(SDK / "XCA.jpg", trust_anchors_pem=pem(intermediate))
    assert tampered["state"] == "invalid"


def test_unreadable_trust_anchors_are_an_error_not_an_exception():
    result = read(SDK / "C.jpg", trust_anchors_pem="not a certificate")
    assert result["state"] == "error" and "trust anchors" in result["message"]


@pytest.mark.parametrize("data", [os.urandom(4096), b"", b"hello world", b"\xff\xd8\xff\xe0"])
def test_garbage_bytes_never_raise(data):
    result = read_c2pa("junk.jpg", data, "image/jpeg")
    assert result["state"] in {"no_manifest", "error"}
    json.dumps(result)


def test_formats_not_checked_are_unsupported():
    svg = read(SDK / "sample3.svg", "image/svg+xml")
    assert svg["state"] == "unsupported"
    sidecar = read(SDK / "cloud_manifest.c2pa", "image/jpeg")
    assert sidecar["state"] == "unsupported" and "sidecar" in sidecar["message"]
    assert read(SDK / "cloud_manifest.c2pa", "application/octet-stream")["state"] == (
        "unsupported")


def test_media_type_is_guessed_from_the_name_when_missing():
    assert read_c2pa("C.jpg", (SDK / "C.jpg").read_bytes(), "")["state"] == "valid_untrusted"


def test_concurrent_reads_agree():
    from concurrent.futures import ThreadPoolExecutor

    files = [SDK / "C.jpg", SDK / "XCA.jpg", SDK / "no_manifest.jpg", SDK / "cloud.jpg"] * 4
    with ThreadPoolExecutor(max_workers=8) as pool:
        states = list(pool.map(lambda p: read(p)["state"], files))
    assert states == ["valid_untrusted", "invalid", "no_manifest", "remote_not_fetched"] * 4


def test_summarise_a_v2_claim_report():
    from provenancekit.forensics.metadata.c2pa import summarise

    trained = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
    store = {
        "active_manifest": "m2",
        "manifests": {
            "m1": {"assertions": [{"label": "c2pa.actions.v2", "data": {"actions": [
                {"action": "c2pa.created", "digitalSourceType": trained}]}}]},
            "m2": {
                "claim_generator_info": [{"name": "App", "version": "1.2"}],
                "signature_info": {"issuer": "Org", "common_name": "Signer", "time": "t"},
                "assertions": [{"label": "c2pa.actions.v2", "data": {"actions": [
                    {"action": "c2pa.placed", "softwareAgent": {"name": "App", "version": "1.2"},
                     "when": "2025-01-01T00:00:00Z"}]}}],
                "ingredients": [{"title": "a.jpg", "relationship": "componentOf",
                                 "label": "c2pa.ingredient.v3", "active_manifest": "m1"}],
            },
        },
        "validation_results": {"activeManifest": {
            "success": [{"code": "signingCredential.trusted"}], "informational": [],
            "failure": []}},
        "validation_state": "Trusted",
    }
    result = summarise(store, "x.jpg")
    assert result["state"] == "trusted"
    assert result["claim_generator"] == "App 1.2"
    assert result["actions"] == [{"action": "c2pa.placed", "software_agent": "App 1.2",
                                  "digital_source_type": None, "when": "2025-01-01T00:00:00Z"}]
    assert result["digital_source_types"] == [trained]  # seen in the ingredient's manifest
    assert result["ingredients"][0]["failures"] == []
    json.dumps(result)


def test_header_sniff_agrees_with_the_sdk_on_every_corpus_jpeg():
    """The cheap sniff (no APP11, no provenance pointer: no manifest, SDK not called) gives
    the SDK's own answer on every JPEG of the C2PA corpus, remote-manifest files included."""
    from provenancekit.forensics.metadata.jpeg import walk_segments

    jpegs = [p for p in sorted(C2PA.rglob("*")) if p.suffix.lower() in (".jpg", ".jpeg")
             and p.read_bytes()[:2] == b"\xff\xd8"]
    assert len(jpegs) >= 40
    sniffed = 0
    for p in jpegs:
        data = p.read_bytes()
        segments = walk_segments(data)["segments"]
        fast = read_c2pa(p.name, data, "image/jpeg", jpeg_segments=segments)
        assert fast["state"] == read_c2pa(p.name, data, "image/jpeg")["state"], p
        sniffed += not any(s["marker"] == "APP11" for s in segments)
    assert sniffed >= 5  # the fast path was taken on the manifest-less files
