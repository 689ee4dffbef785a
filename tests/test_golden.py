"""The JSON of three whole runs, recorded as golden files, stays the same.

``tests/data/golden/`` holds the ``--format json`` output of ``analyze --method both
--seed 1`` on the bundled sample, ``cfa`` on Holzinger-Swineford and ``paths --method cb``
on PoliticalDemocracy. Keys, key order, texts, integers and nulls must match exactly;
floats to 1e-7 relative or 1e-9 absolute: two runs of the same code whose string hashes
differ (``PYTHONHASHSEED``) reach the ML optimum by slightly different steps, which moves
CB estimates by up to 1e-8 relative (p-values far in the tail, and CI bounds near zero, by
1e-10 absolute); every number the reports show (3 decimals) is far inside that.
The fields that name this machine (``meta.file``, ``meta.model``: paths;
``meta.dependencies``: installed versions) are compared by file name or left out.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from support import DATA, SAMPLES, load_json
from typer.testing import CliRunner

from cxsurvey.cli import app

RUNS = {
    "sample_both": ["analyze", str(SAMPLES / "cx_journey.xlsx"), "--model",
                    str(SAMPLES / "cx_journey.toml"), "--method", "both", "--seed", "1"],
    "hs_cfa": ["cfa", str(DATA / "holzinger_swineford_1939.csv"), "--model",
               str(DATA / "hs_cfa_model.txt")],
    "pd_paths": ["paths", str(DATA / "political_democracy.csv"), "--model",
                 str(DATA / "pd_sem_model.txt"), "--method", "cb"],
}


def _canonical(doc: dict) -> dict:
    meta = dict(doc["meta"])
    meta.pop("dependencies", None)
    for key in ("file", "model"):
        if meta.get(key):
            meta[key] = Path(meta[key]).name
    return {**doc, "meta": meta}


def _differences(got: object, want: object, where: str = "") -> list[str]:
    """Where ``got`` and ``want`` differ: structure exactly, floats to 1e-7 relative."""
    if isinstance(want, dict):
        if not isinstance(got, dict) or list(got) != list(want):
            return [f"{where}: keys {list(got) if isinstance(got, dict) else got!r} != "
                    f"{list(want)}"]
        return [d for k in want for d in _differences(got[k], want[k], f"{where}.{k}")]
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            return [f"{where}: {got!r} != {want!r}"]
        return [d for i, (g, w) in enumerate(zip(got, want, strict=True))
                for d in _differences(g, w, f"{where}[{i}]")]
    if isinstance(want, float) and isinstance(got, float):
        ok = math.isclose(got, want, rel_tol=1e-7, abs_tol=1e-9)
        return [] if ok else [f"{where}: {got!r} != {want!r}"]
    same = type(got) is type(want) and got == want
    return [] if same else [f"{where}: {got!r} != {want!r}"]


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(RUNS))
def test_json_matches_golden_file(name: str) -> None:
    result = CliRunner().invoke(app, [*RUNS[name], "--format", "json"])
    assert result.exit_code == 0, result.output
    got = _canonical(json.loads(result.stdout))
    want = _canonical(load_json(f"golden/{name}.json"))
    assert _differences(got, want) == []


def test_comparison_catches_a_changed_number() -> None:
    want = {"a": [1, {"x": 0.5, "t": "s"}], "b": None}
    assert _differences({"a": [1, {"x": 0.5 + 1e-14, "t": "s"}], "b": None}, want) == []
    assert _differences({"a": [1, {"x": 0.500001, "t": "s"}], "b": None}, want)
    assert _differences({"b": None, "a": [1, {"x": 0.5, "t": "s"}]}, want)
    assert _differences({"a": [1, {"x": 0.5, "t": "S"}], "b": None}, want)
    assert _differences({"a": [1.0, {"x": 0.5, "t": "s"}], "b": None}, want)
