"""SEMs with several pure outcomes and with exogenous observed covariates, against lavaan.

lavaan frees the residual covariance of every pair of pure outcomes (``auto.cov.y``:
variables regressed on others that are neither indicators nor predictors, latent or
observed) and fixes the (co)variances of exogenous observed covariates at their sample
values (``fixed.x``); with MLM/MLR their moments are handled as lavaan does (Gamma net of
the covariates, the x moments out of the Yuan-Bentler trace, a baseline that keeps them).

Reference: ``tests/data/outcome_reference.json`` (``tests/data/r/make_outcome_reference.R``,
lavaan 0.6-14, Holzinger-Swineford). Measured as fitted: estimates 7.8e-6, SEs 1.1e-6
(ML), 1.8e-6 (MLM), 7.2e-6 (MLR), std.all 6.7e-6; every fit measure, the scaled and
robust ones included, within 1e-6 relative (lavaan's optimiser stops about 1e-6 from
the optimum).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from support import load_csv, load_json

from cxsurvey.stats.cb.estimator import fit_model
from cxsurvey.stats.cb.prepare import prepare_model


def _ref(key: str) -> dict:
    return load_json("outcome_reference.json")[key]


@pytest.mark.parametrize("key", ["covariates_ML", "covariates_MLM", "covariates_MLR",
                                 "mixed_ML"])
def test_estimates_ses_and_fit_match_lavaan(key: str) -> None:
    ref = _ref(key)
    fit = fit_model(load_csv("holzinger_swineford_1939.csv"), ref["model_syntax"],
                    ref["estimator"])
    table = pd.DataFrame(ref["parameters"])
    free = table[table["se"] > 0]
    ours = fit.params.set_index(["lhs", "op", "rhs"])
    assert len(fit.params[fit.params["free"]]) == len(free)
    for lhs, op, rhs, est, se, std in free[["lhs", "op", "rhs", "est", "se",
                                            "std.all"]].itertuples(index=False):
        key_ = (lhs, op, rhs) if (lhs, op, rhs) in ours.index else (rhs, op, lhs)
        row = ours.loc[key_]
        assert row["est"] == pytest.approx(est, abs=2e-5), key_
        assert row["se"] == pytest.approx(se, abs=2e-5), key_
        assert row["std_all"] == pytest.approx(std, abs=2e-5), key_
    for name, value in ref["fit_measures"].items():
        ours_value = fit.fit[name.replace(".", "_")]  # type: ignore[literal-required]
        assert ours_value == pytest.approx(value, rel=2e-6, abs=1e-9), name


def test_pure_outcomes_get_a_free_residual_covariance() -> None:
    prep = prepare_model(_ref("mixed_ML")["model_syntax"])
    lines = prep.syntax.splitlines()
    assert {"textual ~~ speed", "textual ~~ x9", "speed ~~ x9"} <= set(lines)
    # a pair the model names (here fixed at zero) is left as written
    named = prepare_model("f =~ a + b + c\ny1 ~ f\ny2 ~ f\ny1 ~~ 0*y2\n")
    assert "y1 ~~ y2" not in named.syntax.splitlines()
    # a chain has one pure outcome: nothing added
    chain = prepare_model("f =~ a + b + c\ng =~ d + e + h\nk =~ i + j + l\ng ~ f\nk ~ g\n")
    assert "~~" not in chain.syntax


def test_robust_scaling_with_covariates_differs_from_ignoring_them() -> None:
    """The fixed.x handling matters: Gamma of all moments gives another scaling factor."""
    from cxsurvey.stats.cb import moments

    data = load_csv("holzinger_swineford_1939.csv")
    ref = _ref("covariates_MLM")
    fit = fit_model(data, ref["model_syntax"], "MLM")
    y = moments.complete_block(data, fit.observed)
    x_idx = [fit.observed.index("sex"), fit.observed.index("ageyr")]
    assert not np.allclose(moments.gamma_adf(y, x_idx), moments.gamma_adf(y))
    assert fit.fit["chisq_scaling_factor"] == pytest.approx(
        ref["fit_measures"]["chisq.scaling.factor"], rel=1e-6)
