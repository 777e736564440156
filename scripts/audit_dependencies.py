"""Check the locked dependencies against the known vulnerabilities (pip-audit, PyPI's advisories).

A vulnerability fails the run unless `docs/security/audit-ignore.txt` lists it with the
reason it does not apply (a reviewed file: one `ID  reason` a line). When the advisory
service cannot be reached the run says so loudly and goes on: an outage of someone else's
service must not stop the halls' releases, and a stale answer would be worse than none.

Exit codes: 0 clean (or service unreachable), 1 vulnerable, 2 a bad ignore file.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
IGNORES = ROOT / "docs" / "security" / "audit-ignore.txt"
UNREACHABLE_SIGNS = (
    "ConnectionError",
    "Max retries exceeded",
    "Failed to establish a new connection",
    "ProxyError",
    "Temporary failure in name resolution",
    "timed out",
    "ConnectTimeout",
    "ReadTimeout",
)


class BadIgnoreFile(ValueError):
    pass


def read_ignores(path: Path) -> dict[str, str]:
    """The ignored vulnerability IDs and their reasons; a line without a reason is refused."""
    ignores: dict[str, str] = {}
    if not path.exists():
        return ignores
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        vuln, _sep, reason = line.partition(" ")
        if not reason.strip():
            raise BadIgnoreFile(f"{path}:{number}: {vuln} has no reason; say why it does not apply")
        ignores[vuln] = reason.strip()
    return ignores


def audit(lock: Path, ignores: dict[str, str], timeout: int = 15) -> tuple[int, str]:
    """Run pip-audit over the lock file: (exit code, what to print)."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "audit.json"
        command = [
            str(Path(sys.executable).with_name("pip-audit")),
            "--requirement",
            str(lock),
            "--require-hashes",
            "--disable-pip",
            "--progress-spinner",
            "off",
            "--timeout",
            str(timeout),
            "--format",
            "json",
            "--output",
            str(report),
        ]
        for vuln in ignores:
            command += ["--ignore-vuln", vuln]
        done = subprocess.run(command, capture_output=True, text=True)
        if not report.exists() or not report.read_text().strip():
            text = done.stderr + done.stdout
            if any(sign in text for sign in UNREACHABLE_SIGNS):
                return 0, (
                    "!!! DEPENDENCY AUDIT NOT DONE: the advisory service could not be reached.\n"
                    "!!! The locked packages were NOT checked for known vulnerabilities.\n"
                    + text.strip().splitlines()[-1]
                )
            return 1, f"pip-audit failed (exit {done.returncode}):\n{text.strip()}"
        found = json.loads(report.read_text())
    return summarize(found, ignores)


def summarize(found: dict, ignores: dict[str, str]) -> tuple[int, str]:
    """pip-audit's JSON report as (exit code, what to print). A package the service has no
    record of was not checked: said loudly, as when the service cannot be reached."""
    deps = found.get("dependencies", [])
    unchecked = [d for d in deps if d.get("skip_reason")]
    lines, vulnerable = [], 0
    for dep in deps:
        for vuln in dep.get("vulns", []):
            vulnerable += 1
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
            lines.append(f"  {dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixes})")
    checked = len(deps) - len(unchecked)
    notes = []
    if unchecked:
        notes.append(
            f"!!! DEPENDENCY AUDIT INCOMPLETE: {len(unchecked)} of {len(deps)} locked packages "
            "were NOT checked (the advisory service has no record of them or cannot be reached):\n"
            + "\n".join(f"!!!   {d['name']}: {d['skip_reason']}" for d in unchecked[:10])
            + (f"\n!!!   … and {len(unchecked) - 10} more" if len(unchecked) > 10 else "")
        )
    if vulnerable:
        notes.append(
            f"{vulnerable} known vulnerabilities in {checked} checked packages:\n"
            + "\n".join(lines)
            + f"\nUpgrade them (make lock) or list each in {IGNORES.relative_to(ROOT)} with a reason."
        )
        return 1, "\n".join(notes)
    skipped = f"; {len(ignores)} ignored as listed" if ignores else ""
    if checked:
        notes.append(
            f"dependency audit: {checked} checked packages, no known vulnerabilities{skipped}"
        )
    else:
        notes.append("dependency audit: nothing could be checked; going on without it")
    return 0, "\n".join(notes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lock", type=Path, default=LOCK)
    parser.add_argument("--ignores", type=Path, default=IGNORES)
    parser.add_argument("--timeout", type=int, default=15)
    options = parser.parse_args(argv)
    try:
        ignores = read_ignores(options.ignores)
    except BadIgnoreFile as error:
        print(error, file=sys.stderr)
        return 2
    code, text = audit(options.lock, ignores, options.timeout)
    print(text, file=sys.stderr if code else sys.stdout)
    return code


if __name__ == "__main__":
    sys.exit(main())
