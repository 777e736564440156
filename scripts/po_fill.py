#!/usr/bin/env python3
"""Fill msgstr entries of a gettext .po file from a JSON object {msgid: msgstr}.

Usage: scripts/po_fill.py onewindow/APP/locale/zh_Hans/LC_MESSAGES/django.po translations.json
Only empty msgstr entries are filled (existing translations win); fuzzy flags on filled
entries are removed. Prints the msgids that are still untranslated.
"""

import json
import re
import sys


def unquote(block: str) -> str:
    return "".join(json.loads(f'"{part}"') for part in re.findall(r'"((?:[^"\\]|\\.)*)"', block))


def quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def main(po_path: str, json_path: str) -> int:
    translations = json.load(open(json_path, encoding="utf-8"))
    entries = open(po_path, encoding="utf-8").read().split("\n\n")
    missing = []
    out = []
    for entry in entries:
        m = re.search(r'^msgid ((?:".*"\n?)+)msgstr ((?:".*"\n?)+)', entry, re.M)
        if m and "msgid_plural" not in entry:
            msgid = unquote(m.group(1))
            msgstr = unquote(m.group(2))
            if msgid and not msgstr:
                if msgid in translations:
                    entry = (
                        entry[: m.start(2)]
                        + quote(translations[msgid])
                        + entry[m.end(2) :].lstrip("\n")
                    )
                    entry = entry.replace("#, fuzzy\n", "").replace(", fuzzy", "")
                else:
                    missing.append(msgid)
            elif msgid and "#, fuzzy" in entry and msgid in translations:
                entry = (
                    entry[: m.start(2)]
                    + quote(translations[msgid])
                    + entry[m.end(2) :].lstrip("\n")
                )
                entry = entry.replace("#, fuzzy\n", "").replace(", fuzzy", "")
        out.append(
            entry.rstrip("\n") if entry.endswith("\n") and entry is not entries[-1] else entry
        )
    open(po_path, "w", encoding="utf-8").write("\n\n".join(out))
    for msgid in missing:
        print("untranslated:", msgid)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
