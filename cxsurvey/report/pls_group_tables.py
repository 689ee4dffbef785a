"""Display tables of the PLS group comparison (``--group`` with PLS-SEM): MICOM steps 1-3
and the multi-group analysis of the structural paths
(:class:`cxsurvey.stats.pls.groups.PlsGroups`).

The MICOM verdicts (``invariant``, ``within``) are those the statistics computed against
their permutation quantiles; the paths' differences are judged at the run's significance
level (:class:`~cxsurvey.gates.verdicts.Verdicts`).

References
----------
Henseler, J., Ringle, C. M., & Sarstedt, M. (2016). Testing measurement invariance of
composites using partial least squares. *International Marketing Review*, 33(3), 405-431.
Henseler, J., Ringle, C. M., & Sinkovics, R. R. (2009). The use of partial least squares
path modeling in international marketing. *Advances in International Marketing*, 20,
277-319.
Chin, W. W., & Dibbern, J. (2010). An introduction to a permutation based procedure for
multi-group PLS analysis. In *Handbook of Partial Least Squares* (pp. 171-193).
Sarstedt, M., Henseler, J., & Ringle, C. M. (2011). Multigroup analysis in partial least
squares (PLS) path modeling. *Advances in International Marketing*, 22, 195-218.
Keil, M., Tan, B. C. Y., Wei, K.-K., Saarinen, T., Tuunainen, V., & Wassenaar, A. (2000).
A cross-cultural study on escalation of commitment behavior in software projects. *MIS
Quarterly*, 24(2), 299-325.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from cxsurvey.gates.verdicts import Verdicts
from cxsurvey.report.table_model import Column, Table
from cxsurvey.results import Results

__all__ = ["micom_tables", "mga_table", "pls_group_tables"]


def _yes(flag: Any) -> str:
    return "" if flag is None or flag != flag else ("yes" if bool(flag) else "no")


def _micom_conclusion(mc: Any) -> str:
    """Henseler et al.'s (2016, Fig. 3) reading of the three steps."""
    comp = bool(mc.compositional["invariant"].all()) if len(mc.compositional) else False
    equal = (bool(mc.means["within"].all()) and bool(mc.variances["within"].all())
             if len(mc.means) else False)
    if not mc.configural_ok:
        return ("Configural invariance not established (an item is missing or constant in "
                "a group): the groups should not be compared.")
    if not comp:
        bad = sorted(set(mc.compositional.loc[~mc.compositional["invariant"].astype(bool),
                                              "construct"].astype(str)))
        return ("Compositional invariance not established for " + ", ".join(bad)
                + ": their path coefficients should not be compared across the groups.")
    if equal:
        return ("Full measurement invariance of the composites (steps 1-3 hold): the "
                "groups' path coefficients can be compared and the data could be pooled.")
    return ("Partial measurement invariance of the composites (steps 1 and 2 hold, equal "
            "means and variances not throughout): the groups' path coefficients can be "
            "compared (multi-group analysis); do not pool the data.")


def micom_tables(res: Results) -> list[Table]:
    """MICOM step 2 and 3 per group pair and construct, and the step-1 checks."""
    pg = res.mga
    mc = getattr(pg, "micom", None)
    if mc is None or not len(mc.compositional):
        return []
    keys = ["group_a", "group_b", "construct"]
    comp = mc.compositional.reset_index(drop=True)
    means = mc.means.rename(columns=lambda c: c if c in keys else f"mean_{c}")
    var = mc.variances.rename(columns=lambda c: c if c in keys else f"var_{c}")
    frame = comp.merge(means, on=keys, how="left").merge(var, on=keys, how="left")
    frame.insert(0, "pair", [f"{a} vs {b}" for a, b in
                             zip(frame["group_a"], frame["group_b"], strict=True)])
    for key in ("invariant", "mean_within", "var_within"):
        frame[f"{key}_shown"] = [_yes(x) for x in frame[key]]
    flags = frozenset((i, f"{key}_shown") for key in ("invariant", "mean_within",
                                                      "var_within")
                      for i, x in enumerate(frame[key]) if x is False or x == 0)
    several = len(mc.groups) > 2
    cols = (Column("pair", "Groups", "text"), Column("construct", "Construct", "text"),
            Column("c", "c"), Column("q05", "5% quantile"),
            Column("pvalue", "p", "p"),
            *((Column("pvalue_holm", "Holm p", "p"),) if several else ()),
            Column("invariant_shown", "Compositional", "text"),
            Column("mean_diff", "Mean diff."),
            Column("mean_q025", "Mean 2.5%", console=False),
            Column("mean_q975", "Mean 97.5%", console=False),
            Column("mean_pvalue", "p (mean)", "p"),
            Column("mean_within_shown", "Equal mean", "text"),
            Column("var_diff", "Log var. diff."), Column("var_q025", "Var. 2.5%", console=False),
            Column("var_q975", "Var. 97.5%", console=False),
            Column("var_pvalue", "p (var.)", "p"),
            Column("var_within_shown", "Equal variance", "text"))
    failed = mc.configural[~mc.configural["ok"].astype(bool)]
    step1 = ("Step 1 (configural): the same model, items and data treatment in every "
             "group; every item answered and varying in every group: "
             + ("yes." if not len(failed) else "no: " + ", ".join(
                 f"{r.item} in {r.group}" for r in failed.itertuples()) + "."))
    sizes = ", ".join(f"{g} n = {n}" for g, n in mc.sizes.items())
    notes = (_micom_conclusion(mc), step1,
             "Step 2 (compositional): c = correlation of the composite scores formed with "
             "each group's weights on the pooled data; invariant when c is not below the 5% "
             "quantile of its permutation distribution (p = share of permutations with a c "
             "at most the observed one).",
             "Step 3 (equal means and variances): difference of the group means (group 1 - "
             "group 2) and of the log variances of the pooled-estimation scores; equal "
             "when inside the 2.5% and 97.5% permutation quantiles (two-sided p).",
             f"Groups: {sizes}. {mc.n_perm} permutations (seed {mc.seed}); {mc.n_used} "
             "usable in step 2" + (" (Holm's adjustment over the pairs per construct)."
                                   if several else ".") + " Henseler, Ringle & Sarstedt "
             "(2016), as cSEM's testMICOM.")
    out = [Table("micom", "MICOM: measurement invariance of composites", frame, cols,
                 flags, notes)]
    conf = mc.configural.reset_index(drop=True).assign(
        ok_shown=[_yes(x) for x in mc.configural["ok"]])
    out.append(Table(
        "micom_configural", "MICOM step 1: items per group", conf,
        (Column("group", "Group", "text"), Column("construct", "Construct", "text"),
         Column("item", "Item", "text"), Column("n", "N", "int"),
         Column("sd", "SD (pooled z)"), Column("ok_shown", "Varies", "text")),
        frozenset((i, "ok_shown") for i, x in enumerate(conf["ok"]) if not bool(x)),
        ("SD of the item standardised on the pooled data, within the group; an item "
         "without variance in a group breaks configural invariance.",)))
    return out


def mga_table(res: Results) -> list[Table]:
    """The paths of every pair of groups with Henseler's, the permutation and Welch's
    tests of their difference."""
    pg = res.mga
    runs = getattr(pg, "mga", ()) or ()
    if not runs:
        return []
    v: Verdicts = res.verdicts
    parts = []
    for run in runs:
        p = run.paths.reset_index(drop=True).copy()
        p.insert(0, "pair", f"{run.groups[0]} vs {run.groups[1]}")
        parts.append(p)
    frame = pd.concat(parts, ignore_index=True)
    frame["differs"] = ["" if p != p else ("yes" if v.significant(p) else "no")
                        for p in frame["p_perm_holm"]]
    one = len(runs) == 1
    g1, g2 = (runs[0].groups if one else ("group 1", "group 2"))
    cols = (*(() if one else (Column("pair", "Groups", "text"),)),
            Column("from", "From", "text"), Column("to", "To", "text"),
            Column("est_pooled", "Pooled", console=False),
            Column("est_g1", f"Beta {g1}"), Column("est_g2", f"Beta {g2}"),
            Column("diff", "Diff."),
            Column("se_g1", f"SD (boot) {g1}", console=False),
            Column("se_g2", f"SD (boot) {g2}", console=False),
            Column("p_mga_2sided", "Henseler p", "p"),
            Column("p_mga", "Henseler p (1-sided)", "p", console=False),
            Column("p_mga_holm", "Henseler Holm p", "p", console=False),
            Column("p_perm", "Permutation p", "p"),
            Column("p_perm_holm", "Permutation Holm p", "p"),
            Column("t_welch", "Welch t", "num", 2, console=False),
            Column("df_welch", "Welch df", "int", console=False),
            Column("p_welch", "Welch p", "p"),
            Column("p_welch_holm", "Welch Holm p", "p", console=False),
            Column("t_param", "Parametric t", "num", 2, console=False),
            Column("p_param", "Parametric p", "p", console=False),
            Column("differs", "Differs", "text"))
    first = runs[0]
    boot = ", ".join(f"{g} {n}" for g, n in first.n_boot_used.items())
    notes = ((f"Diff. = {g1} - {g2}. " if one else "Diff. = group 1 - group 2 of each pair. ")
             + "Henseler's PLS-MGA (Henseler, Ringle & Sinkovics 2009) from the groups' "
             "bootstrap distributions, two-sided (one-sided for H1: group 1 > group 2 in the "
             "files); permutation test (Chin & Dibbern 2010); Welch-Satterthwaite t "
             "(Sarstedt, Henseler & Ringle 2011) and the pooled-SE parametric t (Keil et "
             "al. 2000) with bootstrap SDs. Holm: over the paths within each test.",
             f"Differs: Holm-adjusted permutation p < {v.significance:g}. Bootstrap: "
             f"{first.n_boot} resamples per group (usable: {boot}); {first.n_perm} permutations "
             f"({first.n_perm_used} usable); seed {first.seed}. Compare paths only where "
             "MICOM establishes compositional invariance.")
    return [Table("pls_mga", "PLS multi-group analysis", frame, cols, notes=notes)]


def pls_group_tables(res: Results) -> list[Table]:
    """MICOM and the multi-group analysis (none without ``--group`` and PLS)."""
    if res.mga is None:
        return []
    return [*micom_tables(res), *mga_table(res)]
