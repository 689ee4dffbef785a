"""Quality gates: thresholds (each with its citation) checked against a run's results.

A :class:`RuleSet` is a list of :class:`Rule` s, each a rule key (``min_alpha``,
``max_htmt``, ...) with a :class:`~cxsurvey.analysis.thresholds.Threshold`. Built-in
sets live in :data:`RULE_SETS`; a model file's ``[checks]`` table or a rules file, and
command-line flags, adjust them (see :mod:`cxsurvey.model.rules`). :func:`evaluate`
compares every rule with every statistic it applies to and returns one row per
comparison; it reads a :class:`~cxsurvey.analysis.results.Results` and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from cxsurvey.analysis import thresholds as th
from cxsurvey.analysis.results import ChecksResult, Results
from cxsurvey.analysis.thresholds import Threshold

__all__ = ["RULE_KEYS", "RULE_SETS", "Rule", "RuleSet", "evaluate", "needs"]


@dataclass(frozen=True)
class RuleKey:
    """What a rule key checks: the statistic, its direction and the analysis it needs."""

    key: str
    statistic: str
    label: str
    direction: str
    needs: str  # "reliability", "cfa", "pls", "cfa|pls"
    help: str


RULE_KEYS: dict[str, RuleKey] = {k.key: k for k in (
    RuleKey("min_alpha", "alpha", "Cronbach's alpha", ">=", "reliability",
            "Cronbach's alpha of each construct"),
    RuleKey("min_rho_c", "rho_c", "composite reliability", ">=", "reliability",
            "composite reliability (rho_c) of each construct"),
    RuleKey("max_rho_c", "rho_c", "composite reliability", "<", "reliability",
            "upper bound on rho_c (redundant items)"),
    RuleKey("min_rho_a", "rho_a", "rho_A", ">=", "pls", "Dijkstra-Henseler rho_A (PLS)"),
    RuleKey("min_ave", "ave", "AVE", ">=", "reliability", "average variance extracted"),
    RuleKey("min_loading", "loading", "loading", ">=", "reliability",
            "standardised (CFA) or outer (PLS) loading of each item"),
    RuleKey("min_item_total_r", "item_total_r", "corrected item-total r", ">=",
            "reliability", "corrected item-total correlation of each item"),
    RuleKey("max_htmt", "htmt", "HTMT", "<=", "cfa|pls",
            "heterotrait-monotrait ratio of each pair of constructs"),
    RuleKey("min_cfi", "cfi", "CFI", ">=", "cfa", "comparative fit index of the CFA"),
    RuleKey("min_tli", "tli", "TLI", ">=", "cfa", "Tucker-Lewis index of the CFA"),
    RuleKey("max_rmsea", "rmsea", "RMSEA", "<=", "cfa", "RMSEA of the CFA"),
    RuleKey("max_srmr", "srmr", "SRMR", "<=", "cfa", "SRMR of the CFA"),
    RuleKey("max_vif", "vif", "VIF", "<", "pls", "outer and inner VIF of the PLS model"),
    RuleKey("max_fc_vif", "fc_vif", "full collinearity VIF", "<=", "reliability",
            "full collinearity VIF of each construct score (common method bias)"),
)}


@dataclass(frozen=True)
class Rule:
    """One gate: a rule key (``min_alpha``) and its cut-off with citation."""

    key: str
    threshold: Threshold

    @property
    def spec(self) -> RuleKey:
        return RULE_KEYS[self.key]


@dataclass(frozen=True)
class RuleSet:
    """A named list of rules (at most one per key)."""

    name: str
    rules: tuple[Rule, ...]
    description: str = ""
    sources: tuple[str, ...] = field(default_factory=tuple)

    def get(self, key: str) -> Rule | None:
        return next((r for r in self.rules if r.key == key), None)

    def with_value(self, key: str, value: float, citation: str) -> RuleSet:
        """This set with ``key`` set to ``value`` (added when absent)."""
        spec = RULE_KEYS[key]
        old = self.get(key)
        label = old.threshold.name if old else spec.label
        if old is not None and old.threshold.value == float(value):
            citation = old.threshold.citation  # same cut-off: keep its source
        rule = Rule(key, Threshold(label, float(value), spec.direction, citation))
        rules = tuple(rule if r.key == key else r for r in self.rules)
        if old is None:
            rules += (rule,)
        return replace(self, rules=rules)

    def without(self, keys: set[str]) -> RuleSet:
        return replace(self, rules=tuple(r for r in self.rules if r.key not in keys))


def _rule(key: str, t: Threshold) -> Rule:
    if t.direction != RULE_KEYS[key].direction:
        t = replace(t, direction=RULE_KEYS[key].direction)
    return Rule(key, t)


_HB = "Hu & Bentler 1999"
_DEFAULT = RuleSet("default", (
    _rule("min_alpha", th.ALPHA), _rule("min_rho_c", th.RHO_C),
    _rule("max_rho_c", th.RHO_C_MAX), _rule("min_ave", th.AVE),
    _rule("min_loading", Threshold("loading", 0.708, ">=", "Hair et al. 2019")),
    _rule("max_htmt", th.HTMT), _rule("min_cfi", th.CFI), _rule("min_tli", th.TLI),
    _rule("max_rmsea", th.RMSEA), _rule("max_srmr", th.SRMR), _rule("max_vif", th.VIF),
    _rule("max_fc_vif", th.FC_VIF)),
    "Confirmatory research: Hair et al. (2019) for reliability, loadings and VIF; Fornell & "
    "Larcker (1981) AVE; Henseler et al. (2015) HTMT .85; Hu & Bentler (1999) fit; Kock "
    "(2015) full collinearity.")
_LENIENT = RuleSet("lenient", (
    Rule("min_alpha", Threshold("Cronbach's alpha", 0.60, ">=", "Hair et al. 2019")),
    Rule("min_rho_c", Threshold("composite reliability", 0.60, ">=", "Hair et al. 2019")),
    _rule("max_rho_c", th.RHO_C_MAX), _rule("min_ave", th.AVE),
    Rule("min_loading", Threshold("loading", 0.40, ">=", "Hulland 1999")),
    _rule("max_htmt", th.HTMT_LIBERAL),
    Rule("min_cfi", Threshold("CFI", 0.90, ">=", "Bentler & Bonett 1980")),
    Rule("min_tli", Threshold("TLI", 0.90, ">=", "Bentler & Bonett 1980")),
    Rule("max_rmsea", Threshold("RMSEA", 0.08, "<=", "Browne & Cudeck 1993")),
    Rule("max_srmr", Threshold("SRMR", 0.10, "<=", "Kline 2016")),
    _rule("max_vif", th.VIF), _rule("max_fc_vif", th.FC_VIF)),
    "Exploratory research: alpha and rho_c >= .60 (Hair et al. 2019), loadings >= .40 "
    "(Hulland 1999), HTMT .90, CFI/TLI >= .90, RMSEA <= .08, SRMR <= .10.")
_FIT = RuleSet("hu-bentler", (
    _rule("min_cfi", th.CFI), _rule("min_tli", th.TLI), _rule("max_rmsea", th.RMSEA),
    _rule("max_srmr", th.SRMR)),
    f"CFA fit only: CFI/TLI >= .95, RMSEA <= .06, SRMR <= .08 ({_HB}).")
_SEED = RuleSet("saeedi2022", (
    Rule("min_alpha", Threshold("Cronbach's alpha", 0.60, ">=", "Saeedi et al. 2022")),
    Rule("min_rho_c", Threshold("composite reliability", 0.70, ">=", "Saeedi et al. 2022")),
    _rule("min_ave", th.AVE),
    Rule("min_loading", Threshold("loading", 0.40, ">=", "Hulland 1999"))),
    "The reference study's criteria: alpha >= .60, CR >= .70, AVE >= .50, loadings >= .40.")

RULE_SETS: dict[str, RuleSet] = {s.name: s for s in (_DEFAULT, _LENIENT, _FIT, _SEED)}
"""Built-in rule sets by name (``--rules NAME``)."""


def needs(rules: RuleSet) -> set[str]:
    """The analyses the rules read: a subset of ``{"reliability", "cfa", "pls"}``."""
    out: set[str] = set()
    for r in rules.rules:
        need = r.spec.needs
        out |= {"cfa"} if need == "cfa|pls" else {need}
    return out


_COLUMNS = ["name", "statistic", "construct", "item", "other", "source", "value",
            "threshold", "direction", "passed", "citation", "message"]


def _fmt(x: float) -> str:
    return f"{x:.3f}" if abs(x) < 100 else f"{x:.1f}"


def evaluate(results: Results, rules: RuleSet) -> ChecksResult:
    """Compare every rule with the statistics of ``results`` it applies to.

    Parameters
    ----------
    results : Results
        A finished run. A rule whose statistic was not computed (e.g. CFA fit when no
        CFA ran, VIF without PLS) is listed in ``skipped`` with the reason.
    rules : RuleSet

    Returns
    -------
    ChecksResult
        ``checks``: one row per comparison with ``name`` (rule key), ``statistic``,
        ``construct``, ``item``, ``other`` (second construct of a pair), ``source``
        (``items``, ``one-factor``, ``cfa``, ``pls``), ``value``, ``threshold``,
        ``direction``, ``passed``, ``citation`` and a ``message``; ``skipped``:
        ``name, reason``.

    References
    ----------
    Each threshold's citation travels with it (see :mod:`cxsurvey.analysis.thresholds`).
    """
    rows: list[dict] = []
    skipped: list[dict] = []
    for rule in rules.rules:
        found = list(_values(results, rule.spec))
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
            rows.append({
                "name": rule.key, "statistic": rule.spec.statistic,
                "construct": where.get("construct"), "item": where.get("item"),
                "other": where.get("other"), "source": where.get("source"),
                "value": float(value), "threshold": t.value, "direction": t.direction,
                "passed": passed, "citation": t.citation,
                "message": f"{t.name} of {_where_text(where)} = {_fmt(float(value))}, "
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


def _why_missing(res: Results, spec: RuleKey) -> str:
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


def _values(res: Results, spec: RuleKey):
    """``(where, value)`` pairs for one rule key."""
    stat = spec.statistic
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
            yield {"source": "cfa"}, res.cfa.fit.get(stat)
    elif stat == "vif" and res.pls is not None:
        for r in res.pls.vif.itertuples(index=False):
            yield ({"construct": r.construct, "item": f"{r.variable} ({r.kind})",
                    "source": "pls"}, r.vif)
    elif stat == "fc_vif" and res.collinearity is not None:
        yield from _by_construct(res.collinearity, "vif", "scores")


def _loadings(res: Results):
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
