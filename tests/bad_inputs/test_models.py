"""Broken model files: exit 2 naming the model file and line; a model the data cannot
identify exits 3 naming both files (README, "Exit codes")."""

from __future__ import annotations

from pathlib import Path

import pytest
from bad_inputs.contract import MODEL, refused, write_csv, write_model

pytestmark = pytest.mark.slow  # every case runs the installed command


@pytest.fixture
def survey(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "s.csv")


@pytest.mark.parametrize(("paths", "says"), [
    ("Loy <- Sat", ["'<-' is not a lavaan operator", "Loy ~ Sat"]),
    ("Loy -> Sat", ["'->' is not a lavaan operator", "Sat ~ Loy"]),
    ("Loy => Sat", ["'=>' is not a lavaan operator", "Sat ~ Loy"]),
    ("Loy ~ Loy", ["'Loy' is regressed on itself"]),
    ("Loy ~ Nope", ["'Nope'", "neither a construct of the model nor a column of s.csv"]),
    ("Loy ~ Sat + Sat9", ["'Sat9'", "Did you mean 'Sat'"]),
])
def test_a_bad_path_names_the_model_line(survey: Path, paths: str, says: list[str]) -> None:
    write_model(survey.parent / "m.toml", paths)
    refused("analyze", "s.csv", "-m", "m.toml", "--excel", "r.xlsx", cwd=survey.parent,
            code=2, names=["m.toml, line 8", *says], outputs=["r.xlsx"])


def test_an_unknown_indicator_column(survey: Path) -> None:
    text = MODEL.format(paths="").replace("Sat3\n", "Sat33\n")
    write_model(survey.parent / "m.toml", text=text)
    refused("cfa", "s.csv", "-m", "m.toml", cwd=survey.parent, code=2,
            names=["m.toml, line 6", "'Sat33'", "s.csv", "Did you mean"])


@pytest.mark.parametrize(("text", "names"), [
    ('[data]\nscale = [1, 5\n', ["m.toml, line 2", "TOML is malformed", "Unclosed array"]),
    ('[data]\nscale = [1, 5]\nscale = [1, 7]\n', ["m.toml, line 3", "TOML is malformed"]),
    ('[model]\nsyntax = 5\n', ["m.toml"]),
])
def test_bad_toml(survey: Path, text: str, names: list[str]) -> None:
    write_model(survey.parent / "m.toml", text=text)
    refused("describe", "s.csv", "-m", "m.toml", cwd=survey.parent, code=2, names=names)


def test_a_construct_with_one_item_cannot_be_identified(survey: Path) -> None:
    text = '[data]\nscale = [1, 5]\n\n[model]\nsyntax = """\nSat =~ Sat1\n"""\n'
    write_model(survey.parent / "m.toml", text=text)
    line = refused("cfa", "s.csv", "-m", "m.toml", "--excel", "r.xlsx", cwd=survey.parent,
                   code=3, names=["s.csv", "m.toml", "not identified"], outputs=["r.xlsx"])
    assert "df = -1" in line
