"""Rule sets: thresholds (each with its citation) keyed by the statistic they judge.

A :class:`RuleSet` is a list of :class:`Rule` s, each a rule key (``min_alpha``,
``max_htmt``, ...) with a :class:`~cxsurvey.gates.thresholds.Threshold`. Built-in sets live
in :data:`RULE_SETS`; a model file's ``[checks]`` table or a rules file, and command-line
flags, adjust them (see :mod:`cxsurvey.gates.resolve`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from cxsurvey.gates import thresholds as th
from cxsurvey.gates.thresholds import Threshold

__all__ = ["RULE_KEYS", "RULE_SETS", "Rule", "RuleKey", "RuleSet", "needs"]


@dataclass(frozen=True)
class RuleKey:
    """What a rule key checks: the statistic, its direction and the analysis it needs."""

    key: str
    statistic: str
    label: str
    direction: str
    needs: str  # "reliability", "cfa", "pls", "cfa|pls", "invariance"
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
    RuleKey("max_htmt_upper", "htmt_upper", "HTMT upper bound", "<", "pls",
            "one-sided 95% bootstrap upper bound of each HTMT (PLS; Franke & Sarstedt "
            "2019)"),
    RuleKey("max_fc_vif", "fc_vif", "full collinearity VIF", "<=", "reliability",
            "full collinearity VIF of each construct score (common method bias)"),
    RuleKey("min_delta_cfi", "delta_cfi", "delta CFI", ">=", "invariance",
            "change of CFI from one measurement-invariance step to the next (--group)"),
    RuleKey("max_delta_rmsea", "delta_rmsea", "delta RMSEA", "<=", "invariance",
            "change of RMSEA from one measurement-invariance step to the next (--group)"),
    RuleKey("min_invariance", "invariance_level", "invariance level", ">=", "invariance",
            "measurement invariance reached across the --group groups: 1 configural, "
            "2 metric, 3 scalar, 4 strict (a rules file may name the level)"),
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
    _rule("max_rho_c", th.RHO_C_MAX), _rule("min_rho_a", th.RHO_A), _rule("min_ave", th.AVE),
    _rule("min_loading", th.PLS_LOADING), _rule("min_item_total_r", th.ITEM_TOTAL_R),
    _rule("max_htmt", th.HTMT), _rule("min_cfi", th.CFI), _rule("min_tli", th.TLI),
    _rule("max_rmsea", th.RMSEA), _rule("max_srmr", th.SRMR), _rule("max_vif", th.VIF),
    _rule("max_fc_vif", th.FC_VIF), _rule("max_htmt_upper", th.HTMT_UPPER)),
    "Confirmatory research: Hair et al. (2019) for reliability (rho_c, rho_A), loadings and "
    "VIF; Nunnally & Bernstein (1994) alpha and item-total r; Fornell & Larcker (1981) AVE; "
    "Henseler et al. (2015) HTMT .85, its bootstrap upper bound below .85 (Franke & "
    "Sarstedt 2019); Hu & Bentler (1999) fit; Kock (2015) full collinearity.")
_LENIENT = RuleSet("lenient", (
    Rule("min_alpha", Threshold("Cronbach's alpha", 0.60, ">=", "Hair et al. 2019")),
    Rule("min_rho_c", Threshold("composite reliability", 0.60, ">=", "Hair et al. 2019")),
    _rule("max_rho_c", th.RHO_C_MAX),
    Rule("min_rho_a", Threshold("rho_A", 0.60, ">=", "Hair et al. 2019")), _rule("min_ave", th.AVE),
    Rule("min_loading", Threshold("loading", 0.40, ">=", "Hulland 1999")),
    _rule("min_item_total_r", th.ITEM_TOTAL_R), _rule("max_htmt", th.HTMT_LIBERAL),
    Rule("min_cfi", Threshold("CFI", 0.90, ">=", "Bentler & Bonett 1980")),
    Rule("min_tli", Threshold("TLI", 0.90, ">=", "Bentler & Bonett 1980")),
    Rule("max_rmsea", Threshold("RMSEA", 0.08, "<=", "Browne & Cudeck 1993")),
    Rule("max_srmr", Threshold("SRMR", 0.10, "<=", "Kline 2016")),
    _rule("max_vif", th.VIF), _rule("max_fc_vif", th.FC_VIF),
    Rule("max_htmt_upper", Threshold("HTMT upper bound", 0.90, "<",
                                     "Franke & Sarstedt 2019"))),
    "Exploratory research: alpha, rho_c and rho_A >= .60 (Hair et al. 2019), loadings >= .40 "
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
