"""JSON sections of the group comparisons (``--group``): ``segments``, ``invariance``,
``group_paths`` and ``mga``."""

from __future__ import annotations

from typing import Any

from cxsurvey.gates.invariance import judge_invariance
from cxsurvey.report.json_values import clean, records
from cxsurvey.results import Results

__all__ = ["group_sections"]


def _segments(sg: Any) -> dict[str, Any]:
    return {"group": sg.group, "min_group_size": sg.min_group_size,
            "n_missing_group": sg.n_missing_group, "groups": records(sg.groups),
            "descriptives": records(sg.descriptives), "metrics": records(sg.metrics),
            "tests": records(sg.tests), "warnings": list(sg.warnings)}


def _micom(mc: Any) -> dict[str, Any]:
    return clean({"groups": list(mc.groups), "sizes": dict(mc.sizes),
                  "configural_ok": mc.configural_ok, "configural": records(mc.configural),
                  "compositional": records(mc.compositional), "means": records(mc.means),
                  "variances": records(mc.variances), "n_perm": mc.n_perm,
                  "n_used": mc.n_used, "seed": mc.seed})


def _mga(pg: Any) -> dict[str, Any]:
    paths = [{"group_1": run.groups[0], "group_2": run.groups[1], **row}
             for run in pg.mga for row in records(run.paths)]
    runs = [{"groups": list(run.groups), "sizes": dict(run.sizes), "n_boot": run.n_boot,
             "n_boot_used": dict(run.n_boot_used), "n_perm": run.n_perm,
             "n_perm_used": run.n_perm_used, "seed": run.seed} for run in pg.mga]
    return clean({"micom": None if pg.micom is None else _micom(pg.micom), "paths": paths,
                  "runs": runs, "warnings": list(pg.warnings)})


def _invariance(inv: Any, res: Results) -> dict[str, Any]:
    """The contract's ``{group, levels, tests, reached}`` and the details: the estimator,
    the groups and their n, each step's verdict and the score tests of the constraints."""
    judged = judge_invariance(inv, res.verdicts.rules if res.verdicts is not None else None)
    held = dict(zip(judged.steps["step"], judged.steps["held"], strict=True))
    levels = [{"model": row["step"], **{k: v for k, v in row.items() if k != "step"},
               "held": held.get(row["step"])} for row in records(inv.table)]
    tests = [{"from": row["against"], "to": row["step"],
              **{k: v for k, v in row.items() if k not in ("step", "against")}}
             for row in records(inv.comparisons)]
    group = (res.meta.get("group") or {}).get("column")
    return clean({
        "group": group, "groups": [str(g) for g in inv.groups], "nobs": list(inv.nobs),
        "estimator": inv.estimator, "levels": levels, "tests": tests,
        "reached": judged.reached,
        "cutoffs": {"delta_cfi": {"value": judged.delta_cfi.value,
                                  "direction": judged.delta_cfi.direction,
                                  "citation": judged.delta_cfi.citation},
                    "delta_rmsea": {"value": judged.delta_rmsea.value,
                                    "direction": judged.delta_rmsea.direction,
                                    "citation": judged.delta_rmsea.citation}},
        "score_tests": {step: records(frame) for step, frame in inv.score_tests.items()},
        "excluded_groups": [{"group": str(g), "n": n} for g, n in inv.excluded_groups]})


def _group_paths(gp: Any) -> dict[str, Any]:
    return clean({"groups": [str(g) for g in gp.groups], "equal": list(gp.fit_equal),
                  "estimates": records(gp.estimates), "tests": records(gp.tests)})


def group_sections(res: Results) -> dict[str, Any]:
    """The group-comparison keys of the run's JSON (those that ran)."""
    out: dict[str, Any] = {}
    if res.segments is not None:
        out["segments"] = _segments(res.segments)
    if res.invariance is not None:
        out["invariance"] = _invariance(res.invariance, res)
    if res.group_paths is not None:
        out["group_paths"] = _group_paths(res.group_paths)
    if res.mga is not None:
        out["mga"] = _mga(res.mga)
    return out
