"""One run: read the survey, run the requested analyses, collect :class:`Results`.

This is the API behind the CLI commands (and usable from Python); it reads files but
prints nothing and never exits.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from pathlib import Path

import numpy as np

from cxsurvey import __version__
from cxsurvey.app.plan import plan
from cxsurvey.app.quality import exclusion_meta, exclusion_warning, screen_survey, without_flagged
from cxsurvey.errors import AnalysisError, InputError, Location
from cxsurvey.gates.evaluate import evaluate
from cxsurvey.gates.resolve import resolve_rules
from cxsurvey.gates.rules import RULE_SETS, RuleSet
from cxsurvey.gates.verdicts import Verdicts
from cxsurvey.io import load_survey
from cxsurvey.io.prepare import Survey, prepare
from cxsurvey.io.readers import read_table
from cxsurvey.model import load_model
from cxsurvey.model.infer import construct_titles
from cxsurvey.model.platform_items import platform_items
from cxsurvey.model.spec import DataSpec, ModelSpec, SurveyModel
from cxsurvey.narrative import checks_sentence, summarise
from cxsurvey.options import (
    Estimator,
    Method,
    Missing,
    Options,
    ReadLimits,
    Section,
    SeMethod,
    choice,
)
from cxsurvey.results import Results, RunMeta
from cxsurvey.stats.missing import n_complete

__all__ = ["FOUNDATION", "Options", "analyse", "propose", "propose_model", "read", "run",
           "run_command"]

FOUNDATION = (Section.describe, Section.normality, Section.reliability)
_DEPENDENCIES = ("numpy", "pandas", "scipy", "statsmodels", "semopy", "openpyxl",
                 "pyreadstat", "rich", "typer")


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


def read(survey_path: str | Path, model_path: str | Path | None = None,
         limits: ReadLimits | None = None) -> Survey:
    """Read and recode a survey with its model file (or an inferred model); ``limits``
    bound a workbook (checked before it is parsed)."""
    model: SurveyModel | None = load_model(model_path) if model_path else None
    return load_survey(survey_path, model, limits=limits)


_ID_NAMES = ("respondentid", "respondent_id", "respondent id", "respondent", "responseid",
             "response_id", "id", "caseid", "case_id", "participant", "participantid",
             "participant_id", "#")


def propose_model(survey_path: str | Path, limits: ReadLimits | None = None) -> SurveyModel:
    """A model file's content inferred from a survey, for ``cxsurvey init``.

    See :func:`propose`, which also returns the constructs' question titles.
    """
    return propose(survey_path, limits)[0]


def propose(survey_path: str | Path, limits: ReadLimits | None = None,
            ) -> tuple[SurveyModel, dict[str, str]]:
    """The model proposed for a survey and each construct's question title.

    Constructs come from the column names (``Att1, Att2``; Qualtrics' ``Q5_1, Q5_2``);
    Google Forms grid columns ``Title [Row]``, SurveyMonkey matrix rows ``Question |
    Row``, LimeSurvey sub-questions ``G01Q01[SQ001]``, Microsoft Forms statements
    ``Title.Statement`` and Typeform matrix rows ``Question - Row`` get short names in
    ``[data.items]``, one construct per question
    (:func:`cxsurvey.model.platform_items.platform_items`); metadata columns of these
    platforms are never items. A likelihood-to-recommend question with 0-10 answers
    (:mod:`cxsurvey.model.recommend`) is no item of a construct: it becomes ``[metrics]
    nps`` with ``[data.scales] <name> = [0, 10]``. The scale comes from the answers
    (labels, SPSS value labels, or the observed range); numbers outside a standard
    Likert range (such as 99) are proposed as missing codes; a column named like an
    identifier (``RespondentID``, ``id``, ``ResponseId``, ``#``) with unique values is
    proposed as ``id``. The titles come from the platform's question titles or the
    question-text row under a Qualtrics header. ``limits`` bound a workbook.
    """
    from cxsurvey.model.recommend import recommend_entries

    raw = read_table(survey_path, limits=limits)
    columns = {str(c): c for c in raw.frame.columns}
    items, titles = platform_items(list(columns))
    named = {ref.text for ref in items.values()}
    rec_items, metrics, scales = recommend_entries(
        [c for c in columns if c not in named], lambda c: raw.frame[columns[c]].tolist(),
        raw.descriptions, items)
    base = SurveyModel(data=DataSpec(items={**items, **rec_items}, scales=scales),
                       model=ModelSpec(syntax=""), inferred=True, metrics=metrics)
    sv = prepare(raw, base, check_range=False)
    raw = sv.raw
    used = {i for its in sv.constructs.values() for i in its}
    found = sv.recoded.get("out_of_range_codes") or []
    codes = sorted(found) if isinstance(found, (list, tuple, set)) else []
    id_col = None
    for col in raw.frame.columns:
        if str(col).strip().lower() in _ID_NAMES and raw.frame[col].is_unique:
            id_col = str(col)
            break
    header_row = raw.details.get("header_row")
    data = replace(sv.model.data, sheet=raw.sheet, scale=sv.scale, id=id_col,
                   header_row=header_row if isinstance(header_row, int) and header_row != 1
                   else None,
                   missing=tuple(codes) or sv.model.data.missing,
                   items={k: v for k, v in base.data.items.items()
                          if k in used or k in scales})
    found_titles = construct_titles(sv.constructs, sv.questions)
    found_titles.update({c: t for c, t in titles.items() if c in sv.constructs})
    return replace(sv.model, data=data), found_titles


def release_memory() -> None:
    """Give the heap pages freed by an analysis back to the operating system.

    glibc's allocator keeps freed memory for reuse, so a run over a million respondents
    would otherwise carry the temporaries of each step into the next (``malloc_trim(3)``).
    Elsewhere (macOS, Windows, musl) this does nothing.
    """
    import ctypes
    import ctypes.util

    with contextlib.suppress(OSError, AttributeError, TypeError):
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)


def analyse(survey: Survey, sections: Iterable[Section | str] = FOUNDATION,
            options: Options | None = None, progress=None, rules: RuleSet | None = None,
            gate: bool = False) -> Results:
    """Run ``sections`` on a recoded survey and collect the results.

    ``rules`` (a :class:`~cxsurvey.gates.rules.RuleSet`; default: the ``default`` set)
    judges every number of the run: table flags, Excel highlights, HTML shading and the
    summary. With ``gate`` the results are also checked against it (``Results.checks``)
    and the summary ends with a sentence about the checks.
    """
    options = options or Options()
    wanted = {choice(Section, x, "section").value for x in sections}
    quality = None
    release_memory()  # what reading and recoding freed
    if "describe" in wanted or options.exclude_flagged:
        quality = screen_survey(survey)
        release_memory()
        if options.exclude_flagged:
            quality = replace(quality, excluded=True)
            survey = without_flagged(survey, quality)
    items, constructs = survey.items, survey.constructs
    rows = survey.raw.row_array()
    desc = norm = rel = None
    # each analysis imports what it needs (scipy.stats alone costs ~0.8 s of start-up)
    if "describe" in wanted:
        from cxsurvey.stats.items.describe import describe

        desc = describe(items, constructs, survey.scale, rows, survey.ids, survey.answers,
                        survey.scales)
        release_memory()
    # "mean" (replacement) exists for PLS only; the other analyses then work listwise
    basic_missing = "pairwise" if options.missing is Missing.pairwise else "listwise"
    if "normality" in wanted:
        from cxsurvey.stats.items.normality import normality

        norm = normality(items, constructs, basic_missing, options.alpha)
        release_memory()
    if "reliability" in wanted:
        from cxsurvey.stats.items.reliability import reliability

        rel = reliability(items, constructs, basic_missing)
        release_memory()
    cfa = pls = None
    paths: list = []
    extra_warnings: list[str] = []
    poly = None
    if "polychoric" in wanted:
        from cxsurvey.app.ordinal import polychoric_section

        poly, poly_warnings = polychoric_section(survey, basic_missing)
        extra_warnings += poly_warnings
    if options.estimator is Estimator.auto:
        options, said = _auto_estimator(items, constructs, norm, basic_missing, options)
        extra_warnings.append(said)
    if "cfa" in wanted or "paths" in wanted:
        cfa, pls, paths, structural = _structural(survey, wanted, options, progress)
        extra_warnings += structural
        if cfa is not None and rel is not None:
            rel = _with_cfa_composites(rel, cfa)
        if pls is not None and rel is not None:
            rel = _with_rho_a(rel, pls)
    groups = None
    if options.group is not None:
        from cxsurvey.app.groups import group_analyses

        groups = group_analyses(survey, options, cb=options.method.runs_cb and (
            "cfa" in wanted or "paths" in wanted), pls=pls is not None,
            paths="paths" in wanted, constructs=_used_constructs(cfa, constructs))
        extra_warnings += list(groups.warnings)
    n_used = n_complete(items)
    md = None
    if options.missing is Missing.fiml and (cfa is not None or any(
            p.method == "cb" for p in paths)):
        md, said = _missing_data(survey, options.method.runs_pls)
        extra_warnings += said
    warnings = (list(survey.warnings) + _warnings(survey, desc, rel)
                + _listwise_loss(survey, options) + extra_warnings)
    warnings += exclusion_warning(quality) if quality is not None else []
    collinearity = None
    if rel is not None and len(constructs) >= 2:
        from cxsurvey.stats.items.collinearity import construct_scores, full_collinearity_vif

        collinearity = full_collinearity_vif(construct_scores(items, dict(constructs)))
    meta = _meta(survey, n_used, options)
    if (item_scales := _item_scales(survey)) is not None:
        meta["scales"] = item_scales
    if quality is not None and quality.excluded:
        meta["excluded"] = exclusion_meta(quality) or {}
    verdicts = Verdicts(rules or RULE_SETS["default"])
    findings = Results(descriptives=desc, normality=norm, reliability=rel, cfa=cfa, pls=pls,
                       paths=tuple(paths), collinearity=collinearity, data_quality=quality,
                       metrics=_metrics(survey) if "describe" in wanted else None,
                       missing_data=md, polychoric=poly,
                       **({} if groups is None else {
                           "segments": groups.segments, "invariance": groups.invariance,
                           "group_paths": groups.group_paths, "mga": groups.mga}))
    summary = summarise(findings, verdicts, survey.n_rows, n_used)
    res = replace(findings, meta=meta, warnings=tuple(warnings), summary=tuple(summary),
                  verdicts=verdicts)
    if gate:
        checks = evaluate(res, verdicts.rules)
        res = replace(res, checks=checks, summary=res.summary + (checks_sentence(checks),))
    return res


def _used_constructs(cfa, constructs):
    """The constructs the run's models used: without the items ``--drop-weak`` dropped."""
    if cfa is None or not getattr(cfa, "dropped", ()):
        return dict(constructs)
    return {c: tuple(i for i in its if i not in cfa.dropped) for c, its in constructs.items()}


def _auto_estimator(items, constructs, norm, missing: str, options: Options,
                    ) -> tuple[Options, str]:
    """``--estimator auto``: MLR when Mardia's test (skewness or kurtosis, p below the
    run's alpha) rejects multivariate normality for any construct, else ML; and the
    sentence that says which and why."""
    if norm is None:
        from cxsurvey.stats.items.normality import normality

        norm = normality(items, constructs, missing, options.alpha)
    mv = norm.multivariate
    alpha = options.alpha
    rejected = mv[(mv["skewness_pvalue"] < alpha) | (mv["kurtosis_pvalue"] < alpha)]
    if len(rejected):
        chosen, why = Estimator.mlr, (
            f"Mardia's test rejects multivariate normality for {len(rejected)}/{len(mv)} "
            f"construct(s) (p < {alpha:g})")
    else:
        chosen, why = Estimator.ml, (
            "Mardia's test does not reject multivariate normality for any construct"
            if len(mv) else "no construct has two items for Mardia's test")
    return (replace(options, estimator=chosen),
            f"--estimator auto chose {chosen.lavaan}: {why}")


def _structural(survey: Survey, wanted: set[str], options: Options, progress=None):
    """CFA and covariance-based paths (method cb), PLS-SEM (method pls), or both."""
    cb = options.method.runs_cb
    items, constructs = survey.items, dict(survey.constructs)
    spec = survey.model.model
    warnings: list[str] = []
    cfa = None
    ordered = None
    if cb and ("cfa" in wanted or "paths" in wanted or options.drop_weak):
        try:
            _check_pls_only_model(spec)
        except InputError as exc:  # name the model file
            if not exc.location.file and survey.model.source:
                exc.location = replace(exc.location, file=survey.model.source)
            raise
    if cb:
        ordered = _check_ordered(options, constructs)
        from cxsurvey.stats.cb.cfa import run_cfa
        from cxsurvey.stats.cb.paths import run_cb_paths
    if cb and ("cfa" in wanted or options.drop_weak):
        n_boot = (options.bootstrap if options.se is SeMethod.bootstrap and "cfa" in wanted
                  else 0)
        cfa = run_cfa(items, constructs, spec, options.loading_threshold, options.drop_weak,
                      n_boot=n_boot, seed=options.seed, max_iter=options.max_iter,
                      estimator=options.estimator.lavaan, missing=_cb_missing(options),
                      scales=_wlsmv_scales(survey, options), ordered=ordered)
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
        result, full_fit = run_cb_paths(items, constructs, spec, options.max_iter,
                                        options.estimator.lavaan, _cb_missing(options),
                                        _wlsmv_scales(survey, options), ordered)
        if options.se is SeMethod.bootstrap and options.bootstrap > 0 and len(result.paths):
            from cxsurvey.stats.cb.bootstrap import bootstrap_paths

            result = bootstrap_paths(items, constructs, spec, result,
                                     n_boot=options.bootstrap, seed=options.seed,
                                     start=full_fit)
        if cfa is None and full_fit is not None and options.estimator is not Estimator.wlsmv:
            # no CFA: the structural model's MIs (of the ML likelihood: none for WLSMV)
            result = _with_modindices(result, full_fit,
                                      items if options.missing is Missing.fiml else None)
        warnings += [f"paths: {w}" for w in result.warnings]
        paths.append(result)
    pls = None
    if options.method.runs_pls and ("paths" in wanted or "cfa" in wanted):
        from cxsurvey.stats.pls.guidelines import consistent_report, pls_guidelines
        from cxsurvey.stats.pls.run import run_pls_model

        pls_missing = "mean" if options.missing is Missing.mean else "listwise"
        if spec.interactions or spec.higher_order:
            pls, pls_paths = _pls_extended(items, constructs, spec, options, pls_missing,
                                           progress)
            warnings += [f"PLS: {w}" for w in pls.warnings]
        else:
            run = run_pls_model(items, constructs, spec, n_boot=options.bootstrap or 5000,
                                seed=options.seed, scheme=options.scheme.value,
                                missing=pls_missing, progress=progress, keep_moments=True)
            pls, pls_paths = run.pls, run.paths
            guide = pls_guidelines(items, constructs, spec, n_boot=options.bootstrap or 5000,
                                   seed=options.seed, scheme=options.scheme.value,
                                   missing=pls_missing, consistent=options.consistent,
                                   ipma_target=options.ipma_target, scales=survey.scales,
                                   moments=run.moments)
            if guide.plsc is not None:
                pls, pls_paths = consistent_report(guide.plsc, pls, pls_paths)
            pls = replace(pls, guidelines=guide)
            warnings += [f"PLS: {w}" for w in pls.warnings]
            warnings += [f"PLS: {w}" for w in guide.warnings]
        if spec.regressions:
            paths.append(pls_paths)
    return cfa, pls, paths, warnings


def _check_pls_only_model(spec) -> None:
    """Refuse, for covariance-based models, what only the PLS side estimates: interaction
    terms and higher-order constructs."""
    from cxsurvey.model.syntax import check_cb_syntax

    check_cb_syntax(spec)
    if spec.higher_order:
        raise InputError(f"the higher-order construct(s) {', '.join(spec.higher_order)} are "
                         "estimated by PLS-SEM here, not by the covariance-based models",
                         Location(), "Use --method pls.")


def _pls_extended(items, constructs, spec, options: Options, missing: str, progress):
    """PLS of a model with interaction terms or higher-order constructs: the moderation
    and higher-order results ride on the PLS report; PLSpredict, model fit, IPMA and PLSc
    are not run for such models (said)."""
    from cxsurvey.stats.pls.run import run_pls_model

    if options.consistent or options.ipma_target is not None:
        raise InputError("--consistent and --ipma-target are not available for models "
                         "with interaction terms or higher-order constructs", Location(),
                         "Leave them out, or estimate the model without those terms.")
    full = {**constructs, **{c: tuple(its) for c, its in spec.higher_order.items()}}
    run = run_pls_model(items, full, spec, n_boot=options.bootstrap or 5000,
                        seed=options.seed, scheme=options.scheme.value, missing=missing,
                        progress=progress, interaction_method=options.interaction_method,
                        hoc_method=options.hoc_method)
    skipped = ("PLSpredict, model fit and the IPMA are not computed for models with "
               "interaction terms or higher-order constructs")
    pls = replace(run.pls, moderation=run.moderation, higher_order=run.higher_order,
                  warnings=run.pls.warnings + (skipped,))
    return pls, run.paths


def _check_ordered(options: Options, constructs: Mapping[str, Iterable[str]]
                   ) -> tuple[str, ...] | None:
    """The ordinal items of a WLSMV run (lavaan's ``ordered``): None for every model item,
    else the listed ones (the model's other items are continuous indicators); a name
    that is not a model item is refused."""
    if not options.ordered or options.ordered == ("all",):
        return None
    items = list(dict.fromkeys(i for its in constructs.values() for i in its))
    unknown = [x for x in options.ordered if x not in items]
    if unknown:
        raise InputError(f"--ordered names {', '.join(repr(x) for x in unknown)}, not "
                         "an item of the model", Location(),
                         f"Use --ordered all or item names of the model ({_few(items)}).")
    return tuple(options.ordered)


def _with_modindices(result, fit, fiml_data=None):
    """``result`` with the modification indices of the structural model's ``fit``
    (lavaan's ``modindices``; of the FIML likelihood when ``fiml_data`` is given), or
    a warning saying why there are none."""
    from functools import partial

    from cxsurvey.stats.cb.fiml import fiml_modification_indices
    from cxsurvey.stats.cb.modindices import try_modification_indices

    mi, failed = try_modification_indices(
        fit, None if fiml_data is None else partial(fiml_modification_indices,
                                                    data=fiml_data))
    if failed:
        return replace(result, warnings=result.warnings + (failed,))
    return replace(result, modification_indices=mi)


def _metrics(survey: Survey):
    """The ``[metrics]`` of the survey (None without a ``[metrics]`` table)."""
    spec = survey.model.metrics
    if not spec:
        return None
    from cxsurvey.stats.metrics import cx_metrics

    frame = survey.items
    if survey.extra_items is not None:
        frame = frame.join(survey.extra_items)
    return cx_metrics(frame, spec, survey.scales)


def _with_rho_a(rel, pls):
    """Reliability table with Dijkstra-Henseler's rho_A from the PLS model."""
    cons = rel.constructs.copy()
    by = pls.reliability.set_index("construct")["rho_a"]
    cons["rho_a"] = [float(by.get(c, np.nan)) for c in cons["construct"]]
    return replace(rel, constructs=cons)


def _with_cfa_composites(rel, cfa):
    """Reliability table with CR/AVE from the CFA's standardised loadings."""
    cons = rel.constructs.copy()
    by = cfa.reliability.set_index("construct")
    for col in ("rho_c", "ave"):
        cons[col] = [float(by[col].get(c, np.nan)) for c in cons["construct"]]
    return replace(rel, constructs=cons, composite_source="cfa")


def run(survey_path: str | Path, model_path: str | Path | None = None,
        sections: Iterable[Section | str] = FOUNDATION, options: Options | None = None,
        progress: Callable[[int, int], object] | None = None, *,
        rules: str | RuleSet | None = None, flags: Mapping[str, float | None] | None = None,
        gate: bool = False) -> Results:
    """Read ``survey_path`` and run ``sections``: the whole pipeline, from Python.

    Parameters
    ----------
    survey_path, model_path : path
        The survey export and its model file (``None``: inferred from the columns).
    sections : iterable of Section
        The analyses to run.
    options : Options
    progress : callable, optional
        ``progress(done, total)`` during long bootstraps (for a progress bar).
    rules : str or RuleSet, optional
        A built-in rule set's name or a rules file; with the model file's ``[checks]``
        and ``flags`` it makes the run's one rule set (see
        :func:`cxsurvey.gates.resolve.resolve_rules`). A :class:`RuleSet` is used as is.
    gate : bool
        Check the results against the rule set (``Results.checks``).
    """
    survey = read(survey_path, model_path, (options or Options()).limits)
    ruleset = _rule_set(survey, rules, flags)
    return analyse(survey, sections, options, progress, ruleset, gate)


def run_command(command: str, survey_path: str | Path, model_path: str | Path | None = None,
                *, method: Method | str = Method.auto, options: Options | None = None,
                rules: str | None = None, flags: Mapping[str, float | None] | None = None,
                gate: bool = False,
                progress: Callable[[int, int], object] | None = None,
                extra: Iterable[Section | str] = ()) -> Results:
    """What the ``command`` of the command line runs: its plan
    (:func:`cxsurvey.app.plan.plan`) for ``method``, then :func:`analyse`.

    ``options.method`` is set from the plan; ``extra`` adds opt-in sections (``analyze
    --polychoric``); the other parameters are those of :func:`run`.
    """
    survey = read(survey_path, model_path, (options or Options()).limits)
    ruleset = _rule_set(survey, rules, flags)
    chosen = plan(command, method, model_path is not None, ruleset, gate, extra)
    options = replace(options or Options(), method=chosen.method)
    options.check_pls_only()
    try:
        return analyse(survey, chosen.sections, options, progress, ruleset, gate)
    except AnalysisError as exc:  # name the files the analysis could not be computed on
        if not exc.location.file:
            exc.location = replace(exc.location, file=str(survey_path) + (
                f" (model {model_path})" if model_path is not None else ""))
        raise


def _rule_set(survey: Survey, rules: str | RuleSet | None,
              flags: Mapping[str, float | None] | None) -> RuleSet:
    if isinstance(rules, RuleSet):
        return rules
    return resolve_rules(rules, survey.model, flags)


LISTWISE_LOSS = 0.2
"""Listwise deletion that drops more than this share of respondents gets a hint."""


def _missing_data(survey: Survey, pls: bool = False):
    """Coverage and patterns of the model's items, and what FIML users must hear: the
    rows the CB models use, and pairs of items too rarely answered together."""
    from cxsurvey.stats.missing import missing_data

    items = [i for its in dict(survey.constructs).values() for i in its]
    md = missing_data(survey.items, list(dict.fromkeys(items)))
    said = [f"--missing fiml: the CB models use {md.n_used} of {md.n_rows} respondents "
            f"(every one with an answer; {md.n_complete} answered every item); the item "
            "analyses (normality, reliability, HTMT)" + (" and PLS" if pls else "")
            + " use the complete rows"]
    if md.min_coverage < 0.10:
        said.append(f"some pairs of items are answered together by fewer than 10% of the "
                    f"respondents (lowest {md.min_coverage:.1%}); FIML estimates of their "
                    "covariances rest on very few answers")
    return md, said


def _wlsmv_scales(survey: Survey, options: Options):
    """Under WLSMV, the items' declared scale points (to name the points nobody chose);
    else None."""
    if options.estimator is not Estimator.wlsmv:
        return None
    from cxsurvey.app.ordinal import scale_points

    return scale_points(survey)


def _cb_missing(options: Options) -> str:
    """How the CB models treat missing answers: ``fiml``, ``pairwise`` (WLSMV's pairwise
    polychoric statistics) or ``listwise``."""
    if options.missing is Missing.fiml:
        return "fiml"
    if options.missing is Missing.pairwise and options.estimator is Estimator.wlsmv:
        return "pairwise"
    return "listwise"


def _listwise_loss(survey: Survey, options: Options) -> list[str]:
    """A hint when listwise deletion leaves far fewer respondents than answered."""
    if options.missing is not Missing.listwise or survey.items.empty:
        return []
    n_rows = survey.n_rows
    complete = n_complete(survey.items)
    if n_rows == 0 or complete >= (1 - LISTWISE_LOSS) * n_rows:
        return []
    per_item = int(survey.items.notna().sum().median())
    return [f"listwise deletion keeps {complete} of {n_rows} respondents (those who answered "
            f"every item) for the tests that use all items; --missing pairwise would use "
            f"each item's own answers, about {per_item} per item"]


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
    notes = survey.raw.details.get("notes_below_data")
    if notes:
        out.append(f"{notes} row(s) below the data hold notes or blank lines, not answers; "
                   "they are not counted as respondents")
    empty = int(survey.items.isna().all(axis=1).sum())
    if empty:
        out.append(f"{empty} row(s) have no answer to any item")
    if survey.scale_source == "inferred":
        out.append(f"scale {survey.scale[0]}-{survey.scale[1]} inferred from the answers; "
                   "set [data] scale in a model file to check the range")
        out += _mixed_scale_warning(survey)
    return out


def _mixed_scale_warning(survey: Survey) -> list[str]:
    """A hint when an inferred scale of 10+ points spans short-scale Likert items (a 0-10
    recommend item beside 5-point items): their top-2 box and reverse keys would be wrong.
    Continuous scores (not whole numbers) are left alone."""
    lo, hi = survey.scale
    shared = [i for i in survey.items.columns if survey.scales.get(i, survey.scale) == (lo, hi)]
    top = survey.items[shared].max()
    short = [str(i) for i, v in top.items() if v <= 7]
    long = [str(i) for i, v in top.items() if v > 7]
    if hi - lo < 9 or not short or not long:
        return []
    values = survey.items[shared].to_numpy(dtype=float)
    if not bool(np.all(np.mod(values[np.isfinite(values)], 1) == 0)):
        return []
    return [f"the scale {lo}-{hi} was inferred from all answers, but {len(short)} item(s) "
            f"never go above {int(top[short].max())} ({_few(short)}): their top-2 box and "
            f"reverse keys use {lo}-{hi}. Give the long item(s) their own range under "
            f"[data.scales] (e.g. {long[0]} = [{lo}, {hi}]) or set [data] scale."]


def _few(names: list[str], limit: int = 5) -> str:
    return ", ".join(names[:limit]) + (" ..." if len(names) > limit else "")


def _item_scales(survey: Survey) -> dict[str, list[int]] | None:
    """Item -> ``[min, max]`` when the items' scales differ, else None."""
    if len(set(survey.scales.values()) | {survey.scale}) <= 1:
        return None
    return {item: list(s) for item, s in survey.scales.items()}


def _meta(survey: Survey, n_used: int, options: Options) -> RunMeta:
    raw = survey.raw
    questions = {item: text for item, text in survey.questions.items()
                 if text and text.strip() != item}
    return {
        "file": raw.path,
        "sha256": sha256_of(raw.path),
        "sheet": raw.sheet,
        "n_rows": survey.n_rows,
        "n_used": n_used,
        "missing_policy": options.missing.value,
        "items": list(survey.items.columns),
        "constructs": {c: list(its) for c, its in survey.constructs.items()},
        **({"questions": questions} if questions else {}),
        "scale": list(survey.scale),
        "scale_source": survey.scale_source,
        "model": survey.model.source,
        "model_inferred": survey.model.inferred,
        "recoded": survey.recoded,
        "read": {k: v for k, v in raw.details.items() if v is not None},
        "version": __version__,
        "estimator": options.estimator.lavaan,
        **({"ordered": list(options.ordered)}
           if options.ordered and options.ordered != ("all",) else {}),
        **({"group": {"column": options.group, "min_group_size": options.min_group_size}}
           if options.group is not None else {}),
        "seed": options.seed,
        "options": options.as_dict(),
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "dependencies": dependency_versions(),
    }
