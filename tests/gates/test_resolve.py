"""Rule resolution: named set, rules file, the model file's [checks], flags."""

from __future__ import annotations

import pytest

from cxsurvey.errors import InputError
from cxsurvey.gates.resolve import resolve_rules
from cxsurvey.gates.rules import RULE_SETS
from cxsurvey.model import load_model

MODEL = 'A =~ a1 + a2 + a3\n'


def _model(tmp_path, checks: str):
    p = tmp_path / "m.toml"
    p.write_text(f'[model]\nsyntax = """\n{MODEL}"""\n\n[checks]\n{checks}\n')
    return load_model(p)


def test_default_when_nothing_is_named() -> None:
    assert resolve_rules() == RULE_SETS["default"]


def test_model_checks_table_overrides_and_skips(tmp_path) -> None:
    m = _model(tmp_path, 'rules = "lenient"\nmin_alpha = 0.8\n'
                         'max_htmt = { value = 0.88, citation = "Our protocol 2026" }\n'
                         'skip = ["max_rho_c"]')
    rs = resolve_rules(None, m)
    assert rs.name == "lenient"
    assert rs.get("min_alpha").threshold.value == 0.8
    assert rs.get("min_alpha").threshold.citation == "set in m.toml"
    assert rs.get("max_htmt").threshold.citation == "Our protocol 2026"
    assert rs.get("max_rho_c") is None
    assert rs.get("min_loading").threshold.value == 0.40  # lenient's, untouched


def test_flags_win_over_the_model_and_keep_citations_when_equal(tmp_path) -> None:
    m = _model(tmp_path, "min_alpha = 0.8")
    rs = resolve_rules("default", m, {"min_alpha": 0.75, "min_ave": 0.5, "max_srmr": None})
    assert rs.get("min_alpha").threshold.value == 0.75
    assert rs.get("min_alpha").threshold.citation == "--min-alpha"
    assert rs.get("min_ave").threshold.citation == "Fornell & Larcker 1981"


def test_rules_file(tmp_path) -> None:
    f = tmp_path / "gate.toml"
    f.write_text('[checks]\nrules = "hu-bentler"\nmax_rmsea = 0.05\n')
    rs = resolve_rules(str(f))
    assert rs.name == "hu-bentler" and rs.get("max_rmsea").threshold.value == 0.05
    assert rs.get("min_alpha") is None


@pytest.mark.parametrize(("checks", "needle"), [
    ("min_alpah = 0.7", "Did you mean 'min_alpha'"),
    ('min_alpha = "high"', "must be a number"),
    ('rules = "strict"', "unknown rule set"),
    ('skip = ["nope"]', "unknown rule"),
])
def test_bad_checks_tables_name_file_and_line(tmp_path, checks, needle) -> None:
    m = _model(tmp_path, checks)
    with pytest.raises(InputError) as err:
        resolve_rules(None, m)
    text = str(err.value)
    assert needle in text and "m.toml" in text and "line 7" in text


def test_unknown_rule_set_name_suggests() -> None:
    with pytest.raises(InputError, match="Did you mean 'lenient'"):
        resolve_rules("lenint")
