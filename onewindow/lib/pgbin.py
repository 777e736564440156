"""Where the PostgreSQL programs are installed: the directories Debian installs each server
version into, and the one ``pg_config`` names. Used to find the server (tests) and the
dump tools (backup), which choose among them in their own order."""

from __future__ import annotations

import contextlib
import glob
import re
import shutil
import subprocess
from pathlib import Path


def debian_bindirs() -> list[Path]:
    """``/usr/lib/postgresql/<version>/bin``, the newest version first."""

    def version(path: str) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", Path(path).parent.name)) or (0,)

    return [
        Path(d) for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True)
    ]


def pg_config_bindir() -> Path | None:
    """The directory ``pg_config --bindir`` names, if pg_config is installed and answers."""
    pg_config = shutil.which("pg_config")
    if not pg_config:
        return None
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        out = subprocess.run(
            [pg_config, "--bindir"], capture_output=True, text=True, timeout=30
        ).stdout.strip()
        if out:
            return Path(out)
    return None
