"""Model files: TOML and plain lavaan, syntax details, line numbers, inference, round trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxsurvey.errors import InputError
from cxsurvey.model import load_model, model_from_syntax
from cxsurvey.model.infer import infer_constructs, infer_model, item_prefix
from cxsurvey.model.spec import DataSpec, SurveyModel
from cxsurvey.model.syntax import build_syntax, parse_syntax
from cxsurvey.model.write import model_to_toml

FULL = '''# model for the test survey
[data]
sheet = "Responses"
header_row = 2
id = "RespondentID"
scale = [1, 5]
missing = [99, "N/A", ""]
reverse = ["Att3"]
drop = ["Sat4"]
delimiter = ";"
encoding = "cp1252"

[data.labels]
"Strongly disagree" = 1
"Strongly agree" = 5

[model]
syntax = """
Attention    =~ Att1 + Att2 + Att3
Satisfaction =~ Sat1 + Sat2 + Sat3 + Sat4
Satisfaction ~ Attention
"""
'''


def _write(tmp_path: Path, text: str, name: str = "model.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _error(path: Path) -> InputError:
    with pytest.raises(InputError) as err:
        load_model(path)
    return err.value


# ----------------------------------------------------------------------------- TOML
def test_toml_with_data_and_model(tmp_path: Path) -> None:
    m = load_model(_write(tmp_path, FULL))
    assert m.data == DataSpec(
        sheet="Responses", header_row=2, id="RespondentID", scale=(1, 5),
        missing=(99, "N/A", ""), reverse=("Att3",), drop=("Sat4",),
        labels={"Strongly disagree": 1.0, "Strongly agree": 5.0},
        delimiter=";", encoding="cp1252")
    assert m.model.constructs == {"Attention": ("Att1", "Att2", "Att3"),
                                  "Satisfaction": ("Sat1", "Sat2", "Sat3", "Sat4")}
    assert m.model.modes == {"Attention": "A", "Satisfaction": "A"}
    assert [(a, b) for a, b, _ in m.model.regressions] == [("Attention", "Satisfaction")]
    assert m.source == str(tmp_path / "model.toml") and not m.inferred
    assert [f.line for f in m.model.formulas] == [19, 20, 21]


def test_sheet_index_and_single_values(tmp_path: Path) -> None:
    m = load_model(_write(tmp_path, '[data]\nsheet = 0\nmissing = 99\nreverse = "Att1"\n'
                                    '[model]\nsyntax = "A =~ Att1 + Att2"\n'))
    assert m.data.sheet == 0 and m.data.missing == (99,) and m.data.reverse == ("Att1",)


def test_data_only_file_is_a_codebook(tmp_path: Path) -> None:
    m = load_model(_write(tmp_path, "[data]\nscale = [1, 7]\nmissing = [99]\n"))
    assert m.model.constructs == {} and m.data.scale == (1, 7)


@pytest.mark.parametrize("name", ["model.lav", "model.txt", "model", "model.toml"])
def test_plain_lavaan_text(tmp_path: Path, name: str) -> None:
    text = "# just lavaan\nAtt =~ Att1 + Att2 + Att3\nSat =~ Sat1 + Sat2\nSat ~ Att\n"
    m = load_model(_write(tmp_path, text, name))
    assert m.model.constructs == {"Att": ("Att1", "Att2", "Att3"), "Sat": ("Sat1", "Sat2")}
    assert m.data == DataSpec()
    assert m.model.syntax == text


def test_plain_lavaan_starting_with_a_defined_parameter(tmp_path: Path) -> None:
    m = load_model(_write(tmp_path, "ind := a*b\nA =~ x1 + x2\nB ~ a*A\n", "m.lav"))
    assert m.model.constructs == {"A": ("x1", "x2")}


def test_model_file_with_bom_and_crlf(tmp_path: Path) -> None:
    path = tmp_path / "m.toml"
    path.write_bytes(("\ufeff" + FULL).replace("\n", "\r\n").encode())
    assert load_model(path).model.formulas[0].line == 19


# ----------------------------------------------------------------------------- syntax
def test_comments_semicolons_and_continuations() -> None:
    spec = parse_syntax(
        "# measurement\n"
        "Att =~ Att1 + Att2 +   # trailing plus\n"
        "       Att3\n"
        "Sat =~ Sat1\n"
        "     + Sat2\n"
        "     + Sat3 ! lavaan comment\n"
        "Img =~\n"
        "   Img1 + Img2\n"
        "Sat ~ Att; Att ~~ Img\n"
        "Loy =~ L1 +\n"
        "  + L2\n")
    assert spec.constructs == {"Att": ("Att1", "Att2", "Att3"), "Sat": ("Sat1", "Sat2", "Sat3"),
                               "Img": ("Img1", "Img2"), "Loy": ("L1", "L2")}
    assert [(f.lhs, f.op, f.line) for f in spec.formulas] == [
        ("Att", "=~", 2), ("Sat", "=~", 4), ("Img", "=~", 7), ("Sat", "~", 9),
        ("Att", "~~", 9), ("Loy", "=~", 10)]


def test_modifiers() -> None:
    spec = parse_syntax("Att =~ 0.7*Att1 + a*Att2 + NA*Att3 + start(0.5)*Att4 + 1*Att5\n"
                        "Sat ~ b*Att + Img\nSat ~ 1\nind := a*b\na == b\n")
    terms = {t.name: t for t in spec.formulas[0].rhs}
    assert terms["Att1"].fixed == 0.7 and terms["Att1"].label is None
    assert terms["Att2"].label == "a" and terms["Att2"].fixed is None
    assert terms["Att3"].fixed is None and terms["Att3"].label is None
    assert terms["Att5"].fixed == 1.0
    assert spec.constructs["Att"] == ("Att1", "Att2", "Att3", "Att4", "Att5")
    # the intercept is no path
    assert [(a, b, t.label) for a, b, t in spec.regressions] == [("Att", "Sat", "b"),
                                                                  ("Img", "Sat", None)]
    assert [f.op for f in spec.formulas][-2:] == [":=", "=="]


def test_formative_mode_b() -> None:
    spec = parse_syntax("Img <~ Img1 + Img2 + Img3\nSat =~ Sat1 + Sat2\nSat ~ Img\n")
    assert spec.modes == {"Img": "B", "Sat": "A"}
    assert spec.constructs["Img"] == ("Img1", "Img2", "Img3")
    with pytest.raises(InputError, match="both =~ and <~"):
        parse_syntax("Img <~ Img1 + Img2\nImg =~ Img3\n")


def test_a_construct_in_two_formulas_is_merged() -> None:
    spec = parse_syntax("A =~ a1 + a2\nA =~ a2 + a3\n")
    assert spec.constructs == {"A": ("a1", "a2", "a3")}
    assert spec.items == ("a1", "a2", "a3")


@pytest.mark.parametrize(("text", "line", "fragment"), [
    ("A =~ a1 + a2\nB =~ b1 b2\n", 2, "missing '+' between 'b1' and 'b2'"),
    ("A =~ a1 + a2\n\nB b1 + b2\n", 3, "no lavaan operator"),
    ("A =~ a1 + a2 +\n", 1, "ends with '+'"),
    ("A =~ a1 ++ a2\n", 1, "two '+' in a row"),
    ("A =~ a1 + a2\nB =~\n", 2, "empty side"),
    ("A =~ a1 + 1x\n", 1, "'1x' is not a valid variable name"),
    ("A B =~ a1\n", 1, "not a valid name on the left"),
    ("A =~ a1 + f(x)*a2\n", 1, "cannot read the modifier"),
    ("A =~ a1*a2*a3\n", 1, "cannot read the term"),
    ("# only a comment\n", None, "no formulas"),
])
def test_syntax_errors_name_the_line(text: str, line: int | None, fragment: str) -> None:
    with pytest.raises(InputError) as err:
        parse_syntax(text, source="m.lav")
    assert fragment in str(err.value)
    assert err.value.location.line == line and err.value.location.file == "m.lav"


def test_syntax_error_line_is_the_line_in_the_toml_file(tmp_path: Path) -> None:
    text = FULL.replace("Satisfaction ~ Attention", "Satisfaction ~ Attention Other")
    err = _error(_write(tmp_path, text))
    assert err.location.line == 21
    assert str(err).startswith(f"{tmp_path / 'model.toml'}, line 21: missing '+'")


def test_syntax_line_with_population_table_first(tmp_path: Path) -> None:
    text = ('[population]\nsyntax = """\nA =~ 0.7*a1 + 0.7*a2\n"""\n\n'
            '[model]\nsyntax = """\nA =~ a1 + a2\nA ~ \n"""\n')
    err = _error(_write(tmp_path, text))
    assert err.location.line == 9


def test_quotes_in_comments_do_not_confuse_the_line_numbers(tmp_path: Path) -> None:
    text = ('# lavaan goes between """ and """\n[data]\nscale = [1, 5]\n'
            '[model]\nsyntax = """\nA =~ a1 + a2\nB =~ b1 b2\n"""\n')
    assert _error(_write(tmp_path, text)).location.line == 7


def test_syntax_on_the_opening_line_and_literal_strings(tmp_path: Path) -> None:
    err = _error(_write(tmp_path, "[model]\nsyntax = '''A =~ a1 + a2\nB =~ b1 b2\n'''\n"))
    assert err.location.line == 3
    err = _error(_write(tmp_path, '[model]\nsyntax = "A =~ a1 + a2\\nB =~ b1 b2"\n'))
    assert err.location.line == 2  # a one-line string: its own line


def test_plain_lavaan_file_error_line(tmp_path: Path) -> None:
    err = _error(_write(tmp_path, "# header\n\nA =~ a1 + a2\nB =~ b1 b2\n", "m.lav"))
    assert err.location.line == 4


# ----------------------------------------------------------------------------- [data]
def test_unknown_data_key(tmp_path: Path) -> None:
    err = _error(_write(tmp_path, '[data]\nsheet = "S"\nscal = [1, 5]\n'
                                  '[model]\nsyntax = "A =~ a1 + a2"\n'))
    assert "unknown key(s) in [data]: scal" in str(err)
    assert "Did you mean 'scale'?" in str(err)
    assert err.location.line == 3
    err = _error(_write(tmp_path, '[data]\nsheet = "S"\nscales = [1, 5]\n'
                                  '[model]\nsyntax = "A =~ a1 + a2"\n'))
    assert "Did you mean 'scale'?" in str(err) and err.location.line == 3


def test_unknown_table(tmp_path: Path) -> None:
    err = _error(_write(tmp_path, '[dta]\nscale = [1, 5]\n[model]\nsyntax = "A =~ a1 + a2"\n'))
    assert "dta" in str(err) and "[data]" in str(err) and err.location.line == 1


@pytest.mark.parametrize("scale", ["[5, 1]", "[1]", "[1, 5, 7]", '["1", "5"]', "5",
                                   "[1.5, 5]", "[true, 5]", "[3, 3]"])
def test_bad_scale(tmp_path: Path, scale: str) -> None:
    err = _error(_write(tmp_path, f'[data]\nid = "x"\nscale = {scale}\n'
                                  '[model]\nsyntax = "A =~ a1 + a2"\n'))
    assert "[data] scale must be two integers" in str(err)
    assert "scale = [1, 5]" in str(err) and err.location.line == 3


@pytest.mark.parametrize(("body", "fragment"), [
    ("header_row = 0", "header_row must be a row number"),
    ('header_row = "2"', "header_row must be a row number"),
    ("sheet = true", "sheet must be a sheet name"),
    ("reverse = [1, 2]", "reverse must be a list of column names"),
    ("drop = 3", "drop must be a list of column names"),
    ("missing = [[99]]", "missing must list numbers or texts"),
    ("id = 5", "id must be a string"),
    ('encoding = "klingon-8"', "not a known text encoding"),
    ('[data.labels]\n"Agree" = "four"', "'Agree'"),
])
def test_bad_data_values(tmp_path: Path, body: str, fragment: str) -> None:
    err = _error(_write(tmp_path, f'[data]\n{body}\n[model]\nsyntax = "A =~ a1 + a2"\n'))
    assert fragment in str(err)
    assert err.location.line is not None


def test_malformed_toml_names_the_line(tmp_path: Path) -> None:
    err = _error(_write(tmp_path, '[data]\nscale = [1, 5\nid = "x"\n'))
    assert "the TOML is malformed" in str(err) and err.location.line is not None
    err = _error(_write(tmp_path, '[data]\nsheet = "Responses\n[model]\n'))
    assert err.location.line == 2


def test_model_table_without_syntax(tmp_path: Path) -> None:
    err = _error(_write(tmp_path, '[model]\nsytax = "A =~ a1 + a2"\n'))
    assert "no [model] syntax" in str(err) and "sytax" in str(err)
    assert err.location.line == 2


@pytest.mark.parametrize("content", ["", "   \n\n"])
def test_empty_model_file(tmp_path: Path, content: str) -> None:
    assert "empty" in str(_error(_write(tmp_path, content)))


def test_missing_model_file(tmp_path: Path) -> None:
    err = _error(tmp_path / "nope.toml")
    assert "model file not found" in str(err) and "--model" in str(err)


# ----------------------------------------------------------------------------- inference
def test_item_prefix() -> None:
    assert item_prefix("Att1") == "Att" and item_prefix("Sat_12") == "Sat"
    assert item_prefix("Loy.3") == "Loy"
    for name in ("id", "age", "Gender", "Q1", "Q1_text", "Age2", "2024", "Att"):
        assert item_prefix(name) is None, name


def test_infer_constructs_from_columns() -> None:
    cols = ["id", "age", "Gender", "Att1", "Att2", "Att3", "Sat_1", "Sat_2", "Sat_3",
            "Solo1", "Q1", "Q2"]
    assert infer_constructs(cols) == {"Att": ("Att1", "Att2", "Att3"),
                                      "Sat": ("Sat_1", "Sat_2", "Sat_3")}
    assert infer_constructs(cols, is_item=lambda c: c != "Att2")["Att"] == ("Att1", "Att3")


def test_infer_model_respects_drop() -> None:
    m = infer_model(["Att1", "Att2", "Att3", "Sat1", "Sat2"], DataSpec(drop=("Sat2",)))
    assert m.inferred and m.model.constructs == {"Att": ("Att1", "Att2", "Att3")}
    assert model_from_syntax(m.model.syntax).constructs == m.model.constructs


def test_build_syntax() -> None:
    text = build_syntax({"A": ("a1", "a2"), "B": ("b1", "b2")}, [("A", "B")])
    assert text == "A =~ a1 + a2\nB =~ b1 + b2\nB ~ A\n"


# ----------------------------------------------------------------------------- round trip
@pytest.mark.parametrize("data", [
    DataSpec(),
    DataSpec(sheet="Responses", header_row=3, id="RespondentID", scale=(1, 7),
             missing=(99, -9, "N/A", "", "Don't know"), reverse=("Att3", "Sat1"),
             drop=("Sat3",), labels={"Strongly disagree": 1.0, 'He said "no"': 2.0,
                                     "Agree\u00a0": 6.0, "Half": 3.5},
             delimiter="\t", encoding="cp1252"),
    DataSpec(sheet=2, scale=(0, 10)),
])
def test_model_to_toml_round_trip(tmp_path: Path, data: DataSpec) -> None:
    syntax = ("Att =~ 0.7*Att1 + Att2 + Att3\nSat =~ Sat1 + Sat2 + Sat3\n"
              "Img <~ Img1 + Img2\nSat ~ a*Att + Img\n")
    model = SurveyModel(data=data, model=parse_syntax(syntax))
    text = model_to_toml(model, header="written by a test\n\nsecond paragraph")
    assert text.startswith("# written by a test\n#\n# second paragraph\n")
    back = load_model(_write(tmp_path, text))
    assert back.data == data
    assert back.model.constructs == model.model.constructs
    assert back.model.modes == model.model.modes
    assert back.model.regressions == model.model.regressions
    assert back.model.syntax.strip() == syntax.strip()


def test_round_trip_of_syntax_with_backslashes_and_quotes(tmp_path: Path) -> None:
    for syntax in ('A =~ a1 + a2  # C:\\path "q"\n', "A =~ a1 + a2 # '''\\ and \"\"\"\n"):
        model = SurveyModel(data=DataSpec(), model=parse_syntax(syntax))
        back = load_model(_write(tmp_path, model_to_toml(model)))
        assert back.model.syntax.strip() == syntax.strip()


def test_round_trip_of_an_inferred_model(tmp_path: Path) -> None:
    m = infer_model(["id", "Att1", "Att2", "Sat_1", "Sat_2"], DataSpec(scale=(1, 5)))
    back = load_model(_write(tmp_path, model_to_toml(m)))
    assert back.model.constructs == {"Att": ("Att1", "Att2"), "Sat": ("Sat_1", "Sat_2")}
    assert back.data.scale == (1, 5)


def test_model_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "m.toml"
    path.write_bytes('[data]\nid = "Réponse"\n'.encode("cp1252"))
    err = _error(path)
    assert "not UTF-8" in str(err) and "Save it as UTF-8" in str(err)
