"""Tests of cxsurvey.simulate, cxsurvey.model.population and the bundled sample surveys."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from scipy import stats

from cxsurvey.errors import InputError
from cxsurvey.model.load import load_model
from cxsurvey.model.population import PopulationModel, default_thresholds
from cxsurvey.model.population_table import population_from_model
from cxsurvey.simulate import implied_latent_correlation, make_rng, simulate, simulate_sample

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "sample_surveys"
POPULATION = SAMPLES / "cx_journey_population.toml"
SEED = 20220401  # documented in sample_surveys/README.md
N = 157
CHAIN = ("Awareness", "Attention", "Assessment", "Decision", "Purchase", "Use", "Result",
         "Loyalty")
BETAS = (0.543, 0.734, 0.656, 0.672, 0.669, 0.549, 0.636)
PAIRS = list(zip(CHAIN[:-1], CHAIN[1:], strict=True))
ADJACENT = [(a, b, beta) for (a, b), beta in zip(PAIRS, BETAS, strict=True)]
ITEMS = (
    [f"Inf{i}" for i in range(1, 5)] + [f"Att{i}" for i in range(1, 9)]
    + [f"Evalu{i}" for i in range(1, 4)] + [f"Decis{i}" for i in range(1, 7)]
    + [f"Purch{i}" for i in range(1, 4)] + [f"Use{i}" for i in range(1, 4)]
    + [f"Rslt{i}" for i in range(1, 4)] + [f"Lylt{i}" for i in range(1, 4)]
)


def _population(path):
    """Load a population file the way ``cxsurvey simulate`` does (text for line numbers)."""
    return population_from_model(load_model(path), text=Path(path).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def pop() -> PopulationModel:
    return _population(POPULATION)


@pytest.fixture(scope="module")
def big(pop: PopulationModel):
    return simulate_sample(pop, 20000, make_rng(7))


def _write(tmp_path: Path, body: str, name: str = "pop.toml") -> Path:
    p = tmp_path / name
    p.write_text(body, encoding="utf-8")
    return p


# ----------------------------------------------------------------------------- population
def test_population_file_matches_the_study(pop: PopulationModel) -> None:
    assert pop.constructs == CHAIN
    assert list(pop.items) == ITEMS
    assert pop.scale == (1, 5)
    assert pop.id_column == "RespondentID"
    assert [(p, o) for p, o, _ in pop.paths] == PAIRS
    assert [b for _, _, b in pop.paths] == list(BETAS)
    loadings = dict(pop.loadings)
    assert dict(loadings["Attention"])["Att8"] == 0.35
    assert [v for _, v in loadings["Awareness"]] == [0.739, 0.687, 0.714, 0.728]
    assert len(pop.thresholds) == 4
    assert np.all(np.diff(pop.thresholds) > 0)


def test_population_file_also_has_the_free_model() -> None:
    model = load_model(POPULATION)
    assert model.model.constructs["Attention"] == tuple(f"Att{i}" for i in range(1, 9))
    assert [(p, o) for p, o, _ in model.model.regressions] == PAIRS
    assert all(t.fixed is None for f in model.model.formulas for t in f.rhs)


def test_implied_correlation_of_a_chain(pop: PopulationModel) -> None:
    r = implied_latent_correlation(pop)
    assert np.allclose(np.diag(r), 1.0)
    for a, b, beta in ADJACENT:
        assert r.loc[a, b] == pytest.approx(beta)
    # two steps apart: the product of the betas
    assert r.loc["Awareness", "Assessment"] == pytest.approx(0.543 * 0.734)


def test_default_thresholds() -> None:
    assert default_thresholds((1, 5)) == (-1.5, -0.5, 0.5, 1.5)
    assert len(default_thresholds((1, 7))) == 6


# ----------------------------------------------------------------------------- simulate
def test_reproducible(pop: PopulationModel) -> None:
    a = simulate(pop, 200, 123)
    b = simulate(pop, 200, 123)
    c = simulate(pop, 200, 124)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


def test_shape_columns_and_values(pop: PopulationModel) -> None:
    df = simulate(pop, N, SEED)
    assert df.shape == (N, 1 + len(ITEMS))
    assert list(df.columns) == ["RespondentID", *ITEMS]
    assert df["RespondentID"].tolist() == list(range(1, N + 1))
    assert all(pd.api.types.is_integer_dtype(t) for t in df.dtypes)
    values = df[ITEMS].to_numpy()
    assert values.min() >= 1 and values.max() <= 5


def test_latent_scores_are_standardized_and_follow_the_betas(big) -> None:
    # n = 20000: the SE of a correlation near 0.6 is (1 - r^2) / sqrt(n) ~ 0.005,
    # the SD of a variance estimate sqrt(2 / n) ~ 0.01; tolerances are about 5 SE.
    lat = big.latent
    assert np.allclose(lat.var(ddof=1), 1.0, atol=0.05)
    assert np.allclose(lat.mean(), 0.0, atol=0.05)
    corr = lat.corr()
    for a, b, beta in ADJACENT:
        assert corr.loc[a, b] == pytest.approx(beta, abs=0.025), (a, b)


def test_continuous_items_follow_the_loadings(pop: PopulationModel, big) -> None:
    cont, lat = big.continuous, big.latent
    assert np.allclose(cont.var(ddof=1), 1.0, atol=0.05)
    for construct, pairs in pop.loadings.items():
        for item, loading in pairs:
            r = np.corrcoef(cont[item], lat[construct])[0, 1]
            assert r == pytest.approx(loading, abs=0.025), item


def test_category_proportions_match_the_thresholds(pop: PopulationModel, big) -> None:
    # the share of answers k is Phi(t_k) - Phi(t_{k-1}); SE <= 0.0035 at n = 20000
    expected = np.diff(np.concatenate([[0.0], stats.norm.cdf(pop.thresholds), [1.0]]))
    for item in ("Inf1", "Att8", "Lylt3"):
        observed = big.responses[item].value_counts(normalize=True).reindex(
            range(1, 6), fill_value=0.0).to_numpy()
        assert np.allclose(observed, expected, atol=0.02), item


def test_category_scores_keep_the_chain_order(pop: PopulationModel, big) -> None:
    # Likert sum scores attenuate the correlations (categorisation, measurement error);
    # they must still be positive, below the latent beta and clearly above zero.
    resp = big.responses
    scores = pd.DataFrame({c: resp[[it for it, _ in pairs]].sum(axis=1)
                           for c, pairs in pop.loadings.items()})
    corr = scores.corr()
    for a, b, beta in ADJACENT:
        assert 0.5 * beta < corr.loc[a, b] < beta, (a, b)


def test_items_are_strongly_non_normal(pop: PopulationModel) -> None:
    df = simulate(pop, N, SEED)
    w = [stats.shapiro(df[c]).statistic for c in ITEMS]
    assert min(w) > 0.65 and max(w) < 0.88


def test_item_threshold_override_and_other_scale() -> None:
    pop = PopulationModel(
        loadings={"A": (("a1", 0.7), ("a2", 0.7)), "B": (("b1", 0.6), ("b2", -0.6))},
        paths=(("A", "B", 0.5),),
        thresholds=default_thresholds((1, 7)),
        item_thresholds={"a2": (-9.0, -8.9, -8.8, -8.7, -8.6, -8.5)},
        scale=(1, 7),
    )
    df = simulate(pop, 500, 1)
    assert set(df["a2"]) == {7}
    assert df[["a1", "b1", "b2"]].min().min() >= 1 and df[["a1", "b1", "b2"]].max().max() <= 7
    # a negative loading makes a reverse-worded item
    assert np.corrcoef(df["b1"], df["b2"])[0, 1] < 0


def test_correlated_exogenous_constructs() -> None:
    pop = PopulationModel(
        loadings={"A": (("a1", 0.8),), "B": (("b1", 0.8),), "C": (("c1", 0.8),)},
        paths=(("A", "C", 0.4), ("B", "C", 0.4)),
        correlations=(("A", "B", 0.5),),
    )
    r = implied_latent_correlation(pop)
    assert r.loc["A", "B"] == pytest.approx(0.5)
    assert r.loc["A", "C"] == pytest.approx(0.4 + 0.4 * 0.5)
    lat = simulate_sample(pop, 20000, make_rng(3)).latent
    assert lat.corr().loc["A", "B"] == pytest.approx(0.5, abs=0.025)
    assert lat["C"].var() == pytest.approx(1.0, abs=0.05)


@pytest.mark.parametrize("n, seed", [(0, 1), (-5, 1), (10, -1), (10, 1.5)])
def test_bad_n_or_seed(pop: PopulationModel, n, seed) -> None:
    with pytest.raises(InputError):
        simulate(pop, n, seed)


# ----------------------------------------------------------------------------- errors
GOOD = '''[data]
scale = [1, 5]

[population]
syntax = """
A =~ 0.7*a1 + 0.7*a2 + 0.6*a3
B =~ 0.8*b1 + 0.7*b2
B ~ 0.5*A
"""
thresholds = [-2.0, -1.4, -0.6, 0.35]
'''


def test_good_population_file(tmp_path: Path) -> None:
    pop = _population(_write(tmp_path, GOOD))
    assert pop.items == ("a1", "a2", "a3", "b1", "b2")
    assert pop.paths == (("A", "B", 0.5),)
    assert pop.thresholds == (-2.0, -1.4, -0.6, 0.35)


@pytest.mark.parametrize("old, new, line, words", [
    ("0.7*a2", "a2", 6, "has no number"),
    ("0.7*a2", "1.0*a2", 6, "between -1 and 1"),
    ("0.7*a2", "-1.2*a2", 6, "between -1 and 1"),
    ("[-2.0, -1.4, -0.6, 0.35]", "[-2.0, -0.6, -1.4, 0.35]", 10, "increasing"),
    ("[-2.0, -1.4, -0.6, 0.35]", "[-2.0, -0.6, 0.35]", 10, "cut points"),
    ("B ~ 0.5*A", "B ~ 1.2*A", 8, "residual variance"),
    ("B ~ 0.5*A", "B ~ A", 8, "no coefficient"),
    ("B ~ 0.5*A", "B ~ 0.5*A + 0.3*C", 8, "not a construct"),
    ("0.7*a2", "0.7*b1", 7, "loads on both"),
])
def test_bad_population_files(tmp_path: Path, old, new, line, words) -> None:
    assert old in GOOD
    path = _write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(InputError) as info:
        _population(path)
    err = info.value
    assert words in err.message
    assert err.location.file == str(path)
    assert err.location.line == line


def test_cycle_is_an_error(tmp_path: Path) -> None:
    body = GOOD.replace("B ~ 0.5*A", "B ~ 0.5*A\nA ~ 0.3*B")
    with pytest.raises(InputError, match="cycle") as info:
        _population(_write(tmp_path, body))
    assert info.value.location.line in (8, 9)


def test_residual_variance_with_two_predictors(tmp_path: Path) -> None:
    body = GOOD.replace("B ~ 0.5*A", "C =~ 0.7*c1 + 0.7*c2\nB ~ 0.8*A + 0.7*C")
    with pytest.raises(InputError, match="residual variance"):
        _population(_write(tmp_path, body))


def test_item_thresholds_and_missing_population(tmp_path: Path) -> None:
    body = GOOD + "[population.item_thresholds]\na1 = [0.1, 0.0, 0.5, 0.6]\n"
    with pytest.raises(InputError, match="thresholds of 'a1'") as info:
        _population(_write(tmp_path, body))
    assert info.value.location.line == 12
    no_pop = _write(tmp_path, "[model]\nsyntax = 'A =~ a1 + a2'\n", "plain.toml")
    with pytest.raises(InputError, match=r"no \[population\]"):
        _population(no_pop)


def test_direct_construction_is_validated() -> None:
    with pytest.raises(InputError):
        PopulationModel(loadings={"A": (("a1", 1.5),)})
    with pytest.raises(InputError):
        PopulationModel(loadings={"A": (("a1", 0.5),)}, thresholds=(0.0, 1.0))
    with pytest.raises(InputError):
        PopulationModel(loadings={"A": (("a1", 0.5),), "B": (("b1", 0.5),)},
                        paths=(("A", "B", 0.5), ("B", "A", 0.5)))


# ----------------------------------------------------------------------------- samples
def _sheet_frame(path: Path, sheet: str, header_row: int) -> pd.DataFrame:
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = list(wb[sheet].iter_rows(values_only=True))
    wb.close()
    return pd.DataFrame(rows[header_row:], columns=rows[header_row - 1])


def _make_samples():
    spec = importlib.util.spec_from_file_location("make_samples", SAMPLES / "make_samples.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_clean_sample_equals_a_fresh_draw(pop: PopulationModel) -> None:
    path = SAMPLES / "cx_journey.xlsx"
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Responses"]
    ws = wb["Responses"]
    assert ws.freeze_panes == "A2"
    assert all(c.font.bold for c in ws[1])
    stored = _sheet_frame(path, "Responses", 1)
    fresh = simulate(pop, N, SEED)
    assert list(stored.columns) == [*fresh.columns, "Age", "Gender", "Channel"]
    pd.testing.assert_frame_equal(stored[list(fresh.columns)].astype("int64"), fresh)
    assert stored["Age"].between(18, 70).all()
    assert set(stored["Gender"]) <= {"Female", "Male", "Other"}
    assert set(stored["Channel"]) <= {"Web", "App"}


def test_sample_workbooks_are_byte_reproducible(pop: PopulationModel) -> None:
    ms = _make_samples()
    assert ms.SEED == SEED and ms.N == N
    frame, rng = ms.draw(pop)
    assert ms._workbook_bytes(ms.clean_workbook(frame)) == (
        SAMPLES / "cx_journey.xlsx").read_bytes()
    assert ms._workbook_bytes(ms.messy_workbook(frame, pop, rng)) == (
        SAMPLES / "cx_journey_messy.xlsx").read_bytes()
    assert ms.clean_toml(pop) == (SAMPLES / "cx_journey.toml").read_text(encoding="utf-8")
    assert ms.messy_toml(pop) == (SAMPLES / "cx_journey_messy.toml").read_text(encoding="utf-8")
    assert ms.messy_cells_json() == (
        SAMPLES / "cx_journey_messy_cells.json").read_text(encoding="utf-8")


def test_analysis_model_files(pop: PopulationModel) -> None:
    for name, sheet in (("cx_journey.toml", "Responses"), ("cx_journey_messy.toml", "Export")):
        model = load_model(SAMPLES / name)
        assert model.data.sheet == sheet
        assert model.data.id == "RespondentID"
        assert model.data.scale == (1, 5)
        assert {c: tuple(its) for c, its in model.model.constructs.items()} == {
            c: tuple(it for it, _ in pairs) for c, pairs in pop.loadings.items()}
        assert [(p, o) for p, o, _ in model.model.regressions] == [
            (p, o) for p, o, _ in pop.paths]
    messy = load_model(SAMPLES / "cx_journey_messy.toml")
    assert messy.data.header_row == 2
    assert messy.data.missing == (99,)
    assert messy.data.reverse == ("Use2",)
    assert messy.data.labels["Strongly agree"] == 5


def test_messy_export_holds_the_same_answers(pop: PopulationModel) -> None:
    path = SAMPLES / "cx_journey_messy.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb["Export"]
    assert isinstance(ws["A1"].value, str) and ws["B1"].value is None
    comments = [c for c in ws[openpyxl.utils.get_column_letter(ws.max_column)][2:]
                if c.value is not None]
    assert any(str(c.value).startswith("=") for c in comments)
    assert any(str(c.value)[:1] in "+@" for c in comments)
    assert all(c.data_type == "s" for c in comments)  # text, never formulas

    cells = json.loads((SAMPLES / "cx_journey_messy_cells.json").read_text(encoding="utf-8"))
    assert {c["kind"] for c in cells} == {"99", "blank"}
    missing = {(c["row_index"], c["item"]): c["kind"] for c in cells}
    clean = simulate(pop, N, SEED)
    messy = _sheet_frame(path, "Export", 2)
    assert messy["RespondentID"].tolist() == clean["RespondentID"].tolist()
    labels = {"strongly disagree": 1, "disagree": 2, "neither agree nor disagree": 3,
              "agree": 4, "strongly agree": 5}
    texts = set()
    for item in ITEMS:
        for r, v in enumerate(messy[item]):
            kind = missing.get((r, item))
            if kind == "99":
                assert v == 99
                continue
            if kind == "blank":
                assert pd.isna(v) or str(v).strip() == ""
                continue
            if isinstance(v, str):
                texts.add(v)
                v = labels[" ".join(v.split()).casefold()]
            if item == "Use2":
                v = 6 - v
            assert v == clean.at[r, item], (r, item)
    assert {"agree ", "STRONGLY AGREE"} <= texts
    label_items = {c for c in messy.columns if isinstance(messy[c].dropna().iloc[0], str)}
    assert {"Inf1", "Att8", "Lylt3"} <= label_items and "Decis1" not in label_items


def test_messy_export_reads_like_the_clean_file() -> None:
    from cxsurvey.io import load_survey

    clean = load_survey(SAMPLES / "cx_journey.xlsx", load_model(SAMPLES / "cx_journey.toml"))
    messy = load_survey(SAMPLES / "cx_journey_messy.xlsx",
                        load_model(SAMPLES / "cx_journey_messy.toml"))
    expected = clean.items.copy()
    cells = json.loads((SAMPLES / "cx_journey_messy_cells.json").read_text(encoding="utf-8"))
    for c in cells:
        expected.loc[expected.index[c["row_index"]], c["item"]] = np.nan
    pd.testing.assert_frame_equal(messy.items.reset_index(drop=True),
                                  expected.reset_index(drop=True), check_dtype=False)


def test_dataclass_is_frozen(pop: PopulationModel) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        pop.scale = (1, 7)  # type: ignore[misc]
