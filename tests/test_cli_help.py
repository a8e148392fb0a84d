"""Every command has help (the sqlite-utils habit) and the entry point gives no tracebacks."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from provenancekit.cli.main import cli


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    for name, cmd in group.commands.items():
        out.append(prefix + (name,))
        if isinstance(cmd, click.Group):
            out.extend(_commands(cmd, prefix + (name,)))
    return out


@pytest.mark.parametrize("path", _commands(cli), ids=" ".join)
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    cmd: click.Command = cli
    for name in path:
        cmd = cmd.commands[name]  # type: ignore[attr-defined]
    assert (cmd.help or "").strip(), f"{' '.join(path)} has no help text"


def test_expected_commands_exist() -> None:
    names = {" ".join(p) for p in _commands(cli)}
    assert {"scan", "metadata", "demo", "checks", "checks list"} <= names
