"""Display tables of the customer-group comparisons (``--group``): measurement invariance,
its partial-invariance candidates and the group-wise structural paths (CB-SEM), then the
segment comparisons (:mod:`~cxsurvey.report.segment_tables`) and MICOM with the PLS
multi-group analysis (:mod:`~cxsurvey.report.pls_group_tables`).

Which invariance step holds comes from :func:`cxsurvey.gates.invariance.judge_invariance`
with the run's rule set; significance from the run's :class:`Verdicts`. No number is
judged here.

References
----------
Chen, F. F. (2007). Sensitivity of goodness of fit indexes to lack of measurement
invariance. *Structural Equation Modeling*, 14(3), 464-504.
Satorra, A., & Bentler, P. M. (2001). A scaled difference chi-square test statistic for
moment structure analysis. *Psychometrika*, 66(4), 507-514.
Putnick, D. L., & Bornstein, M. H. (2016). Measurement invariance conventions and
reporting. *Developmental Review*, 41, 71-90.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from cxsurvey.gates.fit import judged_fit
from cxsurvey.gates.invariance import InvarianceJudgement, judge_invariance, level_meaning
from cxsurvey.gates.verdicts import Verdicts
from cxsurvey.report.formatting import is_missing
from cxsurvey.report.pls_group_tables import pls_group_tables
from cxsurvey.report.segment_tables import segment_tables
from cxsurvey.report.table_model import Column, Table
from cxsurvey.results import Results

__all__ = ["CONSOLE_SCORE_TESTS", "group_column", "group_paths_table", "group_tables",
           "invariance_tables", "invariance_verdict"]

CONSOLE_SCORE_TESTS = 10
"""How many score tests (largest first) the console shows; the files list them all."""

_SCALED_CHI2 = {"MLM": "Satorra-Bentler", "MLR": "Yuan-Bentler", "WLSMV": "scaled-shifted"}


def group_column(res: Results) -> str:
    """The name of the grouping column (``meta.group.column``, else the segments')."""
    meta = res.meta.get("group")
    if isinstance(meta, dict) and meta.get("column"):
        return str(meta["column"])
    if res.segments is not None:
        return str(res.segments.group)
    return "group"


def _names(groups: Any) -> str:
    names = [str(g) for g in groups]
    return " and ".join(names) if len(names) < 3 else ", ".join(names[:-1]) + " and " \
        + names[-1]


def _held(held: Any) -> bool | None:
    """A judged step's ``held`` (a bool, numpy's included; None when not judged)."""
    return None if held is None or held != held else bool(held)


def _yes_no(held: Any) -> str:
    h = _held(held)
    return "" if h is None else ("yes" if h else "no")


def invariance_verdict(inv: Any, j: InvarianceJudgement) -> str:
    """The level of invariance reached, in one sentence.

    ``"Scalar invariance holds across App and Web: equal loadings and intercepts, so
    construct means can be compared too; strict invariance does not (delta CFI ...)."``
    """
    steps = j.steps.set_index("step")
    where = f"across {_names(inv.groups)}"
    if j.reached == "none":
        if "configural" in steps.index and _held(steps.loc["configural", "held"]) is False:
            return (f"No level of measurement invariance holds {where}: the configural "
                    f"model misses the fit cut-offs ({steps.loc['configural', 'reason']}), "
                    "so the groups' scores cannot be compared as measures of the same "
                    "constructs.")
        return f"Measurement invariance {where} could not be judged (fit undefined)."
    text = (f"{j.reached.capitalize()} invariance holds {where}: "
            f"{level_meaning(j.reached, inv.estimator == 'WLSMV')}")
    after = [s for s in steps.index if s != "configural"
             and list(steps.index).index(s) > list(steps.index).index(j.reached)]
    if after:
        nxt = after[0]
        why = steps.loc[nxt, "reason"]
        text += (f"; {nxt} invariance does not ({why})" if _held(steps.loc[nxt, "held"]) is False
                 else f"; {nxt} invariance could not be judged ({why})")
    return text + "."


def _steps_frame(inv: Any, j: InvarianceJudgement) -> tuple[pd.DataFrame, dict[str, str]]:
    """One row per step with the fit values the rules judge; the labels of the robust
    columns."""
    est = str(inv.estimator).upper()
    comps = (inv.comparisons.set_index("step") if len(inv.comparisons)
             else pd.DataFrame())
    judged = j.steps.set_index("step")
    rows, labels = [], {}
    robust = est != "ML" and "chisq_scaled" in inv.table.columns
    for rec in inv.table.to_dict("records"):
        step = str(rec["step"])
        row: dict[str, Any] = {"step": step, "npar": rec.get("npar"),
                               "chisq": rec.get("chisq_scaled" if robust else "chisq"),
                               "df": rec.get("df")}
        for stat in ("cfi", "tli", "rmsea", "srmr"):
            jf = judged_fit(rec, stat, est)
            row[stat] = jf.value
            if jf.variant:
                labels[stat] = jf.label
        comp = comps.loc[step] if step in comps.index else None
        row.update({"chisq_diff": comp["chisq_diff"] if comp is not None else math.nan,
                    "df_diff": comp["df_diff"] if comp is not None else math.nan,
                    "pvalue": comp["pvalue"] if comp is not None else math.nan})
        jr = judged.loc[step] if step in judged.index else None
        row["delta_cfi"] = jr["delta_cfi"] if jr is not None else math.nan
        row["delta_rmsea"] = jr["delta_rmsea"] if jr is not None else math.nan
        row["held"] = _yes_no(jr["held"]) if jr is not None else ""
        rows.append(row)
    if robust:
        labels["chisq"] = f"Chi2 ({_SCALED_CHI2.get(est, 'scaled')}, {est})"
    return pd.DataFrame(rows), labels


def _step_flags(frame: pd.DataFrame, j: InvarianceJudgement,
                v: Verdicts) -> set[tuple[int, str]]:
    """Steps that do not hold, and the cells that made them fail: the configural fit
    indices that break the run's fit rules, the changes that break Chen's cut-offs."""
    out: set[tuple[int, str]] = set()
    for i, row in enumerate(frame.to_dict("records")):
        if row["held"] != "no":
            continue
        out.add((i, "held"))
        if row["step"] == "configural":
            out |= {(i, s) for s in ("cfi", "rmsea") if v.fails(s, row[s])}
            continue
        for key, cut in (("delta_cfi", j.delta_cfi), ("delta_rmsea", j.delta_rmsea)):
            if not is_missing(row[key]) and not cut.passes(float(row[key])):
                out.add((i, key))
    return out


def _first_failed(j: InvarianceJudgement) -> str | None:
    for row in j.steps.to_dict("records"):
        if row["step"] != "configural" and _held(row["held"]) is False:
            return str(row["step"])
    return None


def invariance_tables(res: Results) -> list[Table]:
    """The invariance steps and the score tests of the first step that fails.

    References
    ----------
    Chen, F. F. (2007). *Structural Equation Modeling*, 14(3), 464-504. Satorra, A., &
    Bentler, P. M. (2001). *Psychometrika*, 66(4), 507-514. Rao, C. R. (1948).
    *Proceedings of the Cambridge Philosophical Society*, 44, 50-57 (score test).
    """
    inv = res.invariance
    if inv is None or not len(inv.table):
        return []
    v = res.verdicts
    j = judge_invariance(inv, v.rules)
    frame, labels = _steps_frame(inv, j)
    est = str(inv.estimator).upper()
    scaled = bool(len(inv.comparisons)) and any(
        str(m) != "standard" for m in inv.comparisons.get("method", ()))
    d = "robust " if any(b == "robust" for b in j.steps["basis"]) else ""
    cols = (Column("step", "Step", "text"), Column("npar", "Parameters", "int", console=False),
            Column("chisq", labels.get("chisq", "Chi2"), "num", 2),
            Column("df", "df", "int"), Column("cfi", labels.get("cfi", "CFI")),
            Column("tli", labels.get("tli", "TLI")),
            Column("rmsea", labels.get("rmsea", "RMSEA")), Column("srmr", "SRMR"),
            Column("chisq_diff", "Delta chi2" + (" (scaled)" if scaled else ""), "num", 2),
            Column("df_diff", "Delta df", "int"), Column("pvalue", "p", "p"),
            Column("delta_cfi", f"Delta {d}CFI", "num", 4),
            Column("delta_rmsea", f"Delta {d}RMSEA", "num", 4),
            Column("held", "Holds", "text"))
    group = group_column(res)
    sizes = ", ".join(f"{g} n = {n}" for g, n in zip(inv.groups, inv.nobs, strict=True))
    dc, dr = j.delta_cfi, j.delta_rmsea
    notes = [invariance_verdict(inv, j),
             ("Each step adds equality constraints across the groups (thresholds of the "
              "ordinal items, Wu & Estabrook 2016; metric: + loadings; scalar: + "
              "intercepts) and holds when, against "
              if inv.estimator == "WLSMV" else
              "Each step adds equality constraints across the groups (metric: loadings; "
              "scalar: + intercepts; strict: + residual variances) and holds when, against ")
             +
             f"the step before it, delta CFI {dc.direction} {dc.value:g} and delta RMSEA "
             f"{dr.direction} {dr.value:g} ({dc.citation}; "
             + ("the changes of the robust indices" if d else "ML indices")
             + "); the configural model holds when it meets the run's CFI and RMSEA "
             "cut-offs. The level reached is the last step of the unbroken run of steps "
             "that hold. * = does not hold, with the values that failed.",
             "Delta chi2: lavaan's lavTestLRT against the previous step, "
             + ("the Satorra-Bentler (2001) scaled difference test" if scaled
                else "the likelihood-ratio difference test")
             + "; reported beside the fit changes, it does not decide (with survey-sized "
             "samples it rejects trivial differences; Chen 2007, Putnick & Bornstein 2016).",
             f"Groups of {group}: {sizes} (complete cases; estimator {est})."]
    if est != "ML":
        notes.append(f"Chi2, CFI, TLI and RMSEA: the {est} scaled test and the robust indices "
                     "(the scaled ones where a robust index is undefined), as the fit "
                     "table shows them; SRMR has no robust version.")
    if inv.excluded_groups:
        notes.append("Left out (too few complete cases, minimum "
                     f"{inv.min_group_size}): "
                     + ", ".join(f"{g} (n = {n})" for g, n in inv.excluded_groups) + ".")
    title = f"Measurement invariance ({group}: {', '.join(map(str, inv.groups))})"
    out = [Table("invariance", title, frame, cols, frozenset(_step_flags(frame, j, v)),
                 tuple(notes))]
    failed = _first_failed(j)
    tests = inv.score_tests.get(failed) if failed is not None else None
    if tests is not None and len(tests):
        out.append(_score_table(tests, failed or "", v))
    return out


def _score_table(tests: pd.DataFrame, step: str, v: Verdicts) -> Table:
    frame = tests.sort_values("X2", ascending=False, kind="mergesort").reset_index(drop=True)
    frame = frame.assign(constraint=[f"{a} {o} {b}" for a, o, b in
                                     zip(frame["lhs"], frame["op"], frame["rhs"], strict=True)])
    flags = frozenset((i, "pvalue") for i, p in enumerate(frame["pvalue"])
                      if v.significant(p))
    return Table(
        "invariance_score_tests",
        f"Partial invariance candidates: score tests ({step} step)", frame,
        (Column("par_lhs", "lhs", "text"), Column("par_op", "op", "text"),
         Column("par_rhs", "rhs", "text"), Column("group", "Group", "text"),
         Column("constraint", "lavaan constraint", "text", console=False),
         Column("X2", "X2", "num", 2), Column("df", "df", "int"),
         Column("pvalue", "p", "p")),
        flags,
        (f"The {step} step is the first that does not hold. lavaan's lavTestScore: the "
         "univariate score (Lagrange multiplier) test of releasing one equality "
         "constraint (the parameter in the group named, against the first group), 1 df, "
         "largest first (Rao 1948). Release the largest one at a time, theory "
         "permitting, and refit (partial invariance; Byrne, Shavelson & Muthen 1989).",
         f"* = p < {v.significance:g}: releasing the constraint improves fit "
         "significantly."))


def group_paths_table(res: Results) -> list[Table]:
    """Per structural path the standardised estimate of each group and the Wald test of
    equal coefficients.

    References
    ----------
    Wald, A. (1943). *Transactions of the American Mathematical Society*, 54(3), 426-482.
    """
    gp = res.group_paths
    if gp is None or not len(gp.tests):
        return []
    v = res.verdicts
    est = gp.estimates
    groups = [str(g) for g in gp.groups]
    rows = []
    for t in gp.tests.to_dict("records"):
        row: dict[str, Any] = {"from": t["rhs"], "to": t["lhs"]}
        sub = est[(est["lhs"] == t["lhs"]) & (est["op"] == t["op"]) & (est["rhs"] == t["rhs"])]
        for k, g in enumerate(groups):
            hit = sub[sub["group"].astype(str) == g]
            rec = hit.iloc[0] if len(hit) else None
            row[f"std_{k}"] = rec["std_all"] if rec is not None else math.nan
            row[f"est_{k}"] = rec["est"] if rec is not None else math.nan
            row[f"p_{k}"] = rec["pvalue"] if rec is not None else math.nan
        row.update({"diff": t.get("diff"), "stat": t.get("stat"), "df": t.get("df"),
                    "z": t.get("z"), "pvalue": t.get("pvalue"),
                    "differs": "" if is_missing(t.get("pvalue"))
                    else ("yes" if v.significant(t.get("pvalue")) else "no")})
        rows.append(row)
    frame = pd.DataFrame(rows)
    two = len(groups) == 2
    cols = [Column("from", "From", "text"), Column("to", "To", "text"),
            *(Column(f"std_{k}", f"Beta {g}") for k, g in enumerate(groups)),
            *(Column(f"est_{k}", f"Estimate {g}", console=False) for k, g in enumerate(groups)),
            *(Column(f"p_{k}", f"p {g}", "p", console=False) for k, g in enumerate(groups)),
            *((Column("diff", f"Diff. ({groups[1]} - {groups[0]})"),
               Column("z", "z", "num", 2)) if two else ()),
            Column("stat", "Wald chi2", "num", 2), Column("df", "df", "int"),
            Column("pvalue", "p", "p"), Column("differs", "Differs", "text")]
    equal = ", ".join(gp.fit_equal)
    return [Table(
        "group_paths", f"Group paths ({group_column(res)}: {', '.join(groups)})", frame,
        tuple(cols),
        notes=(f"Wald test (lavaan's lavTestWald) of equal unstandardised coefficients "
               f"across the groups, chi2 on {len(groups) - 1} df"
               + (" (two groups: z = difference / SE, z^2 = chi2)" if two else "")
               + (f", in the multi-group model with equal {equal}" if equal else "")
               + f"; Differs: p < {v.significance:g} (two-tailed).",
               "Beta: each group's standardised coefficient (lavaan's std.all); it can "
               "differ between groups even when the raw coefficients are equal, as each "
               "group has its own variances."))]


def group_tables(res: Results) -> list[Table]:
    """Every table of the group comparisons, in report order (none without ``--group``)."""
    return [*invariance_tables(res), *group_paths_table(res), *segment_tables(res),
            *pls_group_tables(res)]
