"""Quality gates: every rule of a rule set compared with the statistics it applies to.

:func:`evaluate` returns one row per comparison; it reads the statistics' results and
nothing else.
"""

from __future__ import annotations

import pandas as pd

from cxsurvey.gates.fit import judged_fit
from cxsurvey.gates.invariance import judge_invariance
from cxsurvey.gates.results import ChecksResult
from cxsurvey.gates.rules import RuleKey, RuleSet
from cxsurvey.stats.findings import Findings

__all__ = ["evaluate"]


_COLUMNS = ["name", "statistic", "construct", "item", "other", "source", "value",
            "threshold", "direction", "passed", "citation", "message", "variant"]


def _fmt(x: float) -> str:
    return f"{x:.3f}" if abs(x) < 100 else f"{x:.1f}"


def evaluate(results: Findings, rules: RuleSet) -> ChecksResult:
    """Compare every rule with the statistics of ``results`` it applies to.

    Parameters
    ----------
    results : Findings
        The statistics of a run. A rule whose statistic was not computed (e.g. CFA fit
        when no CFA ran, VIF without PLS) is listed in ``skipped`` with the reason.
    rules : RuleSet

    Returns
    -------
    ChecksResult
        ``checks``: one row per comparison with ``name`` (rule key), ``statistic``,
        ``construct``, ``item``, ``other`` (second construct of a pair), ``source``
        (``items``, ``one-factor``, ``cfa``, ``pls``), ``value``, ``threshold``,
        ``direction``, ``passed``, ``citation``, a ``message`` and ``variant`` (for CFI,
        TLI and RMSEA after a robust estimator: ``"robust, MLR"`` when the robust index
        was judged, :func:`cxsurvey.gates.fit.judged_fit`; else empty); ``skipped``:
        ``name, reason``.

    References
    ----------
    Each threshold's citation travels with it (see :mod:`cxsurvey.gates.thresholds`).
    """
    rows: list[dict] = []
    skipped: list[dict] = []
    for rule in rules.rules:
        found = list(_values(results, rule.spec, rules))
        if not found:
            skipped.append({"name": rule.key, "reason": _why_missing(results, rule.spec)})
            continue
        t = rule.threshold
        for where, value in found:
            if value is None or value != value:
                skipped.append({"name": rule.key, "reason": f"{rule.spec.label} undefined for "
                                f"{_where_text(where)}"})
                continue
            passed = t.passes(float(value))
            name = f"{t.name} ({where['variant']})" if where.get("variant") else t.name
            rows.append({
                "name": rule.key, "statistic": rule.spec.statistic,
                "construct": where.get("construct"), "item": where.get("item"),
                "other": where.get("other"), "source": where.get("source"),
                "value": float(value), "threshold": t.value, "direction": t.direction,
                "passed": passed, "citation": t.citation, "variant": where.get("variant", ""),
                "message": f"{name} of {_where_text(where)} = {_fmt(float(value))}, "
                           f"{'meets' if passed else 'needs'} {t.direction} {t.value:g} "
                           f"({t.citation})"})
    return ChecksResult(checks=pd.DataFrame(rows, columns=_COLUMNS),
                        skipped=pd.DataFrame(skipped, columns=["name", "reason"]),
                        rule_set=rules.name)


def _where_text(where: dict) -> str:
    if where.get("other"):
        return f"{where['construct']} / {where['other']}"
    if where.get("item"):
        return f"{where['item']} ({where.get('construct')}, {where.get('source')})"
    if where.get("construct"):
        src = where.get("source")
        return f"{where['construct']}" + (f" ({src})" if src not in (None, "items") else "")
    return f"the {where.get('source', '').upper()} model"


def _why_missing(res: Findings, spec: RuleKey) -> str:
    if spec.needs == "invariance":
        return ("no measurement invariance ran (give --group COLUMN with a CB model)"
                if res.invariance is None else "the invariance steps could not be judged")
    if spec.needs == "cfa":
        return "no CFA ran (give --model, or --method cb|both)"
    if spec.needs == "pls":
        return "no PLS model ran (use --method pls or both)"
    if spec.needs == "cfa|pls":
        return "needs a CFA or PLS model with two or more constructs"
    if spec.statistic == "fc_vif":
        return "needs two or more constructs with complete answers"
    if res.reliability is None:
        return "reliability was not computed"
    return f"{spec.label} not available for these constructs"


def _by_construct(frame: pd.DataFrame, col: str, source: str):
    if frame is None or col not in frame.columns:
        return
    for con, value in zip(frame["construct"], frame[col], strict=True):
        yield {"construct": con, "source": source}, value


def _values(res: Findings, spec: RuleKey, rules: RuleSet | None = None):
    """``(where, value)`` pairs for one rule key."""
    stat = spec.statistic
    if spec.needs == "invariance":
        yield from _invariance(res, stat, rules)
        return
    rel = res.reliability
    if stat == "alpha" and rel is not None:
        yield from _by_construct(rel.constructs, "alpha", "items")
    elif stat in ("rho_c", "ave"):
        sources = [(res.cfa.reliability, "cfa")] if res.cfa is not None else []
        if res.pls is not None:
            sources.append((res.pls.reliability, "pls"))
        if not sources and rel is not None:
            sources.append((rel.constructs, "one-factor"))
        for frame, source in sources:
            yield from _by_construct(frame, stat, source)
    elif stat == "rho_a" and res.pls is not None:
        yield from _by_construct(res.pls.reliability, "rho_a", "pls")
    elif stat == "loading":
        yield from _loadings(res)
    elif stat == "item_total_r" and rel is not None:
        for r in rel.items.itertuples(index=False):
            yield {"construct": r.construct, "item": r.item, "source": "items"}, r.item_total_r
    elif stat == "htmt":
        model = res.cfa if res.cfa is not None else res.pls
        if model is not None:
            src = "cfa" if res.cfa is not None else "pls"
            for r in model.htmt.itertuples(index=False):
                yield {"construct": r.a, "other": r.b, "source": src}, r.value
    elif stat in ("cfi", "tli", "rmsea", "srmr") and res.cfa is not None:
        if stat in res.cfa.fit:
            judged = judged_fit(res.cfa.fit, stat, res.cfa.estimator)
            yield {"source": "cfa", "variant": judged.qualifier}, judged.value
    elif stat == "htmt_upper" and res.pls is not None and len(res.pls.htmt_inference):
        for r in res.pls.htmt_inference.itertuples(index=False):
            if not r.mode_b:  # HTMT judges reflective constructs only
                yield {"construct": r.a, "other": r.b, "source": "pls"}, r.upper_one_sided
    elif stat == "vif" and res.pls is not None:
        for r in res.pls.vif.itertuples(index=False):
            yield ({"construct": r.construct, "item": f"{r.variable} ({r.kind})",
                    "source": "pls"}, r.vif)
    elif stat == "fc_vif" and res.collinearity is not None:
        yield from _by_construct(res.collinearity, "vif", "scores")


def _invariance(res: Findings, stat: str, rules: RuleSet | None):
    """The judged invariance steps' changes, or the level reached (``--group``)."""
    if res.invariance is None:
        return
    judged = judge_invariance(res.invariance, rules)
    if stat == "invariance_level":
        yield {"source": "cfa", "variant": f"{judged.reached} across "
               f"{', '.join(map(str, res.invariance.groups))}"}, float(judged.level)
        return
    for row in judged.steps.itertuples(index=False):
        if row.step != "configural":
            yield ({"construct": f"{row.step} invariance", "source": "cfa",
                    "variant": row.basis}, getattr(row, stat))


def _loadings(res: Findings):
    if res.cfa is not None:
        for r in res.cfa.loadings.itertuples(index=False):
            yield {"construct": r.construct, "item": r.item, "source": "cfa"}, r.std_all
    if res.pls is not None:
        outer = res.pls.outer
        for r in outer.itertuples(index=False):
            if getattr(r, "mode", "A") in ("A", "reflective"):
                yield {"construct": r.construct, "item": r.item, "source": "pls"}, r.loading
    if res.cfa is None and res.pls is None and res.reliability is not None:
        for r in res.reliability.items.itertuples(index=False):
            yield ({"construct": r.construct, "item": r.item, "source": "one-factor"},
                   r.loading)
