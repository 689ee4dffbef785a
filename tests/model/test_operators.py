"""lavaan operators: arrows lavaan does not have, constraints it does, self-regression."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import make_survey
from typer.testing import CliRunner

from cxsurvey.cli import app
from cxsurvey.errors import InputError
from cxsurvey.model import load_model
from cxsurvey.model.syntax import parse_syntax
from cxsurvey.stats.pls.specify import compile_model

MEASURES = "Aa =~ Aa1 + Aa2 + Aa3\nBb =~ Bb1 + Bb2 + Bb3\n"


@pytest.mark.parametrize(("line", "op", "fix"), [
    ("Bb <- Aa", "<-", "Bb ~ Aa"),
    ("Bb<-Aa", "<-", "Bb ~ Aa"),
    ("Aa -> Bb", "->", "Bb ~ Aa"),
    ("Aa => Bb", "=>", "Bb ~ Aa"),
    ("Bb <= Aa", "<=", "Bb ~ Aa"),
    ("Aa ==> Bb", "==>", "Bb ~ Aa"),
    ("Aa --> Bb", "-->", "Bb ~ Aa"),
    ("Bb = Aa", "=", "Bb ~ Aa"),
])
def test_unknown_operator_names_line_and_fix(tmp_path: Path, line: str, op: str,
                                             fix: str) -> None:
    text = tmp_path / "model.lav"
    text.write_text(MEASURES + line + "\n", encoding="utf-8")
    toml = tmp_path / "model.toml"
    toml.write_text(f'[data]\nscale = [1, 5]\n\n[model]\nsyntax = """\n{MEASURES}{line}\n"""\n',
                    encoding="utf-8")
    for path, line_no in ((text, 3), (toml, 8)):
        with pytest.raises(InputError) as info:
            load_model(path)
        err = info.value
        assert err.exit_code == 2
        assert err.location.line == line_no
        assert f"'{op}' is not a lavaan operator" in str(err)
        assert fix in str(err)


@pytest.mark.parametrize("line", ["a >= 0.5", "Aa ~> Bb"])
def test_other_unknown_operators_list_lavaans(line: str) -> None:
    with pytest.raises(InputError, match="is not a lavaan operator") as info:
        parse_syntax(MEASURES + "Bb ~ a*Aa\n" + line)
    assert info.value.location.line == 4
    assert "=~, <~, ~, ~~, :=, ==, < and >" in str(info.value)


@pytest.mark.parametrize(("line", "op"), [
    ("a < 0.5", "<"), ("a > b", ">"), ("a <-0.5", "<"), ("a < -0.5", "<"),
    ("a >-0.1", ">"), ("a == b", "=="), ("ab := a*b", ":="),
])
def test_real_constraints_still_parse(line: str, op: str) -> None:
    spec = parse_syntax(MEASURES + "Bb ~ a*Aa + b*Aa2\n" + line)
    assert (spec.formulas[-1].lhs, spec.formulas[-1].op) == (line.split()[0], op)
    assert [(f.lhs, f.op) for f in spec.formulas[:3]] == [("Aa", "=~"), ("Bb", "=~"),
                                                          ("Bb", "~")]


def test_real_operators_and_signs_still_parse() -> None:
    spec = parse_syntax(MEASURES + "Cc <~ Aa1 + Bb1\nBb ~ -1*Aa + Cc\nAa ~~ Bb\nBb ~~ Bb")
    assert [f.op for f in spec.formulas] == ["=~", "=~", "<~", "~", "~~", "~~"]
    assert spec.modes == {"Aa": "A", "Bb": "A", "Cc": "B"}


@pytest.mark.parametrize("line", ["Bb ~ Bb", "Bb ~ Aa + Bb", "Bb ~ 0.3*Bb"])
def test_self_regression_is_an_input_error(tmp_path: Path, line: str) -> None:
    path = tmp_path / "model.lav"
    path.write_text(MEASURES + line + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="'Bb' is regressed on itself") as info:
        load_model(path)
    assert info.value.exit_code == 2 and info.value.location.line == 3


def test_pls_cycle_names_the_constructs() -> None:
    blocks = {"Aa": ["a1", "a2"], "Bb": ["b1", "b2"], "Cc": ["c1", "c2"]}
    with pytest.raises(InputError, match="cycle: Aa -> Bb -> Cc -> Aa") as info:
        compile_model(blocks, [("Aa", "Bb"), ("Bb", "Cc"), ("Cc", "Aa")])
    assert info.value.exit_code == 2 and "--method cb" in str(info.value)


def test_cfa_with_an_arrow_exits_2_naming_line_and_fix(tmp_path: Path) -> None:
    data = tmp_path / "survey.csv"
    make_survey().to_csv(data, index=False)
    model = tmp_path / "model.lav"
    model.write_text("# paths\n" + MEASURES + "Aa -> Bb\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["cfa", str(data), "--model", str(model)])
    assert result.exit_code == 2, result.output
    assert "line 4" in result.output and "'->' is not a lavaan operator" in result.output
    assert "Bb ~ Aa" in result.output
