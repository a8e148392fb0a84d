"""Order and counters: a camera's counters must rise with its clock.

Lab notes. Within one device group (the strongest device cluster an item belongs to: serial,
owner, model + firmware, else model), each counter (a maker-note shutter or image counter as
exifread names it: Canon ImageNumber, Nikon TotalShutterReleases / ImageCount /
MechanicalShutterCount, ...; XMP aux:ImageNumber; a file-name counter such as DSC_0412 of one
prefix and width) is set against the capture times. Rows are sorted by time; the files kept
in order are a longest run rising in both (longest increasing subsequence, O(n log n)); the
others are out of place: their date was edited, or they come from another occasion or
another body of the model. Equal times never contradict. A file-name counter falling from
the top to the bottom tenth of its range (DSC_9999 -> DSC_0001) is a roll-over and starts a
new run instead.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from typing import Any

from .facts import Facts
from .params import ReleaseParams

STRENGTH = {"serial": 3, "owner": 2, "model_firmware": 1, "model": 0}


def device_groups(device_clusters: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The groups counters are checked within: each unique-device cluster (serial, owner),
    then the remaining items by claimed make and model, named after the device cluster
    holding exactly them (model + firmware when they share one), else the model cluster."""
    unique = sorted((c for c in device_clusters if c["by"] in ("serial", "owner")),
                    key=lambda c: -STRENGTH[c["by"]])
    taken: set[str] = set()
    out = []
    for c in unique:
        members = [m for m in c["_facts"] if m.path not in taken]
        taken.update(m.path for m in members)
        if len(members) > 1:
            out.append({"cluster": c, "members": members})
    by_set = {frozenset(c["members"]): c for c in device_clusters
              if c["by"] in ("model_firmware", "model")}
    by_camera: dict[Any, list[Facts]] = defaultdict(list)
    models: dict[Any, dict[str, Any]] = {}
    for c in device_clusters:
        if c["by"] in ("model", "model_firmware"):
            for m in c["_facts"]:
                if m.path not in taken and m.camera is not None:
                    if m not in by_camera[m.camera]:
                        by_camera[m.camera].append(m)
                    if c["by"] == "model" or m.camera not in models:
                        models[m.camera] = c
    for camera, members in by_camera.items():
        if len(members) > 1:
            members.sort(key=lambda f: f.index)
            c = by_set.get(frozenset(m.path for m in members)) or models[camera]
            out.append({"cluster": c, "members": members})
    return out


def _lis_keep(values: list[int]) -> set[int]:
    """Indices of one longest strictly increasing subsequence of ``values``."""
    tails: list[int] = []
    tail_idx: list[int] = []
    prev = [-1] * len(values)
    for i, v in enumerate(values):
        k = bisect.bisect_left(tails, v)
        if k == len(tails):
            tails.append(v)
            tail_idx.append(i)
        else:
            tails[k] = v
            tail_idx[k] = i
        prev[i] = tail_idx[k - 1] if k else -1
    keep: set[int] = set()
    i = tail_idx[-1] if tail_idx else -1
    while i >= 0:
        keep.add(i)
        i = prev[i]
    return keep


def counter_tables(groups: list[dict[str, Any]], params: ReleaseParams
                   ) -> list[dict[str, Any]]:
    """One table per (device group, counter) with at least two dated rows."""
    out = []
    for g in groups:
        by_counter: dict[str, list[tuple[Facts, int]]] = defaultdict(list)
        for f in g["members"]:
            if f.epoch is None:
                continue
            for name, value in f.counters:
                by_counter[name].append((f, value))
        for name, rows in by_counter.items():
            if len(rows) < 2:
                continue
            rows.sort(key=lambda r: (r[0].epoch, r[1]))
            width = int(name.rsplit("#", 1)[1]) if name.startswith("file_name:") else 0
            # a roll-over starts a new run: counters are offset by the range per wrap
            shifted, wraps, top = [], 0, 10 ** width if width else 0
            for k, (_, v) in enumerate(rows):
                if top and k and rows[k - 1][1] >= top * (1 - params.counter_rollover_fraction) \
                        and v < top * params.counter_rollover_fraction:
                    wraps += 1
                shifted.append(v + wraps * top)
            # rows of one time may come in either counter order: rank by (time, counter)
            keep = _lis_keep(shifted)
            out_of_place = [i for i in range(len(rows)) if i not in keep]
            # equal times: a row is only out of place against a strictly other time
            out_of_place = [i for i in out_of_place
                            if any(rows[j][0].epoch != rows[i][0].epoch for j in keep)]
            table = [{"path": f.path, "counter": v, "time": f.time, "time_rank": k + 1,
                      "counter_rank": sorted(shifted).index(shifted[k]) + 1,
                      "in_order": k not in out_of_place}
                     for k, (f, v) in enumerate(rows)]
            out.append({"device": g["cluster"].get("id"), "by": g["cluster"]["by"],
                        "counter": name, "rows": table[:params.table_rows],
                        "rows_total": len(table), "rollovers": wraps,
                        "out_of_order": [rows[i][0].path for i in out_of_place]})
    return out
