"""provenance's analysis library. It knows nothing of the CLI or of report rendering.

Entry points: :func:`forensics.scan.scan` (whole document), :func:`forensics.scan.scan_paths`
(one item at a time), :func:`forensics.scan.scan_file` (``checks=()`` reads metadata only).
"""

__version__ = "0.1.0"
