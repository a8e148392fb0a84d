"""Read and validate a file's C2PA (Content Credentials) manifest, fully offline.

Validation is done by the ``c2pa`` package (c2pa-python, a binding of the c2pa-rs SDK). This
module only configures it so that it never touches the network and turns its report into a
small, JSON-serialisable summary. The network is shut off in two independent ways:

* ``verify.remote_manifest_fetch`` and ``verify.ocsp_fetch`` are false, so the SDK does not
  try to download a manifest that the file only points to, nor certificate revocation data;
* ``core.allowed_network_hosts`` is an empty allow-list, so any other HTTP request the SDK
  might make (for instance to resolve a ``did:web`` identity) is refused before it is sent.

States (``result["state"]``):

``no_manifest``
    no C2PA data in the file.
``remote_not_fetched``
    the file only references a manifest stored at a URL (``remote_manifest_url``); it was
    deliberately not downloaded, so nothing was validated.
``valid_untrusted``
    the manifest validates, but its signer does not chain to a trust anchor you supplied.
``trusted``
    the manifest validates and its signer chains to one of ``trust_anchors_pem``.
``invalid``
    the SDK's own ``validation_state`` is ``Invalid``: a failure (other than an untrusted
    certificate) in the active manifest, or in an ingredient's manifest that the SDK
    re-validated and counted. A failure that is only *recorded* for an ingredient (an
    earlier version's credentials failed when it was used) does not make the file invalid:
    it is listed in ``ingredient_failures`` and reported as a separate, lower finding
    (``metadata.c2pa_ingredient_invalid``). This module used to call such a file invalid
    although the SDK judged it Valid (c2pa-rs ``CIE-sig-CA.jpg``, ``CACAE-uri-CA.jpg``,
    public-testfiles ``adobe-20220124-CIE-sig-CA.jpg``).
``unsupported``
    a format this module does not check (SVG, a bare ``.c2pa`` manifest store, ...).
``error``
    the SDK could not read the file or its C2PA data; ``message`` carries its reason.
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

from provenancekit.forensics.sniff import extension_media_type

STATES = (
    "no_manifest", "remote_not_fetched", "valid_untrusted", "trusted", "invalid", "unsupported",
    "error",
)

# Media types handed to the SDK. SVG is left out on purpose (this version checks raster images
# only); everything else here is a container c2pa-rs reads.
SUPPORTED_TYPES = frozenset({
    "image/jpeg", "image/png", "image/webp", "image/tiff", "image/heic", "image/heif",
    "image/avif", "image/gif", "image/jxl", "image/x-adobe-dng", "image/dng",
    "image/x-nikon-nef", "image/x-sony-arw",
})

# SDK errors that stand for a failure of the credential itself rather than of the reading:
# the C2PA failure code they amount to.
_REFUSAL_CODES = {
    "unknown algorithm": "algorithm.unsupported",
}

_URL = re.compile(r"https?://[^\s\"']+")

_MESSAGES = {
    "no_manifest": "No Content Credentials (C2PA manifest) were found in {name}.",
    "remote_not_fetched": "{name} points to Content Credentials stored online ({url}); they "
                          "were not downloaded, so nothing was checked.",
    "valid_untrusted": "{name} carries Content Credentials that validate, but the signer is "
                       "not on a trust list you supplied, so who signed them is unconfirmed.",
    "trusted": "{name} carries valid Content Credentials signed under one of your trust "
               "anchors.",
    "invalid": "{name} carries Content Credentials that fail validation ({codes}): do not rely "
               "on them.",
    "unsupported": "Content Credentials in {name} were not checked: {reason}.",
    "error": "The Content Credentials in {name} could not be read: {reason}.",
}


def _jpeg_without_manifest(data: bytes, segments: list[dict[str, Any]]) -> bool:
    """A cheap sniff: a JPEG whose header has no APP11 segment (where C2PA embeds its JUMBF
    manifest store) and never says ``provenance`` (XMP ``dcterms:provenance``, the pointer to
    a remote manifest) carries no Content Credentials, so the SDK need not parse it."""
    if any(str(s.get("marker")) == "APP11" for s in segments):
        return False
    sos = next((int(s["offset"]) for s in segments if s.get("marker") == "SOS"), None)
    return sos is not None and b"provenance" not in data[:sos]


def read_c2pa(
    path: str, data: bytes, media_type: str, *, trust_anchors_pem: str | None = None,
    jpeg_segments: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Read and validate the C2PA manifest of one file without any network access.

    Args:
        path: the file's name; used only in messages.
        data: the whole file's bytes.
        media_type: the sniffed MIME type (``image/jpeg``, ``image/png``, ...); when empty,
            it is guessed from the extension of ``path``.
        trust_anchors_pem: PEM text of the root (or intermediate) certificates to trust. Without
            it no signer is trusted, and a sound manifest is ``valid_untrusted``.
        jpeg_segments: the JPEG's marker segments (:func:`~forensics.metadata.jpeg.
            walk_segments`), when already walked: a JPEG without APP11 and without a
            provenance pointer is ``no_manifest`` without calling the SDK.

    Returns:
        A JSON-serialisable dict: ``state`` (one of :data:`STATES`), ``validation_codes``
        (failure codes as ``{code, explanation, url, scope}``, invalidating ones first),
        ``success_codes`` and ``informational_codes`` (code strings), ``active_manifest``,
        ``claim_generator``, ``signer``, ``actions`` (of the active manifest),
        ``digital_source_types`` (from the actions of every manifest in the store),
        ``ingredients`` (of the active manifest), ``ingredient_failures`` (failed ingredients
        anywhere in the chain, see :func:`summarise`), ``identity_failures`` (CAWG identity
        codes the SDK did not count), ``sdk_validation_state`` (the SDK's own word,
        verbatim), ``remote_manifest_url`` and a one-sentence ``message``. It never raises.
    """
    name = path or "the file"
    media_type = media_type or extension_media_type(path or "") or ""
    if media_type not in SUPPORTED_TYPES:
        return _result("unsupported", name, reason=f"{media_type or 'unknown type'} is not a "
                                                   "format this version checks")
    if media_type == "image/jpeg" and jpeg_segments and \
            _jpeg_without_manifest(data, jpeg_segments):
        return _result("no_manifest", name)
    if data[4:8] == b"jumb":
        return _result("unsupported", name, reason="it is a bare C2PA manifest store (a .c2pa "
                                                   "sidecar), which needs its asset to validate")
    try:
        import c2pa
    except ImportError as exc:  # pragma: no cover - c2pa-python is a declared dependency
        return _result("error", name, reason=f"the c2pa package is not available ({exc})")
    try:
        settings = c2pa.Settings.from_dict(offline_settings(trust_anchors_pem))
    except Exception as exc:
        return _result("error", name, reason=f"the trust anchors could not be loaded ({exc})")
    try:
        with settings, c2pa.Context(settings=settings) as ctx, \
                c2pa.Reader(media_type, io.BytesIO(data), context=ctx) as reader:
            store = json.loads(reader.json())
            remote_url = reader.get_remote_url()
    except Exception as exc:
        return _from_exception(name, exc)
    try:
        return summarise(store, name, remote_url=remote_url)
    except Exception as exc:  # a report shaped unlike any this module knows
        return _result("error", name, reason=f"the SDK's report could not be read ({exc!r})")


def offline_settings(trust_anchors_pem: str | None = None) -> dict[str, Any]:
    """The c2pa-rs settings used for every read: validate fully, never use the network."""
    settings: dict[str, Any] = {
        "verify": {
            "verify_after_reading": True,
            "verify_trust": True,
            "remote_manifest_fetch": False,
            "ocsp_fetch": False,
        },
        # An empty allow-list makes the SDK's HTTP layer refuse every request.
        "core": {"allowed_network_hosts": []},
    }
    if trust_anchors_pem:
        settings["trust"] = {"trust_anchors": trust_anchors_pem}
    return settings


def summarise(store: dict[str, Any], name: str = "the file", *,
              remote_url: str | None = None) -> dict[str, Any]:
    """Turn the SDK's manifest-store JSON (``Reader.json()``) into the result dict.

    The state is the SDK's own ``validation_state`` (what ``Reader.get_validation_state()``
    returns): ``Invalid`` -> ``invalid``, ``Valid`` -> ``valid_untrusted``, ``Trusted`` (or a
    ``signingCredential.trusted`` success) -> ``trusted``. One exception: an ``Invalid`` whose
    only failures are :data:`OFFLINE_UNVERIFIABLE` (and untrusted certificates) is valid, with
    those codes listed as ``unverifiable_offline``, because offline they say nothing about the
    file. Only a report without ``validation_state`` (older SDKs) is judged here, from its
    failure codes.

    Failures recorded for ingredients (an earlier version's credentials, anywhere in the
    chain) do not decide the state unless the SDK counted them: they are listed in
    ``ingredient_failures``. Active-manifest failures of the identity assertion (CAWG,
    ``cawg.*``) that the SDK did not count are listed in ``identity_failures``.
    """
    manifests = store.get("manifests") or {}
    label = store.get("active_manifest")
    active = manifests.get(label) or {}
    results = store.get("validation_results") or {}
    active_results = results.get("activeManifest") or {}

    failures = [_code(c, "active") for c in active_results.get("failure") or []]
    if not results:  # an SDK that only gives the flat list
        failures = [_code(c, "active") for c in store.get("validation_status") or []]
    delta_failures = _delta_failures(results)
    for delta in delta_failures.values():
        failures += delta
    failures = _dedupe(failures)
    offline = [c for c in failures if c["code"] in OFFLINE_UNVERIFIABLE]
    hard = [c for c in failures if not _is_trust_code(c["code"]) and c not in offline]
    soft = [c for c in failures if _is_trust_code(c["code"])] + offline

    success = _code_strings(active_results.get("success"))
    sdk_state = store.get("validation_state")
    if sdk_state is None:
        invalid = bool(hard)
    else:
        invalid = sdk_state == "Invalid" and bool(hard or not offline)
    if invalid:
        state = "invalid"
    elif sdk_state == "Trusted" or "signingCredential.trusted" in success:
        state = "trusted"
    else:
        state = "valid_untrusted"

    ingredient_failures = _chain_failures(manifests, label, delta_failures)
    identity = [] if invalid else [c for c in hard if c["scope"] == "active"
                                   and str(c["code"]).startswith("cawg.")]

    actions = [_action(a) for a in _actions(active)]
    source_types: list[str] = []
    for manifest in [active, *manifests.values()]:
        for action in _actions(manifest):
            dst = action.get("digitalSourceType")
            if dst and dst not in source_types:
                source_types.append(dst)
    codes = ", ".join(dict.fromkeys(
        c["code"] + (" in an ingredient" if c["scope"] == "ingredient" else "") for c in hard
    )) or "reported by the SDK"
    return {
        **_result(state, name, codes=codes),
        "sdk_validation_state": sdk_state,
        "validation_codes": hard + soft,
        "success_codes": success,
        "informational_codes": _code_strings(active_results.get("informational")),
        "unverifiable_offline": _code_strings(offline),
        "ingredient_failures": ingredient_failures,
        "identity_failures": identity,
        "active_manifest": label,
        "claim_generator": _claim_generator(active),
        "signer": _signer(active.get("signature_info")),
        "actions": actions,
        "digital_source_types": source_types,
        "ingredients": [_ingredient(i, label, delta_failures)
                        for i in active.get("ingredients") or []],
        "remote_manifest_url": remote_url,
    }


def _chain_failures(manifests: dict[str, Any], active_label: str | None,
                    deltas: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Every ingredient, in any manifest of the store, with a failure (other than an untrusted
    certificate) recorded in its assertion or found by the SDK re-validating it:
    ``{title, relationship, manifest, active, codes}``, ``active`` true for an ingredient of
    the active manifest."""
    out: list[dict[str, Any]] = []
    for manifest_label, manifest in manifests.items():
        for ingredient in manifest.get("ingredients") or []:
            uri = f"self#jumbf=/c2pa/{manifest_label}/c2pa.assertions/{ingredient.get('label')}"
            codes = [c.get("code") for c in _recorded_failures(ingredient)]
            codes += [c["code"] for c in deltas.get(uri, [])]
            codes = [c for c in dict.fromkeys(codes) if c and not _is_trust_code(c)]
            if codes:
                out.append({"title": ingredient.get("title"),
                            "relationship": ingredient.get("relationship"),
                            "manifest": manifest_label,
                            "active": manifest_label == active_label, "codes": codes})
    return out


def _result(state: str, name: str, *, reason: str = "", url: str | None = None,
            codes: str = "") -> dict[str, Any]:
    return {
        "state": state,
        "validation_codes": [],
        "success_codes": [],
        "informational_codes": [],
        "active_manifest": None,
        "claim_generator": None,
        "signer": None,
        "actions": [],
        "digital_source_types": [],
        "ingredients": [],
        "remote_manifest_url": url,
        "unverifiable_offline": [],
        "sdk_validation_state": None,
        "ingredient_failures": [],
        "identity_failures": [],
        "message": _MESSAGES[state].format(name=name, reason=reason, url=url, codes=codes),
    }


def _from_exception(name: str, exc: Exception) -> dict[str, Any]:
    """Map an SDK exception to a result; only the error's type and text are looked at."""
    text = str(exc).strip() or type(exc).__name__
    kind = type(exc).__name__
    if "ManifestNotFound" in kind or text.startswith("ManifestNotFound"):
        return _result("no_manifest", name)
    if "RemoteManifest" in kind or text.startswith("Remote"):
        match = _URL.search(text)
        if match:
            return _result("remote_not_fetched", name, url=match.group(0).rstrip(".,;"))
    for needle, code in _REFUSAL_CODES.items():
        if needle in text:
            result = _result("invalid", name, codes=code)
            result["validation_codes"] = [
                {"code": code, "explanation": text, "url": None, "scope": "active"}]
            return result
    return _result("error", name, reason=text)


def _code(entry: dict[str, Any], scope: str) -> dict[str, Any]:
    return {"code": entry.get("code"), "explanation": entry.get("explanation"),
            "url": entry.get("url"), "scope": scope}


def _code_strings(entries: list[dict[str, Any]] | None) -> list[str]:
    return list(dict.fromkeys(e.get("code") for e in entries or [] if e.get("code")))


def _dedupe(codes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[tuple] = set()
    out = []
    for c in codes:
        key = (c["code"], c["url"], c["scope"])
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


# Codes that mean "could not be checked without the network", not "broken": a did:web
# identity issuer cannot be resolved offline, whether or not it exists. Reporting them as
# invalid would accuse sound files; they are listed as unverifiable instead.
OFFLINE_UNVERIFIABLE = frozenset({"cawg.ica.did_unavailable"})


def _is_trust_code(code: str | None) -> bool:
    """An untrusted certificate says who signed is unconfirmed, not that anything is broken."""
    return bool(code) and code.endswith(".untrusted")


def _is_failure(code: str | None) -> bool:
    """For flat status lists (C2PA 1.x ingredients) that do not sort codes into buckets."""
    if not code:
        return False
    ok_suffixes = (".validated", ".match", ".trusted", ".insideValidity", ".notRevoked",
                   ".accessible", ".skipped", ".unknownProvenance", ".deprecated")
    # Informational in c2pa-rs (it demotes a legacy time-stamp mismatch too); follow it.
    informational = {"signingCredential.ocsp.inaccessible", "timeStamp.mismatch"}
    return not code.endswith(ok_suffixes) and code not in informational


def _recorded_failures(ingredient: dict[str, Any]) -> list[dict[str, Any]]:
    """Failure codes stored in an ingredient assertion when it was added (not re-checked)."""
    results = ingredient.get("validation_results")
    if results:
        found = list((results.get("activeManifest") or {}).get("failure") or [])
        for delta in results.get("ingredientDeltas") or []:
            found += (delta.get("validationDeltas") or {}).get("failure") or []
        return found
    return [c for c in ingredient.get("validation_status") or [] if _is_failure(c.get("code"))]


def _delta_failures(results: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Failures the SDK found re-validating each ingredient, by ingredient assertion URI."""
    out: dict[str, list[dict[str, Any]]] = {}
    for delta in results.get("ingredientDeltas") or []:
        found = (delta.get("validationDeltas") or {}).get("failure") or []
        out.setdefault(delta.get("ingredientAssertionURI") or "", []).extend(
            _code(c, "ingredient") for c in found)
    return out


def _actions(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for assertion in manifest.get("assertions") or []:
        if str(assertion.get("label", "")).startswith("c2pa.actions"):
            found += (assertion.get("data") or {}).get("actions") or []
    return found


def _action(action: dict[str, Any]) -> dict[str, Any]:
    agent = action.get("softwareAgent")
    if isinstance(agent, dict):  # claim v2: {"name": ..., "version": ...}
        agent = " ".join(str(agent[k]) for k in ("name", "version") if agent.get(k))
    return {"action": action.get("action"), "software_agent": agent,
            "digital_source_type": action.get("digitalSourceType"), "when": action.get("when")}


def _claim_generator(manifest: dict[str, Any]) -> str | None:
    if manifest.get("claim_generator"):
        return str(manifest["claim_generator"])
    parts = [" ".join(str(i[k]) for k in ("name", "version") if i.get(k))
             for i in manifest.get("claim_generator_info") or [] if isinstance(i, dict)]
    return "; ".join(p for p in parts if p) or None


def _signer(info: dict[str, Any] | None) -> dict[str, Any] | None:
    if not info:
        return None
    return {"issuer": info.get("issuer"), "common_name": info.get("common_name"),
            "time": info.get("time"), "cert_serial_number": info.get("cert_serial_number"),
            "alg": info.get("alg")}


def _ingredient(ingredient: dict[str, Any], manifest_label: str | None,
                deltas: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    uri = f"self#jumbf=/c2pa/{manifest_label}/c2pa.assertions/{ingredient.get('label')}"
    codes = [c.get("code") for c in _recorded_failures(ingredient)]
    codes += [c["code"] for c in deltas.get(uri, [])]
    return {"title": ingredient.get("title"), "relationship": ingredient.get("relationship"),
            "active_manifest": ingredient.get("active_manifest"),
            "failures": [c for c in dict.fromkeys(codes) if not _is_trust_code(c)],
            "instance_id": ingredient.get("instance_id"),
            "document_id": ingredient.get("document_id"), "format": ingredient.get("format")}
