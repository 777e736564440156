"""What the load runs send, written to files that both load tools read: wrk's Lua script
(bench/wrk_scenarios.lua) for the closed loop and bench/paced.py for the paced runs.

* paths file: one path a line (the public status lookups, /healthz);
* intake file, tab-separated lines:
    O  hall  token  window-or-empty  item  material-ids (comma-separated)   an offer: a clerk
                                                                       of the hall and one
                                                                       of its published items
    A  resident-id  phone                                              an applicant
* ratings file, tab-separated lines, one rating of a distinct act each, the windows in
  turn:
    R  tablet-cookie  form-body                                        POST /rate/window/
"""

from __future__ import annotations

import random
import urllib.parse
from collections.abc import Iterable
from pathlib import Path

# Every request carries it: the production settings redirect plain http to https unless
# the (TLS-terminating) proxy in front says the request came over https.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
APPLICANT_NAME = "测试申请人"


def _field(value) -> str:
    text = "" if value is None else str(value)
    if any(c in text for c in "\t\r\n"):
        raise ValueError(f"a tab or line break in {text!r}")
    return text


def write_paths(path: Path, paths: Iterable[str]) -> int:
    lines = [_field(p) for p in paths]
    path.write_text("".join(f"{line}\n" for line in lines))
    return len(lines)


def read_paths(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines() if line]


def write_intake(path: Path, offers: list[dict], applicants: list[tuple[str, str]]) -> None:
    """``offers``: dicts with hall, token, window (or None), item, materials (ids)."""
    lines = [
        "\t".join(
            [
                "O",
                _field(o["hall"]),
                _field(o["token"]),
                _field(o.get("window")),
                _field(o["item"]),
                ",".join(str(int(m)) for m in o["materials"]),
            ]
        )
        for o in offers
    ]
    lines += ["\t".join(["A", _field(i), _field(p)]) for i, p in applicants]
    path.write_text("".join(f"{line}\n" for line in lines))


def read_intake(path: Path) -> tuple[list[dict], list[tuple[str, str]]]:
    offers, applicants = [], []
    for line in path.read_text().splitlines():
        f = line.split("\t")
        if f[0] == "O":
            offers.append(
                {
                    "hall": f[1],
                    "token": f[2],
                    "window": int(f[3]) if f[3] else None,
                    "item": f[4],
                    "materials": [int(m) for m in f[5].split(",") if m],
                }
            )
        elif f[0] == "A":
            applicants.append((f[1], f[2]))
    return offers, applicants


def applicants(n: int, seed: int = 1) -> list[tuple[str, str]]:
    """``n`` made-up applicants: a valid resident ID (Zhangjiagang's region code) and a
    mobile number."""
    from onewindow.lib.idnumbers import resident_id_check_char  # a plain module, no Django

    rng = random.Random(seed)
    out = []
    for _ in range(n):
        first17 = (
            f"320582{rng.randrange(1950, 2005)}{rng.randrange(1, 13):02d}"
            f"{rng.randrange(1, 29):02d}{rng.randrange(1000):03d}"
        )
        out.append((first17 + resident_id_check_char(first17), f"139{rng.randrange(10**8):08d}"))
    return out


def intake_body(offer: dict, applicant: tuple[str, str]) -> dict:
    """The JSON of POST /api/v1/cases (the same as the Lua script builds)."""
    body = {
        "hall": offer["hall"],
        "item": offer["item"],
        "applicant_kind": "person",
        "applicant_name": APPLICANT_NAME,
        "applicant_id_number": applicant[0],
        "contact_phone": applicant[1],
        "provided_material_ids": list(offer["materials"]),
    }
    if offer.get("window") is not None:
        body["window"] = offer["window"]
    return body


RATING_PATH = "/rate/window/"
TABLET_COOKIE = "ow_tablet"
# Levels in turn: mostly good, one bad rating in ten (with a reason and a comment, as the
# tablet requires), as the demo's year has them.
RATING_LEVELS = (5, 5, 4, 5, 3, 5, 4, 5, 2, 5)


def rating_body(event: int, n: int) -> str:
    """The form the tablet posts for act ``event`` (the n-th rating sent)."""
    level = RATING_LEVELS[n % len(RATING_LEVELS)]
    fields = [("event", str(int(event))), ("level", str(level))]
    if level <= 2:
        fields += [("reasons", "long_wait"), ("comment", "等候时间太长")]
    return urllib.parse.urlencode(fields)


def rating_lines(tablets: list[dict], cookies: dict[int, str]) -> list[tuple[str, str]]:
    """(cookie, body) per act, taking the windows in turn so that consecutive ratings come
    from different tablets. ``tablets``: dicts with window and acts (dbinfo ratings);
    ``cookies``: the paired tablet's cookie per window."""
    queues = [(cookies[t["window"]], list(t["acts"])) for t in tablets if t["acts"]]
    out: list[tuple[str, str]] = []
    depth = max((len(acts) for _c, acts in queues), default=0)
    for i in range(depth):
        for cookie, acts in queues:
            if i < len(acts):
                out.append((cookie, rating_body(acts[i], len(out))))
    return out


def write_ratings(path: Path, lines: list[tuple[str, str]]) -> int:
    path.write_text("".join(f"R\t{_field(c)}\t{_field(b)}\n" for c, b in lines))
    return len(lines)


def read_ratings(path: Path) -> list[tuple[str, str]]:
    out = []
    for line in path.read_text().splitlines():
        f = line.split("\t")
        if f[0] == "R":
            out.append((f[1], f[2]))
    return out
