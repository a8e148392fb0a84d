"""Check :func:`forensics.metadata.c2pa.read_c2pa` against the C2PA test corpus.

Usage::

    python -m benchmarks.c2pa_validation [--corpus ../shared/corpus]

Every file under ``<corpus>/c2pa`` (``_meta`` folders skipped) is typed with the project's
sniffer, read with ``read_c2pa`` (offline, no trust anchors) and compared with the outcome its
name states (see :func:`expected_outcome`). It prints a table, a summary line and an
explanation for each disagreement. It is a report: it exits 0 whatever it finds.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

from provenancekit.forensics.metadata.c2pa import read_c2pa
from provenancekit.forensics.sniff import SNIFF_BYTES, sniff_media_type

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

VALID = "valid_untrusted"

# Unsigned format samples the SDKs use for signing tests, and the two legacy conformance files
# that carry no manifest (c2pa-public-testfiles README: "No Content Credentials").
_UNSIGNED = re.compile(
    r"^(adobe-20220124-[AI]|no_manifest|earth_apollo17|sample\d|test(_\w+)?|mars|TUSCANY"
    r"|MultiPage|libpng-test|c2pa\.thumbnail\.claim)$"
)
# Files that only point to a manifest stored online.
_REMOTE = {"cloud.jpg", "cloudx.jpg", "libpng-test_with_url.png"}
# CAWG identity-claims-aggregation fixtures whose names state a defect.
_ICA_DEFECT = re.compile(
    r"^(invalid_|missing_|valid_from_|valid_until_in_past$"
    r"|unsupported_did_method$)|_mismatch$"
)
# Identity fixtures whose defect is in a DID document that only a network lookup can fetch.
# Offline they cannot be told from sound did:web identities (cawg.ica.did_unavailable), so
# the credential is reported valid with the identity listed as unverifiable offline.
_DID_LOOKUP = {"unresolvable_did", "did_doc_without_assertion_method"}

# Known causes, by failure code, used to explain disagreements.
_CAUSES = {
    "assertion.dataHash.mismatch": "the hard-binding hash does not fit the file as it is now "
                                   "(bytes changed or moved after signing). For the 2023 "
                                   "Truepic files the SDK (c2pa-rs >= 0.91, PR #2653) applies "
                                   "C2PA 2.4 s15.12: the data-hash exclusion must equal the "
                                   "manifest store's real location, and theirs does not",
    "cawg.ica.did_unavailable": "the identity assertion's issuer DID needs a network lookup "
                                "(did:web), which is disabled, so offline it cannot be resolved",
    "signingCredential.expired": "the signing certificate had expired and no time-stamp "
                                 "proves the signature predates that",
}


def expected_outcome(rel: Path) -> tuple[set[str], str]:
    """The states a corpus file may come out in, judged by its name, and a note on why.

    ``rel`` is the path relative to ``corpus/c2pa``. The rules, in order:
    """
    name, stem = rel.name, rel.stem
    # C2PA 1.x conformance names: [supplier]-[date]-[code]; keep the code part.
    code = re.sub(r"^adobe-\d{8}-", "", stem)
    # A bare manifest store (.c2pa sidecar) is not an image: nothing to bind it to.
    if rel.suffix == ".c2pa":
        return {"unsupported"}, "bare manifest store (.c2pa sidecar), not an image"
    # SVG is outside the raster types this version checks.
    if rel.suffix == ".svg":
        return {"unsupported"}, "SVG is not checked by this version"
    # Only a remote-manifest reference: it must be reported, never fetched.
    if name in _REMOTE:
        return {"remote_not_fetched"}, "references a remote manifest; must not be fetched"
    if _UNSIGNED.match(stem):
        return {"no_manifest"}, ""
    # TIFF with thousands of sub-IFDs (parser stress case): must come back, not crash.
    if stem == "tiff_poc":
        return {"error", "no_manifest"}, "parser stress case; any non-crashing answer is fine"
    # A manifest from a pre-1.0 draft of the spec: the SDK refuses to validate it. That is
    # neither proof of tampering nor a valid credential, so "error" with the SDK's reason.
    if stem == "prerelease":
        return {"error"}, "pre-release (draft spec) manifest: the SDK refuses to validate it"
    # A claim signature without its algorithm can never validate: C2PA failure
    # algorithm.unsupported, so "invalid".
    if stem == "no_alg":
        return {"invalid"}, "signature has no algorithm: reported as algorithm.unsupported"
    # E-<kind>- first: an error in the active manifest; X first: the asset was modified
    # after signing.
    if code.startswith(("E-", "X")):
        return {"invalid"}, ""
    # E-<kind>- later in the code: the error is an ingredient's (an earlier version's). The
    # active manifest validates, so the file's credentials are valid and the ingredient is a
    # separate finding (metadata.c2pa_ingredient_invalid), except where the SDK re-validates
    # the ingredient's manifest kept in the file and counts its failure (an ingredient delta:
    # c2pa-python's CIE-sig-CA.jpg), which makes the SDK's state Invalid.
    if "E-" in code:
        if rel.parts[0] == "c2pa-python":
            return {"invalid"}, ("the SDK re-validates the ingredient's manifest and counts "
                                 "its broken signature (an ingredient delta)")
        return {VALID}, "active manifest valid; the ingredient's failure is reported apart"
    # The public-testfiles README lists it as "Invalid credentials".
    if stem == "nikon-20221019-building":
        return {"invalid"}, ""
    if "ica_validation" in rel.parts and stem in _DID_LOOKUP:
        return {VALID}, "DID defect needs a network lookup: identity listed as unverifiable"
    if "ica_validation" in rel.parts and _ICA_DEFECT.search(stem):
        return {"invalid"}, ""
    # CAWG validation-method fixtures each carry an identity-assertion defect, except
    # extra_field, whose extra CBOR field a validator must ignore (c2pa-rs tests). The SDK
    # judges the C2PA claim Valid and lists the identity codes as failures it does not count:
    # valid, with the identity failure reported apart (metadata.c2pa_identity_invalid).
    # malformed_cbor's assertion does not even parse, so the claim itself cannot be loaded.
    if "validation_method" in rel.parts:
        if stem == "malformed_cbor":
            return {"invalid"}, ""
        return ({VALID}, "") if stem == "extra_field" else (
            {VALID}, "identity assertion fails (reported apart); the claim validates")
    # Everything else is a signed file whose name states no defect (C, CA, success, ...),
    # signed with test certificates: valid but untrusted.
    return {VALID}, ""


def key_codes(result: dict) -> str:
    """The failure codes that decided the state, shortest form first."""
    codes = [c["code"] + ("@ingredient" if c["scope"] == "ingredient" else "")
             for c in result["validation_codes"] if not c["code"].endswith(".untrusted")
             and c["code"] not in result.get("unverifiable_offline", [])]
    codes = list(dict.fromkeys(codes))
    text = ", ".join(codes[:3]) + (f" (+{len(codes) - 3})" if len(codes) > 3 else "")
    return text or ("untrusted signer" if result["state"] == VALID else "")


def explain(result: dict) -> str:
    """Why ``read_c2pa`` said what it said, from the codes the SDK gave."""
    hard = [c for c in result["validation_codes"] if not c["code"].endswith(".untrusted")
            and c["code"] not in result.get("unverifiable_offline", [])]
    if not hard:
        return result["message"]
    parts = []
    for c in {c["code"]: c for c in hard}.values():
        cause = _CAUSES.get(c["code"], "")
        parts.append(f"{c['code']} ({c['scope']}): SDK says \"{c['explanation']}\""
                     + (f" - {cause}" if cause else ""))
    return "; ".join(parts)


def run(corpus: Path) -> list[dict]:
    rows = []
    root = corpus / "c2pa"
    for path in sorted(root.rglob("*")):
        if path.is_dir() or "_meta" in path.relative_to(root).parts:
            continue
        rel = path.relative_to(root)
        data = path.read_bytes()
        expected, note = expected_outcome(rel)
        result = read_c2pa(str(rel), data, sniff_media_type(data[:SNIFF_BYTES]))
        rows.append({"file": str(rel), "expected": expected, "note": note, "result": result,
                     "agree": result["state"] in expected, "sdk": _sdk_agrees(result)})
    return rows


def _sdk_agrees(result: dict) -> bool | None:
    """Whether the state is the SDK's own ``validation_state`` (None when the SDK gave none:
    no manifest, an SDK error, a remote or unsupported file). An Invalid due only to
    offline-unverifiable codes counts as agreeing when reported valid with them listed."""
    sdk = result.get("sdk_validation_state")
    if sdk is None:
        return None
    if sdk == "Invalid" and result["state"] != "invalid":
        return bool(result["unverifiable_offline"])
    return {"Valid": VALID, "Invalid": "invalid", "Trusted": "trusted"}.get(sdk) == \
        result["state"]


def summary(rows: list[dict]) -> str:
    def tally(group: str, got: str) -> str:
        picked = [r for r in rows if r["expected"] == {group}]
        hits = sum(r["result"]["state"] == got for r in picked)
        return f"{len(picked)} -> {got} {hits}/{len(picked)}"

    other = [r for r in rows if r["expected"] not in ({"invalid"}, {VALID}, {"no_manifest"})]
    return (f"c2pa: {len(rows)} files, expected-invalid {tally('invalid', 'invalid')}, "
            f"expected-valid {tally(VALID, VALID)}, "
            f"expected-no_manifest {tally('no_manifest', 'no_manifest')}, "
            f"other (remote/unsupported/error) {len(other)} -> "
            f"as expected {sum(r['agree'] for r in other)}/{len(other)}, "
            f"disagreements {sum(not r['agree'] for r in rows)}; "
            f"state = SDK validation_state on {sum(r['sdk'] is True for r in rows)}/"
            f"{sum(r['sdk'] is not None for r in rows)} files with one")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                        help="corpus root holding c2pa/ (default: %(default)s)")
    args = parser.parse_args(argv)
    if not (args.corpus / "c2pa").is_dir():
        print(f"c2pa: corpus not found at {args.corpus / 'c2pa'}; nothing to check")
        return 0

    started = time.perf_counter()
    rows = run(args.corpus)
    elapsed = time.perf_counter() - started

    width = min(72, max(len(r["file"]) for r in rows))
    print(f"{'file':{width}}  {'expected':24}  {'got':18}  agree  sdk  key codes")
    for r in rows:
        expected = "|".join(sorted(r["expected"]))
        name = r["file"] if len(r["file"]) <= width else "..." + r["file"][3 - width:]
        print(f"{name:{width}}  {expected:24}  {r['result']['state']:18}  "
              f"{'yes' if r['agree'] else 'NO':5}  "
              f"{ {True: 'yes', False: 'NO', None: '-'}[r['sdk']]:3}  {key_codes(r['result'])}")
    print()
    print(summary(rows) + f"  ({elapsed:.1f} s)")

    notes = [r for r in rows if r["note"] and r["agree"]
             and r["expected"] - {"unsupported", "remote_not_fetched", "no_manifest"}]
    if notes:
        print("\nDecisions (the SDK refuses or cannot judge these; what is reported and why):")
        for r in notes:
            print(f"  {r['file']}: {r['result']['state']} - {r['note']}. "
                  f"{r['result']['message']}")
    disagreements = [r for r in rows if not r["agree"]]
    if disagreements:
        print("\nDisagreements (name says one thing, the validator another):")
        for r in disagreements:
            expected = "|".join(sorted(r["expected"]))
            print(f"  {r['file']}: expected {expected}, got {r['result']['state']}: "
                  f"{explain(r['result'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
