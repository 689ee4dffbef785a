"""Run options are validated where they enter: a bad value names the allowed ones."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from cxsurvey.cli import app
from cxsurvey.errors import EXIT_INPUT, InputError
from cxsurvey.options import Method, Missing, Options, Scheme, SeMethod


def test_strings_become_enums_case_insensitively() -> None:
    o = Options(method="PLS", missing="Pairwise", se="bootstrap", scheme="factorial")
    assert (o.method, o.missing, o.se, o.scheme) == (Method.pls, Missing.pairwise,
                                                      SeMethod.bootstrap, Scheme.factorial)
    assert o.as_dict()["method"] == "pls" and type(o.as_dict()["method"]) is str


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"se": "boot"}, "se must be one of standard, bootstrap; got 'boot'"),
    ({"method": "sem"}, "method must be one of auto, none, cb, pls, both; got 'sem'"),
    ({"missing": "ml"}, "missing must be one of listwise, pairwise, mean, fiml; got 'ml'"),
    ({"scheme": "pathx"}, "scheme must be one of path, factorial, centroid"),
    ({"method": "auto"}, "method auto must be resolved"),
    ({"bootstrap": -1}, "bootstrap must be between 0 and 100000, got -1"),
    ({"bootstrap": 2.5}, "bootstrap must be an integer"),
    ({"alpha": 1.5}, "alpha must be between 0 and 1"),
    ({"max_iter": 0}, "max_iter must be at least 1"),
    ({"loading_threshold": "0.4"}, "loading_threshold must be a number"),
    ({"drop_weak": "yes"}, "drop_weak must be true or false"),
])
def test_a_bad_option_is_an_input_error(kwargs, message) -> None:
    with pytest.raises(InputError, match=message.replace("(", r"\(")) as info:
        Options(**kwargs)
    assert info.value.exit_code == EXIT_INPUT


def test_the_command_line_names_the_allowed_values(survey_csv) -> None:
    res = CliRunner().invoke(app, ["analyze", str(survey_csv), "--method", "sem"])
    assert res.exit_code == EXIT_INPUT
    assert "'sem' is not one of" in res.output and "'pls'" in res.output
    ok = CliRunner().invoke(app, ["describe", str(survey_csv), "--missing", "PAIRWISE",
                                  "--format", "json"])
    assert ok.exit_code == 0, ok.output
    assert '"missing_policy": "pairwise"' in ok.stdout


def test_paths_needs_a_structural_method(survey_csv) -> None:
    res = CliRunner().invoke(app, ["paths", str(survey_csv), "--model", str(survey_csv),
                                   "--method", "none"])
    assert res.exit_code == EXIT_INPUT
    assert "paths --method must be cb, pls or both, got none" in res.output


def test_one_rule_set_per_run(survey_csv) -> None:
    res = CliRunner().invoke(app, ["analyze", str(survey_csv), "--rules", "lenient",
                                   "--fail-on", "default"])
    assert res.exit_code == EXIT_INPUT
    assert "--rules lenient and --fail-on default name two rule sets" in res.output


@pytest.mark.parametrize(("resamples", "message"), [
    (1, "bootstrap must be 0 (the default count) or at least 2 resamples, got 1"),
    (1_000_000_000, "bootstrap must be between 0 and 100000, got 1000000000"),
])
def test_bootstrap_counts_are_bounded(survey_csv, resamples, message) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        Options(bootstrap=resamples)
    res = CliRunner().invoke(app, ["analyze", str(survey_csv), "--bootstrap", str(resamples)])
    assert res.exit_code == EXIT_INPUT
    bound = "greater than or equal to 2" if resamples < 2 else "less than or equal to 100000"
    assert bound in res.output and "--bootstrap" in res.output
    assert "Traceback" not in res.output


def test_a_negative_seed_is_refused(survey_csv) -> None:
    res = CliRunner().invoke(app, ["describe", str(survey_csv), "--seed", "-1"])
    assert res.exit_code == EXIT_INPUT
