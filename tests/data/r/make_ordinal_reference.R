# make_ordinal_reference.R -- lavaan / psych / semTools reference values for ordinal (Likert)
# data: polychoric correlations and thresholds, WLSMV CFA / SEM (DWLS estimates, robust
# standard errors, mean-and-variance adjusted test) and ordinal reliability (ordinal alpha,
# categorical omega). Writes tests/data/ordinal_reference.json.
#
# Run from the repository root:   Rscript tests/data/r/make_ordinal_reference.R
#
# Needs the Debian packages r-base-core, r-cran-lavaan, r-cran-psych, r-cran-semtools,
# r-cran-readxl and r-cran-jsonlite. The R, lavaan, psych, semTools, readxl and jsonlite versions
# used are written to the JSON under `meta`. The Python tests never need R: only the JSON is read.
#
# Data are read from the CSVs under tests/data/ (so Python tests use exactly the same rows); the
# script stops if any of them differs from its source:
#   bfi.csv              = psych::bfi (2800 rows; NA written as empty cells; the first column `id`
#                          holds psych's row names). Items A1..O5 (6 categories, 1..6) are used;
#                          2436 rows are complete on all 25 items.
#   cx_journey_items.csv = the 33 analysed five-point items of the bundled sample survey
#                          (157 respondents, no missing answers), written with cxsurvey's own
#                          reader so recodes / reverse keys are what cxsurvey analyses:
#                            .venv/bin/python -c "from cxsurvey.app.pipeline import read;
#                              sv = read('sample_surveys/cx_journey.xlsx',
#                                        'sample_surveys/cx_journey.toml');
#                              sv.items.astype(int).to_csv('tests/data/cx_journey_items.csv',
#                                                          index=False)"
#                          It is checked against sheet "Responses" of
#                          sample_surveys/cx_journey.xlsx (read with readxl; the clean sample has
#                          no recodes). Categories never used: Att5, Evalu1 and Evalu2 have no
#                          answer "1" (so 3 thresholds instead of 4); all other items use 1..5.
#                          527 / 528 item-pair tables have at least one empty cell (sparse, n=157).
#   The model syntax of the sample is taken from the [model] syntax = """...""" block of
#   sample_surveys/cx_journey.toml (the CFA keeps only its "=~" lines).
#
# Keys of the JSON (every result carries `call`, the R call that produced it):
#   meta                            versions, data files, bfi reverse keys, sample category counts.
#   timing                          system.time() of every lavaan / psych call below:
#                                   {name: {elapsed, user_self, user_child}} in seconds, rounded
#                                   to ms (this machine; informative only).
#   bfi_polychoric_lavcor           lavCor(bfi_items, ordered = names(bfi_items),
#                                   missing = "pairwise", se = "standard", output = "fit"):
#                                   lavaan 0.6-14 supports pairwise deletion for ordinal data
#                                   (thresholds from every available answer of an item; each
#                                   correlation from the rows complete on that pair), nobs 2800.
#   bfi_polychoric_lavcor_listwise  the same with missing = "listwise" (lavCor's default): 2436 rows.
#   bfi_polychoric_psych            psych::polychoric(bfi_items) (psych's defaults: pairwise, global
#                                   thresholds from each item's marginal, correct = 0.5 continuity
#                                   correction for empty cells, smooth = TRUE).
#   bfi_polychoric_psych_listwise   psych::polychoric(na.omit(bfi_items)) (same rows as the
#                                   listwise lavCor and as the WLSMV fits).
#   sample_polychoric_lavcor        lavCor on the sample items (no missing data: 157 rows).
#   sample_polychoric_psych         psych::polychoric on the sample items.
#     polychoric entries: names, cor = {names, colnames, matrix (row-major list of rows)},
#     thresholds = {item: [t1, t2, ...]} (only finite thresholds: psych reports -Inf for a
#     category nobody used; those are dropped so every list is strictly increasing), nobs;
#     lavCor entries add `estimates` (parameterEstimates rows for "|" and off-diagonal "~~":
#     lhs, op, rhs, est, se) and zero_cell_tables (how many item-pair tables have an empty cell;
#     lavInspect(fit, "zero.cell.tables")); psych entries add smoothed (TRUE when the matrix was
#     not positive definite and psych smoothed it), min_eigenvalue.
#   bfi_wlsmv_cfa                   cfa(model, data = bfi_items, ordered = TRUE, estimator = "WLSMV")
#                                   agree =~ A1..A5; consc =~ C1..C5; extra =~ E1..E5;
#                                   neuro =~ N1..N5; open =~ O1..O5 (items as stored, so A1, C4,
#                                   C5, E1, E2, O2, O5 load negatively). missing: lavaan's default
#                                   for WLSMV = listwise (nobs 2436).
#   bfi_wlsmv_cfa_pairwise          the same with missing = "pairwise" (nobs 2800).
#   bfi_keyed_wlsmv_cfa             the same model on reverse-keyed items (7 - x for A1, C4, C5, E1,
#                                   E2, O2, O5; psych's bfi.keys), listwise: the fit whose omega is
#                                   meaningful (composite reliability of a sum with negative
#                                   loadings is not).
#   bfi_wlsmv_sem                   sem(model, data = bfi_keyed, ordered = TRUE, estimator = "WLSMV")
#                                   (reverse-keyed items, so every factor is scored in the trait's
#                                   direction and the paths / omega are interpretable):
#                                       agree =~ A1 + A2 + A3 + A4 + A5
#                                       extra =~ E1 + E2 + E3 + E4 + E5
#                                       consc =~ C1 + C2 + C3 + C4 + C5
#                                       neuro =~ N1 + N2 + N3 + N4 + N5
#                                       consc ~ a*agree + b*extra
#                                       neuro ~ c*consc
#                                       ind_agree := a*c
#                                       ind_extra := b*c
#                                   (listwise on the 20 items used.)
#   sample_wlsmv_cfa                the sample's 8-construct CFA ("=~" lines of the model file),
#                                   cfa(..., ordered = TRUE, estimator = "WLSMV").
#   sample_wlsmv_sem                the sample's full model (measurement + the 7 regressions of the
#                                   model file), sem(..., ordered = TRUE, estimator = "WLSMV").
#     fit entries: call, model_syntax, estimator_requested, estimator / missing / se / test /
#     information / parameterization (lavaan's resolved options: WLSMV resolves to estimator DWLS,
#     se robust.sem, test scaled.shifted, delta parameterization), converged, ntotal (rows in the
#     data), nobs (lavInspect "nobs"), parameters (parameterEstimates(fit) rows incl. thresholds
#     (op "|") and := rows: lhs, op, rhs, label, est, se, z, pvalue, ci.lower, ci.upper, std.all
#     from standardizedSolution(fit) matched by lhs/op/rhs), fit_measures (the requested names that
#     lavaan reports; absent names skipped, NA -> null; lavaan 0.6-14's fitMeasures has no
#     chisq.shift.parameters, so the shift and the other test details are stored from
#     test_statistics = lavInspect(fit, "test") and baseline_test_statistics = fit@baseline$test:
#     {standard: {stat, df, pvalue, ...}, scaled.shifted: {stat, df, pvalue, trace.UGamma,
#     trace.UGamma2, scaling.factor, shift.parameter, scaled.test.stat, ...}}), sampstat = {cor: lavInspect(fit,
#     "sampstat")$cov (the polychoric matrix lavaan fits), thresholds: {item: [...]}},
#     gamma = {names, diagonal, block_10x10 (rows/cols = the first 10 names)} of
#     lavInspect(fit, "gamma") (the asymptotic covariance matrix of the sample statistics
#     lavInspect(fit, "wls.obs") as lavaan stores it; names = the wls.obs order: all thresholds,
#     then the below-diagonal polychoric correlations column by column, e.g. "A1~~A2"),
#     wls_v_diagonal (diag of lavInspect(fit, "wls.v"), the DWLS weights, same order),
#     zero_cell_tables, warnings (every warning message lavaan gave, verbatim), and
#     reliability = {compRelSEM_ord_scale_true: semTools::compRelSEM(fit) (ord.scale = TRUE:
#     categorical omega of Green & Yang 2009, i.e. the reliability of the sum of the observed
#     ordinal scores), compRelSEM_ord_scale_false: compRelSEM(fit, ord.scale = FALSE) (omega of
#     the sum of the latent responses, from loadings and the polychoric matrix), semTools_reliability:
#     semTools::reliability(fit) (deprecated in 0.5-6 but still reports alpha, alpha.ord,
#     omega, omega2, omega3, avevar per factor: {row: {factor: value}})}. compRelSEM on the SEM
#     fits is per latent variable as well.
#   bfi_ordinal_alpha               per bfi scale (reverse-keyed items as in bfi_keyed_wlsmv_cfa):
#                                   psych::alpha(psych::polychoric(x[, items])$rho) -- the ordinal
#                                   alpha of Zumbo, Gadermann & Zeisser (2007). polychoric on all
#                                   2800 rows (psych's pairwise default), alpha of a correlation
#                                   matrix (so raw_alpha == std.alpha).
#   sample_ordinal_alpha            the same per sample construct.
#     alpha entries: items, reversed, nobs, polychoric {names, colnames, matrix}, total
#     (raw_alpha, std.alpha, G6(smc), average_r, S/N, median_r) and alpha_drop (psych's
#     alpha.drop rows, one per item: raw_alpha, std.alpha, G6(smc), average_r, S/N, var.r, med.r).
# Numbers with 15 significant digits; NA / NaN / Inf -> null. Nothing is rounded or post-processed.

suppressPackageStartupMessages({
  library(lavaan)
  library(psych)
  library(semTools)
  library(jsonlite)
})

wanted_measures <- c(
  "npar", "fmin", "chisq", "df", "pvalue", "chisq.scaled", "df.scaled", "pvalue.scaled",
  "chisq.scaling.factor", "chisq.shift.parameters", "baseline.chisq", "baseline.df",
  "baseline.pvalue", "baseline.chisq.scaled", "baseline.df.scaled", "baseline.pvalue.scaled",
  "baseline.chisq.scaling.factor", "baseline.chisq.shift.parameters", "cfi", "tli",
  "cfi.scaled", "tli.scaled", "cfi.robust", "tli.robust", "rmsea", "rmsea.ci.lower",
  "rmsea.ci.upper", "rmsea.pvalue", "rmsea.scaled", "rmsea.ci.lower.scaled",
  "rmsea.ci.upper.scaled", "rmsea.pvalue.scaled", "rmsea.robust", "rmsea.ci.lower.robust",
  "rmsea.ci.upper.robust", "rmsea.pvalue.robust", "srmr", "srmr_bentler", "crmr", "wrmr")

# ---- data: the repository CSVs, checked against their sources --------------------------------
bfi_csv <- read.csv("tests/data/bfi.csv")
sample_csv <- read.csv("tests/data/cx_journey_items.csv")

same_numbers <- function(a, b, what) {
  a <- as.matrix(a); b <- as.matrix(b)
  storage.mode(a) <- "double"; storage.mode(b) <- "double"
  ok <- identical(dim(a), dim(b)) && isTRUE(all.equal(a, b, tolerance = 1e-7, check.attributes = FALSE))
  if (!ok) stop(what, " CSV differs from its source")
}
items <- c(paste0("A", 1:5), paste0("C", 1:5), paste0("E", 1:5), paste0("N", 1:5), paste0("O", 1:5))
same_numbers(bfi_csv[, items], psych::bfi[, items], "bfi")
stopifnot(all(bfi_csv$id == as.integer(rownames(psych::bfi))))
bfi_items <- bfi_csv[, items]
bfi_reversed <- c("A1", "C4", "C5", "E1", "E2", "O2", "O5")   # psych's bfi.keys
bfi_keyed <- bfi_items
for (v in bfi_reversed) bfi_keyed[[v]] <- 7 - bfi_keyed[[v]]
bfi_scales <- list(agree = paste0("A", 1:5), consc = paste0("C", 1:5), extra = paste0("E", 1:5),
                   neuro = paste0("N", 1:5), open = paste0("O", 1:5))

xlsx <- as.data.frame(readxl::read_excel("sample_surveys/cx_journey.xlsx", sheet = "Responses"))
stopifnot(ncol(sample_csv) == 33, nrow(sample_csv) == 157, !anyNA(sample_csv))
same_numbers(sample_csv, xlsx[, names(sample_csv)], "cx_journey_items")
sample_items <- sample_csv

# model syntax of the sample, from the model file
toml <- readLines("sample_surveys/cx_journey.toml")
start <- grep('^syntax = """', toml)
stop_ <- grep('^"""', toml)
stop_ <- stop_[stop_ > start][1]
sample_lines <- trimws(toml[(start + 1):(stop_ - 1)])
sample_lines <- sample_lines[nzchar(sample_lines)]
m_sample_sem <- paste0(paste(sample_lines, collapse = "\n"), "\n")
m_sample_cfa <- paste0(paste(grep("=~", sample_lines, value = TRUE), collapse = "\n"), "\n")
sample_constructs <- lapply(grep("=~", sample_lines, value = TRUE), function(l) {
  parts <- strsplit(l, "=~", fixed = TRUE)[[1]]
  list(name = trimws(parts[1]), items = trimws(strsplit(parts[2], "+", fixed = TRUE)[[1]]))
})
names(sample_constructs) <- vapply(sample_constructs, function(s) s$name, "")
sample_constructs <- lapply(sample_constructs, function(s) s$items)
stopifnot(length(sample_constructs) == 8,
          setequal(unlist(sample_constructs), names(sample_items)))

sample_counts <- lapply(sample_items, function(v) I(as.integer(table(factor(v, levels = 1:5)))))
sample_empty <- lapply(sample_counts, function(n) I(which(n == 0L)))
sample_empty <- sample_empty[vapply(sample_empty, length, 0L) > 0]

# ---- helpers ---------------------------------------------------------------------------------
timing <- list()
# evaluate expr (messages suppressed), collect its warnings and, when name is given, record its
# system.time under timing[[name]] in seconds rounded to ms (user_child: forked workers, e.g.
# psych's parallel polychoric)
timed <- function(name, expr) {
  warns <- character()
  tm <- system.time(value <- suppressMessages(withCallingHandlers(expr, warning = function(w) {
    warns <<- c(warns, conditionMessage(w))
    invokeRestart("muffleWarning")
  })))
  if (!is.null(name))
    timing[[name]] <<- list(elapsed = round(tm[["elapsed"]], 3), user_self = round(tm[["user.self"]], 3),
                            user_child = round(tm[["user.child"]], 3))
  list(value = value, warnings = I(warns))
}

matrix_json <- function(m) {
  m <- unclass(as.matrix(m))
  list(names = rownames(m), colnames = colnames(m),
       matrix = lapply(seq_len(nrow(m)), function(i) unname(m[i, ])))
}

# "A1|t1" ... -> list(A1 = c(t1, t2, ...)) in item order
thresholds_json <- function(th) {
  item <- sub("\\|t[0-9]+$", "", names(th))
  out <- lapply(split(unname(th), factor(item, levels = unique(item))), function(v) I(v))
  stopifnot(all(vapply(out, function(v) all(diff(v) > 0), TRUE)))
  out
}

# psych's tau matrix (items x categories-1, -Inf for an unused lowest category) -> finite lists
psych_tau_json <- function(tau) {
  out <- lapply(seq_len(nrow(tau)), function(i) {
    v <- unname(tau[i, ]); I(v[is.finite(v)])
  })
  names(out) <- rownames(tau)
  stopifnot(all(vapply(out, function(v) all(diff(v) > 0), TRUE)))
  out
}

zero_cells <- function(fit) {
  z <- lavInspect(fit, "zero.cell.tables")
  list(tables_with_empty_cell = length(z),
       tables = ncol(lavInspect(fit, "sampstat")$cov) * (ncol(lavInspect(fit, "sampstat")$cov) - 1) / 2)
}

lavcor_entry <- function(res, call, ntotal) {
  fit <- res$value
  ss <- lavInspect(fit, "sampstat")
  pe <- parameterEstimates(fit)
  pe <- pe[pe$op == "|" | (pe$op == "~~" & pe$lhs != pe$rhs), c("lhs", "op", "rhs", "est", "se")]
  rownames(pe) <- NULL
  list(call = call,
       missing = lavInspect(fit, "options")$missing,
       ntotal = ntotal,
       nobs = lavInspect(fit, "nobs"),
       names = colnames(ss$cov),
       cor = matrix_json(ss$cov),
       thresholds = thresholds_json(ss$th),
       estimates = pe,
       zero_cell_tables = zero_cells(fit),
       warnings = res$warnings)
}

psych_entry <- function(res, call, ntotal) {
  pc <- res$value
  ev <- eigen(pc$rho, symmetric = TRUE, only.values = TRUE)$values
  list(call = call,
       ntotal = ntotal,
       nobs = pc$n.obs,
       names = colnames(pc$rho),
       cor = matrix_json(pc$rho),
       thresholds = psych_tau_json(pc$tau),
       smoothed = any(grepl("smooth", res$warnings, ignore.case = TRUE)),
       min_eigenvalue = min(ev),
       warnings = res$warnings)
}

# lavInspect(fit, "test") / fit@baseline$test: one list per test, without attributes
tests_json <- function(tl) {
  if (is.null(tl)) return(NULL)
  lapply(unclass(tl), function(t) lapply(unclass(t), function(v) { attributes(v) <- NULL; v }))
}

reliability_json <- function(fit) {
  r_true <- timed(NULL, compRelSEM(fit, ord.scale = TRUE))
  r_false <- timed(NULL, compRelSEM(fit, ord.scale = FALSE))
  # reliability() cat()s a note on ordinal alpha; keep it out of the console
  utils::capture.output(rel <- timed(NULL, semTools::reliability(fit)))
  relm <- unclass(rel$value)
  list(
    compRelSEM_ord_scale_true = as.list(unlist(r_true$value)),
    compRelSEM_ord_scale_false = as.list(unlist(r_false$value)),
    semTools_reliability = lapply(setNames(seq_len(nrow(relm)), rownames(relm)),
                                  function(i) as.list(setNames(relm[i, ], colnames(relm)))),
    warnings = I(unique(c(r_true$warnings, r_false$warnings, rel$warnings))))
}

describe <- function(res, call, syntax, data_rows, requested) {
  fit <- res$value
  pe <- parameterEstimates(fit)
  if (!"label" %in% names(pe)) pe$label <- ""
  ss <- standardizedSolution(fit)
  key_pe <- paste(pe$lhs, pe$op, pe$rhs)
  key_ss <- paste(ss$lhs, ss$op, ss$rhs)
  pe$std.all <- ss$est.std[match(key_pe, key_ss)]
  fm <- fitMeasures(fit)
  fm <- fm[intersect(wanted_measures, names(fm))]
  opt <- lavInspect(fit, "options")
  st <- lavInspect(fit, "sampstat")
  wo <- lavInspect(fit, "wls.obs")
  g <- lavInspect(fit, "gamma")
  wv <- lavInspect(fit, "wls.v")
  stopifnot(identical(names(wo), rownames(g)), length(wo) == nrow(wv))
  k <- min(10, nrow(g))
  list(
    call = call,
    model_syntax = syntax,
    estimator_requested = requested,
    estimator = opt$estimator,
    missing = opt$missing,
    se = opt$se,
    test = opt$test,
    information = opt$information,
    parameterization = opt$parameterization,
    converged = lavInspect(fit, "converged"),
    ntotal = data_rows,
    nobs = lavInspect(fit, "nobs"),
    parameters = pe[, c("lhs", "op", "rhs", "label", "est", "se", "z", "pvalue",
                        "ci.lower", "ci.upper", "std.all")],
    fit_measures = as.list(unclass(fm)),
    test_statistics = tests_json(lavInspect(fit, "test")),
    baseline_test_statistics = tests_json(fit@baseline$test),
    sampstat = list(cor = matrix_json(st$cov), thresholds = thresholds_json(st$th)),
    gamma = list(names = rownames(g), diagonal = unname(diag(g)),
                 block_10x10 = matrix_json(g[1:k, 1:k])),
    wls_v_diagonal = unname(diag(wv)),
    zero_cell_tables = zero_cells(fit),
    warnings = res$warnings,
    reliability = reliability_json(fit)
  )
}

# ---- polychoric correlations -----------------------------------------------------------------
bfi_listwise <- na.omit(bfi_items)
out_poly <- list(
  bfi_polychoric_lavcor = lavcor_entry(
    timed("bfi_polychoric_lavcor", lavCor(bfi_items, ordered = names(bfi_items), missing = "pairwise",
                                          se = "standard", output = "fit")),
    "lavaan::lavCor(bfi_items, ordered = names(bfi_items), missing = 'pairwise', se = 'standard', output = 'fit')",
    nrow(bfi_items)),
  bfi_polychoric_lavcor_listwise = lavcor_entry(
    timed("bfi_polychoric_lavcor_listwise", lavCor(bfi_items, ordered = names(bfi_items), missing = "listwise",
                                                   se = "standard", output = "fit")),
    "lavaan::lavCor(bfi_items, ordered = names(bfi_items), missing = 'listwise', se = 'standard', output = 'fit')",
    nrow(bfi_items)),
  bfi_polychoric_psych = psych_entry(
    timed("bfi_polychoric_psych", psych::polychoric(bfi_items)),
    "psych::polychoric(bfi_items)", nrow(bfi_items)),
  bfi_polychoric_psych_listwise = psych_entry(
    timed("bfi_polychoric_psych_listwise", psych::polychoric(bfi_listwise)),
    "psych::polychoric(na.omit(bfi_items))", nrow(bfi_items)),
  sample_polychoric_lavcor = lavcor_entry(
    timed("sample_polychoric_lavcor", lavCor(sample_items, ordered = names(sample_items),
                                             se = "standard", output = "fit")),
    "lavaan::lavCor(sample_items, ordered = names(sample_items), se = 'standard', output = 'fit')",
    nrow(sample_items)),
  sample_polychoric_psych = psych_entry(
    timed("sample_polychoric_psych", psych::polychoric(sample_items)),
    "psych::polychoric(sample_items)", nrow(sample_items))
)

# ---- WLSMV fits ------------------------------------------------------------------------------
m_bfi <- paste0(
  "agree =~ A1 + A2 + A3 + A4 + A5\n",
  "consc =~ C1 + C2 + C3 + C4 + C5\n",
  "extra =~ E1 + E2 + E3 + E4 + E5\n",
  "neuro =~ N1 + N2 + N3 + N4 + N5\n",
  "open  =~ O1 + O2 + O3 + O4 + O5\n")
m_bfi_sem <- paste0(
  "agree =~ A1 + A2 + A3 + A4 + A5\n",
  "extra =~ E1 + E2 + E3 + E4 + E5\n",
  "consc =~ C1 + C2 + C3 + C4 + C5\n",
  "neuro =~ N1 + N2 + N3 + N4 + N5\n",
  "consc ~ a*agree + b*extra\n",
  "neuro ~ c*consc\n",
  "ind_agree := a*c\n",
  "ind_extra := b*c\n")

out_fit <- list(
  bfi_wlsmv_cfa = describe(
    timed("bfi_wlsmv_cfa", cfa(m_bfi, data = bfi_items, ordered = TRUE, estimator = "WLSMV")),
    "lavaan::cfa(model, data = bfi_items, ordered = TRUE, estimator = 'WLSMV')",
    m_bfi, nrow(bfi_items), "WLSMV"),
  bfi_wlsmv_cfa_pairwise = describe(
    timed("bfi_wlsmv_cfa_pairwise", cfa(m_bfi, data = bfi_items, ordered = TRUE, estimator = "WLSMV",
                                        missing = "pairwise")),
    "lavaan::cfa(model, data = bfi_items, ordered = TRUE, estimator = 'WLSMV', missing = 'pairwise')",
    m_bfi, nrow(bfi_items), "WLSMV"),
  bfi_keyed_wlsmv_cfa = describe(
    timed("bfi_keyed_wlsmv_cfa", cfa(m_bfi, data = bfi_keyed, ordered = TRUE, estimator = "WLSMV")),
    "lavaan::cfa(model, data = bfi_keyed, ordered = TRUE, estimator = 'WLSMV')  # bfi_keyed: 7 - x for A1, C4, C5, E1, E2, O2, O5",
    m_bfi, nrow(bfi_items), "WLSMV"),
  bfi_wlsmv_sem = describe(
    timed("bfi_wlsmv_sem", sem(m_bfi_sem, data = bfi_keyed, ordered = TRUE, estimator = "WLSMV")),
    "lavaan::sem(model, data = bfi_keyed, ordered = TRUE, estimator = 'WLSMV')  # bfi_keyed: 7 - x for A1, C4, C5, E1, E2, O2, O5",
    m_bfi_sem, nrow(bfi_items), "WLSMV"),
  sample_wlsmv_cfa = describe(
    timed("sample_wlsmv_cfa", cfa(m_sample_cfa, data = sample_items, ordered = TRUE, estimator = "WLSMV")),
    "lavaan::cfa(model, data = sample_items, ordered = TRUE, estimator = 'WLSMV')",
    m_sample_cfa, nrow(sample_items), "WLSMV"),
  sample_wlsmv_sem = describe(
    timed("sample_wlsmv_sem", sem(m_sample_sem, data = sample_items, ordered = TRUE, estimator = "WLSMV")),
    "lavaan::sem(model, data = sample_items, ordered = TRUE, estimator = 'WLSMV')",
    m_sample_sem, nrow(sample_items), "WLSMV")
)

# ---- ordinal alpha (Zumbo, Gadermann & Zeisser 2007) -----------------------------------------
ordinal_alpha <- function(data, scales, reversed, prefix) {
  lapply(setNames(names(scales), names(scales)), function(s) {
    its <- scales[[s]]
    pc <- timed(paste0(prefix, "_", s, "_polychoric"), psych::polychoric(data[, its]))
    al <- timed(NULL, psych::alpha(pc$value$rho))
    tot <- al$value$total
    drop <- al$value$alpha.drop
    list(call = sprintf("psych::alpha(psych::polychoric(x[, c(%s)])$rho)",
                        paste0("'", its, "'", collapse = ", ")),
         items = I(its),
         reversed = I(intersect(its, reversed)),
         nobs = pc$value$n.obs,
         polychoric = matrix_json(pc$value$rho),
         total = as.list(tot[1, intersect(c("raw_alpha", "std.alpha", "G6(smc)", "average_r", "S/N",
                                            "median_r"), names(tot))]),
         alpha_drop = lapply(setNames(rownames(drop), rownames(drop)),
                             function(r) as.list(drop[r, ])),
         warnings = I(unique(c(pc$warnings, al$warnings))))
  })
}
out_alpha <- list(
  bfi_ordinal_alpha = ordinal_alpha(bfi_keyed, bfi_scales, bfi_reversed, "bfi_ordinal_alpha"),
  sample_ordinal_alpha = ordinal_alpha(sample_items, sample_constructs, character(), "sample_ordinal_alpha"))

out <- c(
  list(meta = list(
    R = R.version.string,
    lavaan = as.character(packageVersion("lavaan")),
    psych = as.character(packageVersion("psych")),
    semTools = as.character(packageVersion("semTools")),
    readxl = as.character(packageVersion("readxl")),
    jsonlite = as.character(packageVersion("jsonlite")),
    script = "tests/data/r/make_ordinal_reference.R",
    data = list(bfi = "tests/data/bfi.csv (columns A1..O5)",
                sample = "tests/data/cx_journey_items.csv (33 items of sample_surveys/cx_journey.xlsx)"),
    bfi_rows = nrow(bfi_items),
    bfi_complete_rows = nrow(bfi_listwise),
    bfi_reversed = I(bfi_reversed),
    bfi_scales = lapply(bfi_scales, I),
    sample_rows = nrow(sample_items),
    sample_constructs = lapply(sample_constructs, I),
    sample_category_counts = sample_counts,
    sample_empty_categories = sample_empty,
    fit_measures_requested = wanted_measures)),
  list(timing = timing),
  out_poly,
  out_fit,
  out_alpha)

writeLines(toJSON(out, auto_unbox = TRUE, digits = I(15), na = "null", pretty = TRUE,
                  dataframe = "rows"),
           "tests/data/ordinal_reference.json")
