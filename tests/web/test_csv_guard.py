"""The one CSV formula guard every export uses (web/csv.py)."""

from __future__ import annotations

import csv
import io

import pytest

from hms_tracker.web.csv import FORMULA_PREFIXES, encode_csv, safe_cell, unguarded_cell


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_cell_starting_like_a_formula_gets_an_apostrophe(prefix):
    value = prefix + 'HYPERLINK("http://x")'
    assert safe_cell(value) == "'" + value
    assert unguarded_cell(safe_cell(value)) == value


def test_every_prefix_is_guarded():
    assert set(FORMULA_PREFIXES) == {"=", "+", "-", "@", "\t", "\r"}


@pytest.mark.parametrize("value", ["", "Kari Nordmann", "37,5", "2024-01-15", "a=b", " =1", "'=1"])
def test_other_cells_are_left_alone(value):
    assert safe_cell(value) == value


def test_apostrophe_of_our_own_is_kept_on_the_way_back():
    assert unguarded_cell("'Kari") == "'Kari"
    assert unguarded_cell("'") == "'"


def test_file_is_excel_friendly_and_guards_header_and_rows():
    data = encode_csv(["Navn", "=Tittel"], [["@SUM(A1)", "Lager; og kontor"], ["\tx", "-1"]])
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows == [
        ["Navn", "'=Tittel"],
        ["'@SUM(A1)", "Lager; og kontor"],
        ["'\tx", "'-1"],
    ]
