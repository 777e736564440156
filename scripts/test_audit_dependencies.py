"""The dependency audit: the reviewed ignore file, the verdict on pip-audit's report, and a
real run with the advisory service out of reach. `make test` runs the real audit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import audit_dependencies as audit  # noqa: E402

VULNERABLE = {
    "dependencies": [
        {
            "name": "django",
            "version": "4.2",
            "vulns": [
                {
                    "id": "PYSEC-2023-61",
                    "fix_versions": ["4.2.1"],
                    "aliases": [],
                    "description": "",
                },
            ],
        },
        {"name": "segno", "version": "1.6.6", "vulns": []},
    ],
    "fixes": [],
}


def test_a_vulnerability_fails_and_names_the_package_and_its_fix():
    code, text = audit.summarize(VULNERABLE, {})
    assert code == 1
    assert "django 4.2: PYSEC-2023-61 (fixed in 4.2.1)" in text
    assert "1 known vulnerabilities in 2 checked packages" in text


def test_a_clean_report_passes():
    clean = {"dependencies": [{"name": "segno", "version": "1.6.6", "vulns": []}]}
    assert audit.summarize(clean, {}) == (
        0,
        "dependency audit: 1 checked packages, no known vulnerabilities",
    )


def test_packages_not_checked_are_said_loudly_and_the_run_goes_on():
    report = {
        "dependencies": [
            {
                "name": "segno",
                "skip_reason": "Dependency not found on PyPI and could not be audited",
            },
        ]
    }
    code, text = audit.summarize(report, {})
    assert code == 0
    assert text.startswith("!!! DEPENDENCY AUDIT INCOMPLETE: 1 of 1 locked packages")
    assert "nothing could be checked" in text


def test_the_ignore_file_needs_a_reason_for_every_line(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("# comment\n\nPYSEC-2023-61  we never serve Django's admin docs\n")
    assert audit.read_ignores(good) == {"PYSEC-2023-61": "we never serve Django's admin docs"}
    bad = tmp_path / "bad.txt"
    bad.write_text("PYSEC-2023-61\n")
    with pytest.raises(audit.BadIgnoreFile, match="bad.txt:1: PYSEC-2023-61 has no reason"):
        audit.read_ignores(bad)
    assert audit.main(["--ignores", str(bad)]) == 2


def test_the_reviewed_ignore_file_is_valid():
    audit.read_ignores(audit.IGNORES)


def test_an_unreachable_service_is_said_loudly_and_the_run_goes_on():
    # A proxy on a closed port: no advisory service can be reached.
    env = {
        "PATH": "/usr/bin:/bin",
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "HTTP_PROXY": "http://127.0.0.1:9",
    }
    done = subprocess.run(
        [sys.executable, audit.__file__, "--timeout", "2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "!!! DEPENDENCY AUDIT" in done.stdout + done.stderr
