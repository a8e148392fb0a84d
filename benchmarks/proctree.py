"""The processes under one process (Linux ``/proc``), for the benchmarks' memory figures:
batch workers are grandchildren (forked by the fork server), so a child list is not enough."""

from __future__ import annotations

import os


def descendants(root: int) -> set[int]:
    """Every process whose chain of parents reaches ``root`` (``root`` itself excluded)."""
    parent_of: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read()
            parent_of[int(entry)] = int(stat[stat.rindex(b")") + 2:].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    tree, grew = {root}, True
    while grew:
        grew = False
        for pid, ppid in parent_of.items():
            if ppid in tree and pid not in tree:
                tree.add(pid)
                grew = True
    tree.discard(root)
    return tree
