"""Options shared by several commands (defined once, as decorators)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

F = Callable[..., Any]


def trust_anchors_option(f: F) -> F:
    return click.option(
        "--trust-anchors", "trust_anchors", type=click.Path(exists=True, dir_okay=False),
        default=None,
        help="PEM file of C2PA trust anchors (root certificates) to trust. Without it, "
             "valid Content Credentials are reported as 'valid, signer not trusted'.")(f)


def output_option(f: F) -> F:
    return click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
                        default=None, help="Write the result to this file instead of stdout.")(f)
