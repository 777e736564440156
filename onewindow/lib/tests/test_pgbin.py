"""Where the PostgreSQL programs are: Debian's directories by version, pg_config's answer."""

import re
from pathlib import Path

from onewindow.lib import pgbin


def test_debian_directories_come_newest_first():
    dirs = pgbin.debian_bindirs()
    assert all(d.is_dir() and d.name == "bin" for d in dirs)
    versions = [tuple(int(n) for n in re.findall(r"\d+", d.parent.name)) for d in dirs]
    assert versions == sorted(versions, reverse=True)
    # This machine has PostgreSQL 15's server (the suite runs on it).
    assert Path("/usr/lib/postgresql/15/bin") in dirs


def test_pg_config_names_an_existing_directory_or_nothing():
    bindir = pgbin.pg_config_bindir()
    assert bindir is None or bindir.is_dir()
