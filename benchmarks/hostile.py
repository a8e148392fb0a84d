"""Hostile inputs through the batch scanner: ``python -m benchmarks.hostile [--scale full]``.

Generates every family of ``tests/adversarial/generator.py`` (truncations, bit flips, IFD
loops, bombs, polyglots, hostile XMP and ICC, marker and chunk floods, 10^5 tiny files, deep
folders, symlink loops, hostile names...) and runs each family through the real command line,
``provenance scan DIR --workers 2 --timeout T --memory-limit M --results ... --jsonl ...``,
then prints one row per family:

    family | inputs | ok | errors by code | crashed | raised | hangs | missing | s | peak MiB

* ``crashed``: items with ``worker_crashed`` (a library killed its worker process);
* ``raised``: ``worker_error`` (an exception escaped ``scan_file``: the item exists but says
  nothing about the file);
* ``hangs``: ``timeout`` (past ``--timeout`` seconds);
* ``missing``: input paths with no item in the results (the figure that must be 0);
* ``peak MiB``: largest resident memory of any process of the run (sampled every 0.2 s).

``--scale small`` is the test suite's sample (about a minute); ``--scale full`` the whole set
(the 10^5 tiny files alone take several minutes on 2 cores: ``--tiny N`` changes their number).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from adversarial import generator as gen  # noqa: E402

from .proctree import descendants  # noqa: E402

BAD = ("worker_crashed", "worker_error", "timeout")


@dataclass
class Row:
    family: str
    inputs: int
    codes: Counter = field(default_factory=Counter)
    missing: int = 0
    unexpected: int = 0
    seconds: float = 0.0
    peak_mb: float = 0.0
    failed: str = ""

    @property
    def ok(self) -> int:
        return self.codes.get("ok", 0)

    def count(self, code: str) -> int:
        return self.codes.get(code, 0)

    def errors(self) -> str:
        errs = {k: v for k, v in self.codes.items() if k != "ok" and k not in BAD}
        return ", ".join(f"{k} {v}" for k, v in sorted(errs.items(), key=lambda kv: -kv[1]))


def _tree_rss(root_pid: int) -> float:
    """Largest RSS (MiB) among ``root_pid`` and its descendants (Linux /proc)."""
    tree = descendants(root_pid) | {root_pid}
    page = os.sysconf("SC_PAGE_SIZE")
    best = 0.0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/statm", "rb") as fh:
                best = max(best, int(fh.read().split()[1]) * page / 2**20)
        except (OSError, ValueError, IndexError):
            continue
    return best


def run_cli(target: Path, work: Path, tag: str, args: argparse.Namespace) -> tuple[
        list[dict], float, float, str]:
    """Scan ``target`` with the command line; return its items, seconds, peak RSS, stderr."""
    jsonl = work / f"{tag}.jsonl"
    cmd = [sys.executable, "-m", "provenancekit.cli", "scan", str(target),
           "--workers", str(args.workers),
           "--timeout", str(args.timeout), "--memory-limit", str(args.memory_limit),
           "--results", str(work / f"{tag}.sqlite"), "--jsonl", str(jsonl),
           "--format", "jsonl", "-o", os.devnull]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    peak = [0.0]
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.2):
            peak[0] = max(peak[0], _tree_rss(proc.pid))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    proc.wait()
    done.set()
    watcher.join()
    seconds = time.monotonic() - start
    items = []
    if jsonl.exists():
        with open(jsonl, encoding="utf-8") as fh:
            items = [json.loads(line) for line in fh if line.strip()]
    if proc.returncode not in (0, 1):
        err = f"exit {proc.returncode}: {err[-400:]}"
    else:
        err = ""
    return items, seconds, peak[0], err


def tally(row: Row, items: list[dict], expected: set[bytes]) -> Row:
    got = []
    for item in items:
        row.codes[(item.get("error") or {}).get("code") or "ok"] += 1
        got.append(os.fsencode(item["path"]))
    row.missing = len(expected - set(got))
    row.unexpected = len([p for p in got if p not in expected]) + (len(got) - len(set(got)))
    return row


def print_table(rows: list[Row], out=sys.stdout) -> None:
    head = ("family", "inputs", "ok", "crashed", "raised", "hangs", "missing", "s", "peak MiB",
            "errors by code")
    lines = [head]
    for r in rows:
        lines.append((r.family, str(r.inputs), str(r.ok), str(r.count("worker_crashed")),
                      str(r.count("worker_error")), str(r.count("timeout")),
                      str(r.missing) + (f" (+{r.unexpected} extra)" if r.unexpected else ""),
                      f"{r.seconds:.0f}", f"{r.peak_mb:.0f}",
                      r.errors() + (f" [RUN FAILED: {r.failed}]" if r.failed else "")))
    total = Row("TOTAL", sum(r.inputs for r in rows))
    for r in rows:
        total.codes.update(r.codes)
        total.missing += r.missing
        total.unexpected += r.unexpected
        total.seconds += r.seconds
        total.peak_mb = max(total.peak_mb, r.peak_mb)
    lines.append((total.family, str(total.inputs), str(total.ok),
                  str(total.count("worker_crashed")), str(total.count("worker_error")),
                  str(total.count("timeout")), str(total.missing), f"{total.seconds:.0f}",
                  f"{total.peak_mb:.0f}", "(see rows)"))
    widths = [max(len(line[i]) for line in lines) for i in range(len(head) - 1)]
    for line in lines:
        pairs = zip(line[:-1], widths, strict=True)
        cells = [c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(pairs)]
        print("  ".join(cells) + "  " + line[-1], file=out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", choices=sorted(gen.SCALES), default="full")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=60.0,
                    help="per-file seconds (the batch --timeout)")
    ap.add_argument("--memory-limit", type=int, default=2048,
                    help="per-worker MiB (the batch --memory-limit)")
    ap.add_argument("--tiny", type=int, default=None,
                    help="number of tiny files (default: the scale's, 100000 at full)")
    ap.add_argument("--families", default=None, help="comma-separated subset of families")
    ap.add_argument("--workdir", default=None, help="keep inputs and results here")
    args = ap.parse_args(argv)

    scale = gen.get_scale(args.scale)
    if args.tiny is not None:
        scale = replace(scale, tiny_files=args.tiny)
    wanted = set(args.families.split(",")) if args.families else None
    work = Path(args.workdir or tempfile.mkdtemp(prefix="provenance-hostile-"))
    work.mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []
    print(f"scale {scale.name}: workers {args.workers}, timeout {args.timeout:g} s, memory "
          f"limit {args.memory_limit} MiB, work in {work}", flush=True)
    try:
        start = time.monotonic()
        for family, make in gen.FILE_FAMILIES.items():
            if wanted and family not in wanted:
                continue
            folder = work / "files" / family
            t0 = time.monotonic()
            paths = gen.write_files(make(scale), work / "files")
            made = time.monotonic() - t0
            items, secs, peak, err = run_cli(folder, work, family, args)
            rows.append(tally(Row(family, len(paths), seconds=secs, peak_mb=peak, failed=err),
                              items, {os.fsencode(p) for p in paths}))
            print(f"  {family}: {len(paths)} inputs made in {made:.1f} s, scanned in "
                  f"{secs:.0f} s", flush=True)
            gen.remove_tree(folder)
        for family, build in gen.FOLDER_FAMILIES.items():
            if wanted and family not in wanted:
                continue
            base = work / "folders"
            base.mkdir(exist_ok=True)
            t0 = time.monotonic()
            case = build(base, scale)
            made = time.monotonic() - t0
            items, secs, peak, err = run_cli(Path(os.fsdecode(case.root)), work, family, args)
            rows.append(tally(Row(family, len(case.expected), seconds=secs, peak_mb=peak,
                                  failed=err), items, set(case.expected)))
            rate = len(case.expected) / secs if secs else 0.0
            print(f"  {family}: {len(case.expected)} paths made in {made:.1f} s, scanned in "
                  f"{secs:.0f} s ({rate:.0f} paths/s); {case.note}", flush=True)
            gen.remove_tree(case.root)
        total = time.monotonic() - start
    finally:
        if args.workdir is None:
            gen.remove_tree(work)
    print()
    print_table(rows)
    print(f"\n{sum(r.inputs for r in rows)} hostile inputs in {total:.0f} s "
          f"(generation included); missing items: {sum(r.missing for r in rows)}, "
          f"crashed: {sum(r.count('worker_crashed') for r in rows)}, "
          f"raised: {sum(r.count('worker_error') for r in rows)}, "
          f"hangs: {sum(r.count('timeout') for r in rows)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
