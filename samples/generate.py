"""Generate the demo evidence folder for the ``provenance`` walkthrough.

The story, the claim and what each of the evidence files plants are in :mod:`samples.case`
(:func:`build_samples`); the known-imagery archive is :mod:`samples.archive`. The work is
split along its seams, each module importing only those below it:

* :mod:`samples.paint` - painting primitives (value noise, blending, shadows, text) and the
  camera's finish (flash fall-off, vignetting, softness, sensor noise);
* :mod:`samples.wreckage` - the crashed drones; :mod:`samples.scene` - the pictures (snowy
  field with wreckage, the navigation unit); :mod:`samples.edits` - the pasted fuselage and
  the planted clone;
* :mod:`samples.camera` - the metadata forger: quantization tables, JPEG encoding, camera
  EXIF, Photoshop and AI XMP;
* :mod:`samples.tracks` - the navigation unit's GPX log and the geography;
* :mod:`samples.case` - the claim and the script of the evidence files;
  :mod:`samples.archive` - the earlier publication the sample index holds;
* this module - the public names (re-exported) and the command-line entry point.

Run ``python -m provenancekit.samples.generate OUT_DIR [--seed N]`` to build the folder from
a shell.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from importlib import import_module
from typing import Any

from . import __all__ as _PUBLIC
from .case import build_samples

__all__ = [*_PUBLIC, "main"]


def __getattr__(name: str) -> Any:
    """The package's public names, from here too (``from ...generate import SampleSet``)."""
    if name in _PUBLIC:
        return getattr(import_module(__package__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main(argv: Sequence[str] | None = None) -> int:
    """Build the evidence folder named on the command line and list what it holds."""
    parser = argparse.ArgumentParser(prog="python -m provenancekit.samples.generate",
                                     description="Generate the provenance demo evidence.")
    parser.add_argument("out_dir", help="folder to create; files go to OUT_DIR/evidence/")
    parser.add_argument("--seed", type=int, default=7, help="composition seed (default 7)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    result = build_samples(args.out_dir, seed=args.seed)
    elapsed = time.perf_counter() - started
    total = 0
    for sample in result.files:
        size = sample.path.stat().st_size
        total += size
        codes = ", ".join(sample.expect) or "-"
        print(f"{sample.name:22} {size:>9,} B  expect: {codes}")
    print(f"{len(result.files)} files, {total:,} bytes in {result.evidence_dir} ({elapsed:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
