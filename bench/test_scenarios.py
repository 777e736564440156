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
