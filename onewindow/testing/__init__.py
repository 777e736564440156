"""Test helpers that need no Django: a throw-away PostgreSQL server and a runner for it.

Run a command against a fresh server: ``python -m onewindow.testing.pgrun -- pytest -q``.
"""
