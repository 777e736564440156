"""The files the load tools read: written and read back the same."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import scenarios  # noqa: E402

from onewindow.lib.idnumbers import is_valid_resident_id  # noqa: E402


def test_intake_file_round_trip(tmp_path):
    offers = [
        {"hall": "CG", "token": "ow_abc", "window": 3, "item": "X-1", "materials": [1, 2]},
        {"hall": "JJ", "token": "ow_def", "window": None, "item": "X-2", "materials": []},
    ]
    people = scenarios.applicants(3)
    scenarios.write_intake(tmp_path / "f", offers, people)
    assert scenarios.read_intake(tmp_path / "f") == (offers, people)
    # the Lua script splits on tabs: O, hall, token, window, item, materials
    first = (tmp_path / "f").read_text().splitlines()[0]
    assert first.split("\t") == ["O", "CG", "ow_abc", "3", "X-1", "1,2"]


def test_fields_with_tabs_or_line_breaks_are_refused(tmp_path):
    with pytest.raises(ValueError):
        scenarios.write_paths(tmp_path / "p", ["/a\n/b"])
    with pytest.raises(ValueError):
        scenarios.write_intake(
            tmp_path / "f",
            [{"hall": "C\tG", "token": "t", "window": 1, "item": "i", "materials": []}],
            [],
        )


def test_paths_round_trip(tmp_path):
    assert scenarios.write_paths(tmp_path / "p", ["/status/A1/?code=X", "/healthz"]) == 2
    assert scenarios.read_paths(tmp_path / "p") == ["/status/A1/?code=X", "/healthz"]


def test_applicants_have_valid_resident_ids_and_are_repeatable():
    people = scenarios.applicants(200, seed=5)
    assert people == scenarios.applicants(200, seed=5)
    assert all(is_valid_resident_id(i) for i, _phone in people)
    assert all(len(phone) == 11 and phone.startswith("139") for _i, phone in people)


def test_intake_body():
    offer = {"hall": "CG", "token": "t", "window": None, "item": "X-1", "materials": [4]}
    body = scenarios.intake_body(offer, ("32058219800101123X", "13900000000"))
    assert body == {
        "hall": "CG",
        "item": "X-1",
        "applicant_kind": "person",
        "applicant_name": scenarios.APPLICANT_NAME,
        "applicant_id_number": "32058219800101123X",
        "contact_phone": "13900000000",
        "provided_material_ids": [4],
    }
    assert scenarios.intake_body({**offer, "window": 7}, ("x", "y"))["window"] == 7


def test_rating_bodies_are_the_tablets_form():
    assert scenarios.rating_body(41, 0) == "event=41&level=5"
    bad = scenarios.RATING_LEVELS.index(2)
    # a bad rating carries a reason and a comment, as the tablet requires
    assert scenarios.rating_body(42, bad) == (
        "event=42&level=2&reasons=long_wait&comment=%E7%AD%89%E5%80%99%E6%97%B6%E9%97%B4%E5%A4%AA%E9%95%BF"
    )
    levels = [scenarios.rating_body(1, n).split("level=")[1][:1] for n in range(100)]
    assert levels.count("2") == 10 and set(levels) == {"2", "3", "4", "5"}


def test_rating_lines_take_the_windows_in_turn_and_every_act_once(tmp_path):
    tablets = [
        {"window": 1, "acts": [10, 11, 12]},
        {"window": 2, "acts": [20]},
        {"window": 3, "acts": []},
    ]
    lines = scenarios.rating_lines(tablets, {1: "c1", 2: "c2", 3: "c3"})
    assert [(c, b.split("&")[0]) for c, b in lines] == [
        ("c1", "event=10"),
        ("c2", "event=20"),
        ("c1", "event=11"),
        ("c1", "event=12"),
    ]
    assert scenarios.write_ratings(tmp_path / "r", lines) == 4
    assert scenarios.read_ratings(tmp_path / "r") == lines
    assert (tmp_path / "r").read_text().splitlines()[0].split("\t") == ["R", "c1", lines[0][1]]
