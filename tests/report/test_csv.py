"""CSV output: one file per table, the stdout stream, full precision, formula safety."""

from __future__ import annotations

import csv
import dataclasses
import io
import math
import os

import numpy as np
import pandas as pd
import pytest

from cxsurvey.errors import InputError
from cxsurvey.report import files
from cxsurvey.report.csv_report import (
    render_csv_stream,
    table_columns,
    write_csv_dir,
    write_table_csv,
)
from cxsurvey.report.tables import build_tables


def _read(path):
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def _assert_same(field, raw):
    """A CSV field equals the raw table value exactly (numbers) or as neutralised text."""
    if raw is None or raw is pd.NA or (isinstance(raw, float) and math.isnan(raw)):
        assert field == ""
    elif isinstance(raw, str):
        assert field == files.neutralise(raw)
    elif isinstance(raw, (bool, np.bool_)):
        assert field == ("true" if raw else "false")
    else:
        assert float(field) == float(raw)  # bit-for-bit: full precision round-trips


def test_one_file_per_table(results, tmp_path):
    written = write_csv_dir(results, tmp_path / "tables")
    tables = build_tables(results)
    assert [p.name for p in written] == [f"{t.key}.csv" for t in tables]
    assert sorted(os.listdir(tmp_path / "tables")) == sorted(p.name for p in written)
    for path, table in zip(written, tables, strict=True):
        rows = _read(path)
        assert rows[0] == table_columns(table)
        assert len(rows) == 1 + len(table.frame)
        for line, record in zip(rows[1:], table.frame[rows[0]].itertuples(index=False),
                                strict=True):
            for field, raw in zip(line, record, strict=True):
                _assert_same(field, raw)


def test_header_uses_snake_case_keys(results):
    tables = {t.key: t for t in build_tables(results)}
    rel = table_columns(tables["reliability"])
    assert rel[:4] == ["construct", "n_items", "n", "alpha"]
    assert {"alpha_ci_lower", "alpha_ci_upper", "rho_c", "ave", "rho_a"} <= set(rel)
    assert table_columns(tables["normality"])[:3] == ["construct", "item", "ks_statistic"]
    for table in tables.values():
        header = table_columns(table)
        assert len(set(header)) == len(header)
        assert set(header) == set(table.frame.columns) - table.console_only_keys
        assert all(k == k.lower() and " " not in k for k in header)


def test_full_precision_round_trip(results, tmp_path):
    path = write_csv_dir(results, tmp_path)[[t.key for t in build_tables(results)].index(
        "reliability")]
    rows = _read(path)
    back = {key: [r[i] for r in rows[1:]] for i, key in enumerate(rows[0])}
    expected = results.reliability.constructs
    for key in ("alpha", "omega", "rho_c", "ave", "alpha_ci_lower"):
        assert [float(v) for v in back[key]] == expected[key].tolist()  # exact equality
    assert back["n"] == [str(int(v)) for v in expected["n"]]  # integers, not "60.0"


def test_nan_is_an_empty_field(results, tmp_path):
    # rho_a is NaN until a PLS model supplies it; add a NaN in a displayed column too
    rel = results.reliability
    constructs = rel.constructs.copy()
    constructs.loc[1, "omega"] = np.nan
    res = dataclasses.replace(results, reliability=dataclasses.replace(
        rel, constructs=constructs))
    table = next(t for t in build_tables(res) if t.key == "reliability")
    rows = _read(write_table_csv(table, tmp_path / "rel.csv"))
    header = rows[0]
    assert all(r[header.index("rho_a")] == "" for r in rows[1:])
    assert rows[2][header.index("omega")] == ""
    assert rows[1][header.index("omega")] != ""
    assert "nan" not in (tmp_path / "rel.csv").read_text().lower()


def test_text_is_neutralised(results, tmp_path):
    rel = results.reliability
    constructs = rel.constructs.copy()
    constructs.loc[0, "construct"] = "=1+1"
    constructs.loc[1, "construct"] = "@SUM(A1)"
    res = dataclasses.replace(results, reliability=dataclasses.replace(
        rel, constructs=constructs))
    table = next(t for t in build_tables(res) if t.key == "reliability")
    rows = _read(write_table_csv(table, tmp_path / "rel.csv"))
    assert rows[1][0] == "'=1+1"
    assert rows[2][0] == "'@SUM(A1)"
    # negative numbers are numbers, not text to neutralise
    items = next(t for t in build_tables(res) if t.key == "item_stats")
    assert (items.frame["item_total_r"] < 0).any()
    stream = render_csv_stream(res)
    assert "'=1+1" in stream and ",'-" not in stream


def test_stream_has_every_table_with_a_comment_line(results):
    text = render_csv_stream(results)
    tables = build_tables(results)
    blocks = text.split("\n\n")
    assert len(blocks) == len(tables)
    for block, table in zip(blocks, tables, strict=True):
        first, rest = block.split("\n", 1)
        assert first == f"# {table.key}: {table.title}"
        rows = list(csv.reader(io.StringIO(rest)))
        assert rows[0] == table_columns(table)
        assert len(rows) == 1 + len(table.frame)
    assert text.startswith("# descriptives: Item descriptives\n")
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_failed_write_leaves_nothing(results, tmp_path, monkeypatch):
    import cxsurvey.report.csv_report as csv_report

    calls = {"n": 0}
    real = csv_report._write_rows

    def flaky(table, handle):
        calls["n"] += 1
        if calls["n"] == 2:
            handle.write("partial,")
            raise OSError("disk full")
        real(table, handle)

    monkeypatch.setattr(csv_report, "_write_rows", flaky)
    with pytest.raises(InputError, match="cannot write the report: disk full"):
        write_csv_dir(results, tmp_path)
    first = build_tables(results)[0].key
    assert os.listdir(tmp_path) == [f"{first}.csv"]  # complete files only, no temp files


def test_refuses_a_file_as_folder_and_inputs(results, survey, tmp_path):
    not_a_dir = tmp_path / "x.csv"
    not_a_dir.write_text("x")
    with pytest.raises(InputError, match="folder"):
        write_csv_dir(results, not_a_dir)
    # a survey file named like a table key in the output folder is never overwritten
    victim = tmp_path / "reliability.csv"
    victim.write_text("my survey")
    res = dataclasses.replace(results, meta={**results.meta, "file": str(victim)})
    with pytest.raises(InputError, match="input"):
        write_csv_dir(res, tmp_path)
    assert victim.read_text() == "my survey"
