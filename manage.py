#!/usr/bin/env python
"""Convenience wrapper: the same as the `onewindow` command."""

from onewindow.manage import main

if __name__ == "__main__":
    main()
