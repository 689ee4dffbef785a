"""One run: read the survey, run the requested analyses, collect :class:`Results`.

This is the API behind the CLI commands (and usable from Python); it reads files but
prints nothing and never exits.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from cxsurvey import __version__
from cxsurvey.io import load_survey
from cxsurvey.io.prepare import Survey
from cxsurvey.model import load_model
from cxsurvey.model.spec import SurveyModel
from cxsurvey.results import Results

SECTIONS = ("describe", "normality", "reliability", "cfa", "paths")
FOUNDATION = ("describe", "normality", "reliability")
_DEPENDENCIES = ("numpy", "pandas", "scipy", "statsmodels", "semopy", "openpyxl",
                 "pyreadstat", "rich", "typer")


@dataclass(frozen=True)
class Options:
    """Run options that change numbers; recorded in ``meta.options`` and the About sheet."""

    missing: str = "listwise"
    alpha: float = 0.05
    seed: int | None = None
    method: str = "cb"
    loading_threshold: float = 0.4
    drop_weak: bool = False
    se: str = "standard"
    bootstrap: int = 0
    max_iter: int = 10_000
    scheme: str = "path"


def sha256_of(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def dependency_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in _DEPENDENCIES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


def read(survey_path: str | Path, model_path: str | Path | None = None) -> Survey:
    """Read and recode a survey with its model file (or an inferred model)."""
    model: SurveyModel | None = load_model(model_path) if model_path else None
    return load_survey(survey_path, model)


_ID_NAMES = ("respondentid", "respondent_id", "respondent", "responseid", "response_id", "id",
             "caseid", "case_id", "participant", "participantid", "participant_id")


def propose_model(survey_path: str | Path) -> SurveyModel:
    """A model file's content inferred from a survey, for ``cxsurvey init``.

    Constructs come from the column names; the scale from the answers (labels, SPSS value
    labels, or the observed range); numbers outside a standard Likert range (such as 99)
    are proposed as missing codes; a column named like an identifier (``RespondentID``,
    ``id``) with unique values is proposed as ``id``.
    """
    from dataclasses import replace

    sv = load_survey(survey_path, None, check_range=False)
    raw = sv.raw
    codes = sorted(sv.recoded.get("out_of_range_codes", []) or [])
    id_col = None
    for col in raw.frame.columns:
        if str(col).strip().lower() in _ID_NAMES and raw.frame[col].is_unique:
            id_col = str(col)
            break
    header_row = raw.details.get("header_row")
    data = replace(sv.model.data, sheet=raw.sheet, scale=sv.scale, id=id_col,
                   header_row=header_row if header_row not in (None, 1) else None,
                   missing=tuple(codes) or sv.model.data.missing)
    return replace(sv.model, data=data)


def analyse(survey: Survey, sections: Iterable[str] = FOUNDATION,
            options: Options | None = None, progress=None, rules=None) -> Results:
    """Run ``sections`` on a recoded survey and collect the results.

    ``rules`` (a :class:`~cxsurvey.gates.rules.RuleSet`) adds the quality gates'
    verdicts (``Results.checks``) and a sentence about them to the summary.
    """
    from dataclasses import replace

    from cxsurvey.narrative import checks_sentence, summarise

    options = options or Options()
    wanted = set(sections)
    unknown = wanted - set(SECTIONS)
    if unknown:
        raise ValueError(f"unknown section(s) {sorted(unknown)}; choose from {SECTIONS}")
    items, constructs = survey.items, survey.constructs
    rows = np.asarray(survey.raw.file_rows())
    desc = norm = rel = None
    # each analysis imports what it needs (scipy.stats alone costs ~0.8 s of start-up)
    if "describe" in wanted:
        from cxsurvey.stats.items.describe import describe

        desc = describe(items, constructs, survey.scale, rows, survey.ids)
    # "mean" (replacement) exists for PLS only; the other analyses then work listwise
    basic_missing = "pairwise" if options.missing == "pairwise" else "listwise"
    if "normality" in wanted:
        from cxsurvey.stats.items.normality import normality

        norm = normality(items, constructs, basic_missing, options.alpha)
    if "reliability" in wanted:
        from cxsurvey.stats.items.reliability import reliability

        rel = reliability(items, constructs, basic_missing)
    cfa = pls = None
    paths: list = []
    extra_warnings: list[str] = []
    if "cfa" in wanted or "paths" in wanted:
        cfa, pls, paths, extra_warnings = _structural(survey, wanted, options, progress)
        if cfa is not None and rel is not None:
            rel = _with_cfa_composites(rel, cfa)
        if pls is not None and rel is not None:
            rel = _with_rho_a(rel, pls)
    n_used = int(items.dropna().shape[0])
    warnings = list(survey.warnings) + _warnings(survey, desc, rel) + extra_warnings
    collinearity = None
    if rel is not None and len(constructs) >= 2:
        from cxsurvey.stats.items.collinearity import construct_scores, full_collinearity_vif

        collinearity = full_collinearity_vif(construct_scores(items, dict(constructs)))
    meta = _meta(survey, n_used, options)
    summary = summarise(desc, norm, rel, survey.n_rows, n_used, cfa, tuple(paths), pls,
                        collinearity)
    res = Results(meta=meta, descriptives=desc, normality=norm, reliability=rel,
                  cfa=cfa, pls=pls, paths=tuple(paths), warnings=tuple(warnings),
                  summary=tuple(summary), collinearity=collinearity)
    if rules is not None:
        from cxsurvey.gates.evaluate import evaluate

        checks = evaluate(res, rules)
        res = replace(res, checks=checks, summary=res.summary + (checks_sentence(checks),))
    return res


def sections_for(rules, base: Iterable[str] = ("describe", "reliability")) -> tuple[str, ...]:
    """The sections a rule set needs on top of ``base`` (CFA for fit, loadings, HTMT)."""
    from cxsurvey.gates.rules import needs

    wanted = list(base)
    if needs(rules) & {"cfa", "pls"} and "cfa" not in wanted:
        wanted.append("cfa")
    return tuple(wanted)


def _structural(survey: Survey, wanted: set[str], options: Options, progress=None):
    """CFA and covariance-based paths (method cb), PLS-SEM (method pls), or both."""
    if options.method not in ("cb", "pls", "both"):
        raise ValueError(f"method must be cb, pls or both, got {options.method!r}")
    cb = options.method in ("cb", "both")
    items, constructs = survey.items, dict(survey.constructs)
    spec = survey.model.model
    warnings: list[str] = []
    cfa = None
    if cb:
        from cxsurvey.stats.cb.cfa import run_cb_paths, run_cfa
    if cb and ("cfa" in wanted or options.drop_weak):
        n_boot = options.bootstrap if options.se == "bootstrap" and "cfa" in wanted else 0
        cfa = run_cfa(items, constructs, spec, options.loading_threshold, options.drop_weak,
                      n_boot=n_boot, seed=options.seed, max_iter=options.max_iter)
        warnings += [f"CFA: {w}" for w in cfa.warnings]
        if cfa.weak_items:
            verb = "remain" if cfa.dropped else "are"
            warnings.append(
                f"weak items (|std. loading| < {options.loading_threshold:g}) {verb}: "
                + ", ".join(cfa.weak_items)
                + ("" if cfa.dropped else "; --drop-weak refits without them"))
        if cfa.dropped:
            warnings.append("dropped before the final fit (--drop-weak): "
                            + ", ".join(cfa.dropped))
            constructs = {c: tuple(i for i in its if i not in cfa.dropped)
                          for c, its in constructs.items()}
    paths = []
    if "paths" in wanted and cb:
        result, full_fit = run_cb_paths(items, constructs, spec, options.max_iter)
        if options.se == "bootstrap" and options.bootstrap > 0 and len(result.paths):
            from cxsurvey.stats.cb.bootstrap import bootstrap_paths

            result = bootstrap_paths(items, constructs, spec, result,
                                     n_boot=options.bootstrap, seed=options.seed,
                                     start=full_fit)
        warnings += [f"paths: {w}" for w in result.warnings]
        paths.append(result)
    pls = None
    if options.method in ("pls", "both") and ("paths" in wanted or "cfa" in wanted):
        from cxsurvey.stats.pls.run import run_pls

        pls, pls_paths = run_pls(items, constructs, spec, n_boot=options.bootstrap or 5000,
                                 seed=options.seed, scheme=options.scheme,
                                 missing="mean" if options.missing == "mean" else "listwise",
                                 progress=progress)
        warnings += [f"PLS: {w}" for w in pls.warnings]
        if spec.regressions:
            paths.append(pls_paths)
    return cfa, pls, paths, warnings


def _with_rho_a(rel, pls):
    """Reliability table with Dijkstra-Henseler's rho_A from the PLS model."""
    from dataclasses import replace

    cons = rel.constructs.copy()
    by = pls.reliability.set_index("construct")["rho_a"]
    cons["rho_a"] = [float(by.get(c, np.nan)) for c in cons["construct"]]
    return replace(rel, constructs=cons)


def _with_cfa_composites(rel, cfa):
    """Reliability table with CR/AVE from the CFA's standardised loadings."""
    from dataclasses import replace

    cons = rel.constructs.copy()
    by = cfa.reliability.set_index("construct")
    for col in ("rho_c", "ave"):
        cons[col] = [float(by[col].get(c, np.nan)) for c in cons["construct"]]
    return replace(rel, constructs=cons, composite_source="cfa")


def run(survey_path: str | Path, model_path: str | Path | None = None,
        sections: Iterable[str] = FOUNDATION, options: Options | None = None,
        progress=None, rules=None) -> Results:
    """Read ``survey_path`` and run ``sections``: the whole pipeline.

    ``progress(done, total)`` is called during long bootstraps (for a progress bar).
    ``rules`` is a :class:`~cxsurvey.gates.rules.RuleSet` to check the results
    against, or a callable that takes the survey's :class:`SurveyModel` and returns one
    (so a model file's ``[checks]`` table can take part).
    """
    survey = read(survey_path, model_path)
    if callable(rules):
        rules = rules(survey.model)
    return analyse(survey, sections, options, progress, rules)


def _warnings(survey: Survey, desc, rel) -> list[str]:
    out: list[str] = []
    if desc is not None:
        for item in desc.zero_variance:
            out.append(f"item '{item}' has no variance (every answer is the same); "
                       "it cannot be tested for normality or correlated")
        if len(desc.straightliners):
            rows = ", ".join(str(r) for r in desc.straightliners["row"].head(10))
            more = " ..." if len(desc.straightliners) > 10 else ""
            out.append(f"{len(desc.straightliners)} straightliner(s) (same answer to every "
                       f"item) at file row(s) {rows}{more}")
    if rel is not None:
        suspects = rel.items[rel.items["reverse_suspect"]]
        for r in suspects.itertuples():
            out.append(f"item '{r.item}' runs against the rest of '{r.construct}' (loading "
                       f"{r.loading:.2f}, item-total r {r.item_total_r:.2f}): is it "
                       "reverse-coded? Declare it under [data] reverse.")
        others = rel.items[(rel.items["item_total_r"] < 0) & ~rel.items["reverse_suspect"]]
        if len(others):
            out.append("negative corrected item-total r, probably because other items of the "
                       "construct are reverse-coded: " + ", ".join(others["item"]))
        out.extend(rel.notes)
    empty = int(survey.items.isna().all(axis=1).sum())
    if empty:
        out.append(f"{empty} row(s) have no answer to any item")
    if survey.scale_source == "inferred":
        out.append(f"scale {survey.scale[0]}-{survey.scale[1]} inferred from the answers; "
                   "set [data] scale in a model file to check the range")
    return out


def _meta(survey: Survey, n_used: int, options: Options) -> dict:
    raw = survey.raw
    return {
        "file": raw.path,
        "sha256": sha256_of(raw.path),
        "sheet": raw.sheet,
        "n_rows": survey.n_rows,
        "n_used": n_used,
        "missing_policy": options.missing,
        "items": list(survey.items.columns),
        "constructs": {c: list(its) for c, its in survey.constructs.items()},
        "scale": list(survey.scale),
        "scale_source": survey.scale_source,
        "model": survey.model.source,
        "model_inferred": survey.model.inferred,
        "recoded": survey.recoded,
        "read": {k: v for k, v in raw.details.items() if v is not None},
        "version": __version__,
        "seed": options.seed,
        "options": asdict(options),
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "dependencies": dependency_versions(),
    }
