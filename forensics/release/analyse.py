"""The release section of a scan document: pure functions over the stored item dicts.

Lab notes. :func:`analyse_release` reads each item once (:func:`~.facts.item_facts`), builds
the clusters of each kind, the lineage edges and the counter/time tables, and derives the
release findings; nothing is re-read from disk, so a stored ``scan.json`` or JSONL run can be
analysed again later (``provenance release show``). Items that could not be read
(``status: error``) are left out and counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from ..model import severity_rank
from .clusters import device_clusters, pipeline_clusters, place_time_clusters, signer_clusters
from .counters import counter_tables, device_groups
from .facts import item_facts
from .findings import (
    counter_findings,
    device_findings,
    lineage_findings,
    pipeline_findings,
    place_findings,
    signer_findings,
)
from .lineage import lineage_edges
from .params import VERSION, ReleaseParams

KINDS = ("device", "pipeline", "signer", "place_time")


def analyse_release(items: Iterable[Mapping[str, Any]], *, params: ReleaseParams | None = None,
                    sources: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The ``release`` section for these scan items (``provenance.scan/1`` item dicts).

    ``sources`` maps item paths to the source each is claimed to come from (a case's claims);
    without it no finding speaks of sources."""
    p = params or ReleaseParams()
    facts = []
    skipped = 0
    for i, item in enumerate(items):
        f = item_facts(i, dict(item))
        if f is None:
            skipped += 1
        else:
            facts.append(f)
    clusters = {
        "device": device_clusters(facts),
        "pipeline": pipeline_clusters(facts),
        "signer": signer_clusters(facts),
        "place_time": place_time_clusters(facts, p),
    }
    for kind in KINDS:
        clusters[kind].sort(key=lambda c: (-len(c["members"]), c["members"][0]))
        for n, c in enumerate(clusters[kind], 1):
            c["id"] = f"{kind}-{n}"
    groups = device_groups(clusters["device"])
    tables = counter_tables(groups, p)
    edges = lineage_edges(facts)
    found = (device_findings(clusters["device"], sources)
             + pipeline_findings(facts, clusters["pipeline"])
             + signer_findings(clusters["signer"])
             + place_findings(facts, clusters["place_time"], p, sources)
             + lineage_findings(edges)
             + counter_findings(tables))
    found.sort(key=lambda f: -severity_rank(f.severity))
    kept, per_code, left_out = [], Counter(), Counter()
    for f in found:
        per_code[f.code] += 1
        if per_code[f.code] <= p.max_findings_per_code:
            kept.append(f.to_dict())
        else:
            left_out[f.code] += 1
    return {
        "version": VERSION,
        "params": p.to_dict(),
        "items": len(facts),
        "items_skipped": skipped,
        "clusters": [{k: v for k, v in c.items() if k != "_facts"}
                     for kind in KINDS for c in clusters[kind]],
        "lineage": edges,
        "counters": tables,
        "findings": kept,
        "findings_left_out": dict(left_out),
    }


def with_release(doc: dict[str, Any], *, params: ReleaseParams | None = None,
                 sources: Mapping[str, str] | None = None) -> dict[str, Any]:
    """``doc`` (a scan document) with its ``release`` section when it holds more than one
    item; a one-file scan is returned as it is."""
    if len(doc.get("items") or []) > 1:
        doc["release"] = analyse_release(doc["items"], params=params, sources=sources)
    return doc
