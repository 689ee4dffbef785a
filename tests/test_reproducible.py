"""The same input gives the same bytes: bootstraps are seeded by default."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cxsurvey.cli import app
from cxsurvey.options import DEFAULT_SEED, Options

MODEL = "".join(f"{c} =~ " + " + ".join(f"{c}{j}" for j in range(1, 5)) + "\n"
                for c in ("Aa", "Bb", "Cc")) + "Bb ~ Aa\nCc ~ Aa + Bb\n"


def test_two_runs_without_seed_give_identical_json(survey_csv, tmp_path) -> None:
    model = tmp_path / "chain.txt"
    model.write_text(MODEL)
    args = ["paths", str(survey_csv), "--model", str(model), "--method", "pls",
            "--bootstrap", "200", "--format", "json"]
    first = CliRunner().invoke(app, args)
    second = CliRunner().invoke(app, args)
    assert first.exit_code == second.exit_code == 0, first.output
    assert first.stdout == second.stdout
    doc = json.loads(first.stdout)
    assert doc["meta"]["seed"] == DEFAULT_SEED == doc["meta"]["options"]["seed"]
    assert doc["structural"][-1]["bootstrap"]["seed"] == DEFAULT_SEED
    other = CliRunner().invoke(app, [*args, "--seed", "2"])
    assert json.loads(other.stdout)["paths"] != doc["paths"]  # the seed does matter


def test_the_default_seed_is_a_number_everywhere(survey_csv) -> None:
    assert Options().seed == DEFAULT_SEED
    doc = json.loads(CliRunner().invoke(app, ["describe", str(survey_csv), "--format",
                                              "json"]).stdout)
    assert doc["meta"]["seed"] == DEFAULT_SEED
