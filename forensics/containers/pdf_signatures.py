"""Digital signatures of a PDF, validated offline with pyHanko.

For each signature: the field name, the signer (certificate subject), the signing time the
signer reports (and a timestamp token's, when there is one), the byte range it covers,
whether that range covers the whole file (``bytes_after`` the signed part are reported,
with pyHanko's judgement of what they change: nothing, form filling, annotations, other),
and the cryptographic verdict: ``intact`` (the digest matches the signed bytes) and
``valid`` (the signature over it verifies). The trust anchors are the scan's
(``--trust-anchors``, as for C2PA); with none, a valid signature is ``valid_untrusted``.
A signature whose digest or signature fails is ``invalid``, never merely "present".

Lab notes:

* pyHanko never fetches anything here (``allow_fetching=False``): no OCSP, CRL or AIA.
  A chain that cannot be built offline is an untrusted signer, not an invalid signature.
* pyHanko logs path-building failures with tracebacks through ``logging``; its loggers
  are raised to CRITICAL while we validate, so they never reach the user's terminal.
* ``coverage`` ENTIRE_FILE: the signed byte range ends at the end of the file;
  ENTIRE_REVISION: it covers its revision and later incremental updates follow;
  UNCLEAR: the range leaves out more than the signature value (a forged range).
"""

from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Iterator
from typing import Any

MAX_SIGNATURES = 32


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    names = ("pyhanko", "pyhanko_certvalidator", "asyncio")
    loggers = [logging.getLogger(n) for n in names]
    old = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for lg, lv in zip(loggers, old, strict=True):
            lg.setLevel(lv)


def _trust_roots(pem: str | None) -> list[Any]:
    if not pem:
        return []
    from pyhanko.keys import load_certs_from_pemder_data

    try:
        return list(load_certs_from_pemder_data(pem.encode("utf-8")))
    except Exception:  # noqa: BLE001 - an unreadable anchor file trusts nobody
        return []


def signatures(data: bytes, trust_anchors_pem: str | None = None
               ) -> list[dict[str, Any]] | None:
    """Every signature of the PDF with its verdict, or ``None`` when it has no signature
    field (or pyHanko cannot read the file: then ``[{"error": ...}]`` if a /ByteRange is
    present, so a signature is never silently dropped)."""
    if b"/ByteRange" not in data:
        return None
    try:
        from pyhanko.pdf_utils.reader import PdfFileReader
        from pyhanko.sign.validation import validate_pdf_signature
        from pyhanko_certvalidator import ValidationContext
    except ImportError:
        return [{"status": "error", "error": "pyHanko is not installed: not validated"}]
    out: list[dict[str, Any]] = []
    with _quiet():
        try:
            reader = PdfFileReader(io.BytesIO(data), strict=False)
            embedded = list(reader.embedded_signatures)
        except Exception as exc:  # noqa: BLE001 - pyHanko raises many types on damage
            return [{"status": "error",
                     "error": f"pyHanko cannot read the signatures: {type(exc).__name__}: "
                              f"{exc}"[:300]}]
        if not embedded:
            return None
        roots = _trust_roots(trust_anchors_pem)
        for sig in embedded[:MAX_SIGNATURES]:
            out.append(_one(sig, data, roots, validate_pdf_signature, ValidationContext))
    return out


def _one(sig: Any, data: bytes, roots: list[Any], validate: Any, context: Any
         ) -> dict[str, Any]:
    entry: dict[str, Any] = {"field": getattr(sig, "field_name", None)}
    try:
        br = [int(x) for x in sig.sig_object.get("/ByteRange")]
        entry["byte_range"] = br
        end = br[2] + br[3] if len(br) == 4 else None
        entry["signed_bytes_end"] = end
        entry["bytes_after"] = len(data) - end if end is not None else None
        entry["covers_whole_file"] = end == len(data) and br[0] == 0
        # the one unsigned gap should be exactly the hex string of the signature value
        entry["gap_is_signature_value"] = (
            len(br) == 4 and 0 < br[1] < br[2] <= len(data)
            and data[br[1]:br[1] + 1] == b"<" and data[br[2] - 1:br[2]] == b">")
    except Exception:  # noqa: BLE001
        entry["byte_range"] = None
    try:
        cert = sig.signer_cert
        entry["signer"] = cert.subject.human_friendly
        entry["issuer"] = cert.issuer.human_friendly
        entry["serial"] = str(cert.serial_number)
        entry["not_before"] = cert.not_valid_before.isoformat()
        entry["not_after"] = cert.not_valid_after.isoformat()
    except Exception:  # noqa: BLE001
        entry["signer"] = None
    try:
        ts = sig.self_reported_timestamp
        entry["signing_time"] = ts.isoformat() if ts else None
    except Exception:  # noqa: BLE001
        entry["signing_time"] = None
    try:
        vc = context(trust_roots=roots, allow_fetching=False)
        st = validate(sig, vc)
        entry.update(
            intact=bool(st.intact), valid=bool(st.valid), trusted=bool(st.trusted),
            coverage=st.coverage.name if st.coverage is not None else None,
            modification_level=(st.modification_level.name
                                 if st.modification_level is not None else None),
            docmdp_ok=st.docmdp_ok, digest=st.md_algorithm, summary=st.summary())
        tsv = getattr(st, "timestamp_validity", None)
        if tsv is not None:
            entry["timestamp"] = {"time": tsv.timestamp.isoformat(),
                                  "intact": bool(tsv.intact), "valid": bool(tsv.valid)}
        if not (st.intact and st.valid):
            entry["status"] = "invalid"
        elif st.trusted:
            entry["status"] = "valid_trusted"
        else:
            entry["status"] = "valid_untrusted"
    except Exception as exc:  # noqa: BLE001 - a malformed signature fails, it is not "present"
        entry["status"] = "invalid"
        entry["error"] = f"{type(exc).__name__}: {exc}"[:300]
    return entry


def signature_findings(ex: Any, sigs: list[dict[str, Any]], size: int) -> list[Any]:
    """``pdf.signature_invalid`` / ``_valid_untrusted`` / ``_trusted``,
    ``pdf.signed_then_modified`` and ``pdf.signature_coverage``."""
    out = []
    for s in sigs:
        who = s.get("signer") or "an unknown signer"
        when = s.get("signing_time") or "no stated time"
        status = s.get("status")
        if status == "error":
            out.append(ex.finding(
                "pdf.signature_invalid", "medium", "medium",
                "The PDF has a signature that could not be checked: "
                f"{s.get('error')}", s))
            continue
        if status == "invalid":
            out.append(ex.finding(
                "pdf.signature_invalid", "high", "high",
                f"Signature {s.get('field')!r} by {who} ({when}) does NOT validate: "
                + ("the signed bytes were changed" if s.get("intact") is False else
                   "the signature over the signed bytes fails" if s.get("valid") is False
                   else s.get("error") or "it cannot be verified"), s))
            continue
        if status == "valid_trusted":
            out.append(ex.finding(
                "pdf.signature_trusted", "info", "high",
                f"Signature {s.get('field')!r} by {who} ({when}) validates and its signer "
                "chains to a trust anchor you gave", s))
        else:
            out.append(ex.finding(
                "pdf.signature_valid_untrusted", "info", "high",
                f"Signature {s.get('field')!r} by {who} ({when}) validates (the signed "
                "bytes are intact), but its signer is not among the trust anchors: who "
                "signed is not confirmed", s))
        if s.get("coverage") == "UNCLEAR":
            plain = s.get("covers_whole_file") and s.get("gap_is_signature_value")
            out.append(ex.finding(
                "pdf.signature_coverage", "low" if plain else "medium", "medium",
                f"pyHanko cannot confirm what signature {s.get('field')!r} covers "
                f"({s.get('summary')})" + (
                    ": its byte range spans the whole file but for the signature value, "
                    "yet the file's structure is not what a signer writes"
                    if plain else ": its byte range leaves out more than the signature "
                    "value"), s))
        after = s.get("bytes_after") or 0
        if after > 0:
            level = s.get("modification_level") or "OTHER"
            severity = {"NONE": "info", "LTA_UPDATES": "info", "FORM_FILLING": "low",
                        "ANNOTATIONS": "low"}.get(level, "medium")
            out.append(ex.finding(
                "pdf.signed_then_modified", severity, "high",
                f"{after} bytes were added after signature {s.get('field')!r} was made "
                f"(of {size}); pyHanko judges the later changes as "
                f"{level.lower().replace('_', ' ')}", {
                    "field": s.get("field"), "bytes_after": after,
                    "signed_bytes_end": s.get("signed_bytes_end"),
                    "modification_level": level}))
    return out
