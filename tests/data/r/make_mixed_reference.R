# make_mixed_reference.R -- lavaan reference values for WLSMV with MIXED indicators: some items
# ordinal (declared in `ordered`), the others continuous ("numeric" in lavaan's words). Writes
# tests/data/mixed_reference.json.
#
# Run from the repository root:   Rscript tests/data/r/make_mixed_reference.R
#
# Needs the Debian packages r-base-core, r-cran-lavaan, r-cran-psych, r-cran-polycor and
# r-cran-jsonlite. The R, lavaan, psych, polycor and jsonlite versions used are written to the JSON
# under `meta`. The Python tests never need R: only the JSON is read.
#
# Data are read from the CSVs under tests/data/ (so Python tests use exactly the same rows); the
# script stops if bfi.csv differs from psych::bfi:
#   bfi.csv              = psych::bfi (2800 rows; NA written as empty cells; first column `id`
#                          holds psych's row names). Items A1..O5 (6 categories, 1..6).
#   cx_journey_items.csv = the 33 analysed five-point items of the bundled sample survey (157 rows,
#                          no missing answers; see make_ordinal_reference.R for how it was written
#                          and checked). The sample's model syntax is the [model] syntax = """..."""
#                          block of sample_surveys/cx_journey.toml; the CFA keeps its "=~" lines.
# Items are used as stored (no reverse keying), so e.g. A1 loads negatively on agree.
#
# How lavaan 0.6-14 treats a numeric item in a model with ordered items (read off the output
# below and lav_samplestats / lav_fit_* at commit 17b67023^):
#   * sample statistics (lavInspect(fit, "sampstat")): cov = the matrix lavaan fits: 1 on the
#     diagonal of ordinal items, the sample variance (divisor N, not N - 1) on the diagonal of a
#     numeric item; ordinal-ordinal entries = polychoric correlations; numeric-ordinal entries =
#     two-step polyserial correlation * sd(numeric) (sd with divisor N); numeric-numeric = sample
#     covariance (divisor N). mean = sample mean of a numeric item, 0 for an ordinal item. th =
#     thresholds of the ordinal items only.
#   * wls.obs (lavInspect(fit, "wls.obs"), names are lavaan's own): first, in variable order, the
#     thresholds of each ordinal item ("A2|t1", ...) and for each numeric item ONE entry named
#     "A1~1" holding MINUS its sample mean (lavaan stores a numeric variable's mean as a
#     "threshold" with the sign flipped); then the variances of the numeric items in variable
#     order ("A1~~A1", "A5~~A5"); then vech(cov, diagonal = FALSE), i.e. the below-diagonal
#     elements column by column ("A1~~A2", "A1~~A3", ..., "A2~~A3", ...), these being
#     covariances (numeric x numeric), polyserial * sd (numeric x ordinal) or polychoric
#     correlations. gamma / wls.v rows and columns follow the same order and the same signs (the
#     rows of a "~1" entry are those of -mean, so gamma["A1~1", "A1~~A1"] = -acov(mean, var)).
#     gamma = N * acov (lavaan's muthen1984(), R/lav_muthen1984.R): the joint sandwich
#     B^-1 INNER B^-T of the stage-1 scores (thresholds; mean and variance of a numeric item from
#     lav_uvreg, i.e. normal ML scores (x - mu) / s2 and -1 / (2 s2) + (x - mu)^2 / (2 s2^2)) and
#     the stage-2 correlation scores, where the stage-1 block A11 of B is the OUTER PRODUCT of the
#     scores (not the Hessian). So the 2 x 2 block of a numeric item is N * inverse(crossprod of its
#     two score columns): for A1 in small_mixed gamma["A1~1","A1~1"] = 3.2998, not var(A1) = 1.9721
#     (checked in Python against the data to 1e-9; A1 is skewed, so mean and variance scores
#     correlate). Numeric x ordinal entries enter via the delta rule rho -> rho * sd (H matrix).
#   * parameters: numeric items get free intercepts ("~1" rows, est = sample mean in a CFA) and
#     free residual variances ("~~"), no "|" rows and no "~*~" (scale) rows; ordinal items get
#     "|" thresholds, fixed "~*~" scales (delta parameterization) and their residual variances are
#     fixed (1 - explained variance).
#   * robust CFI/TLI/RMSEA: lav_fit_catml_dwls() (R/lav_fit_utils.R) returns NA as soon as the
#     model has a numeric observed variable (length(ov.num) > 0), so cfi.robust, tli.robust,
#     rmsea.robust and its CI / p value are NA (null here) for every mixed fit; the "scaled"
#     versions are reported.
#   * srmr: for any model with ordered items lavaan reports srmr = srmr_bentler_nomean
#     (R/lav_fit_srmr.R), computed by lav_residuals_summary() (R/lav_residuals.R): residuals of
#     the `cov` part of sampstat minus implied, both divided by sqrt(diag(observed cov)) (type
#     "cor.bentler": a numeric item's residuals are standardised by its OBSERVED sd; ordinal
#     diagonals are 1); STATS = the below-diagonal residuals only (diagonal residuals, means and
#     thresholds ignored), srmr = sqrt(sum(STATS^2) / (p (p + 1) / 2)), p = number of observed
#     variables. srmr_bentler ("total") adds the raw (unscaled) threshold residuals of the
#     ordinal items to STATS and their count to the divisor (numeric means / variances are
#     still ignored). crmr uses type "cor.bollen" (observed cov scaled by observed sds, implied
#     cov by implied sds), STATS = below-diagonal residuals plus threshold residuals and divisor
#     = length(STATS) (no + p). Each fit entry carries `srmr_recomputed`, the srmr / srmr_bentler
#     / crmr recomputed in this script from sampstat and implied by these formulas (the script
#     stops if they differ from fitMeasures by more than 1e-10).
#
# Keys of the JSON (every result carries `call`, the R call that produced it):
#   meta                  versions, data files, row counts, fit_measures_requested (same list as
#                         make_ordinal_reference.R), numeric_items (per key, as below).
#   timing                system.time() of every lavaan / polycor / psych call below:
#                         {name: {elapsed, user_self, user_child}} in seconds, rounded to ms.
#   small_mixed           cfa("agree =~ A1 + A2 + A3 + A4 + A5", data = bfi A1..A5 listwise complete
#                         rows (na.omit: 2709 rows), ordered = c("A2","A3","A4"), estimator =
#                         "WLSMV"); A1 and A5 numeric.
#   small_mixed_pairwise  the same on all 2800 rows with missing = "pairwise" (lavaan accepts it:
#                         thresholds and numeric means / variances from every available value of an
#                         item, each correlation from the rows complete on that pair). If lavaan
#                         refused, the entry would hold {call, error}.
#   lavcor_mixed          lavCor(bfi A1..A5 + C1..C5 listwise (2632 rows), ordered = all but A1, A5,
#                         C1, output = "fit", se = "standard"):
#                           cor       lavCor(..., output = "cor") (the correlation matrix: polyserial
#                                     / polychoric / Pearson entries; equals cov2cor(sampstat$cov)),
#                           sampstat  {cov, mean, var, th} as described above (cov holds
#                                     polyserial * sd for numeric x ordinal pairs),
#                           estimates parameterEstimates(fit) rows (lhs, op, rhs, est, se; all
#                                     rows). NOTE: lavCor builds its unrestricted model with
#                                     `correlation = TRUE`, which fixes EVERY variance at 1, numeric
#                                     ones included, so the "~~" est of a numeric x ordinal pair is
#                                     the sampstat covariance (rho * sd), not rho, and its se is the
#                                     WLSMV se of that covariance; use `cor` for rho.
#                           polycor   polycor::polyserial(x, y, ML = FALSE, std.err = TRUE) (the
#                                     two-step estimator: thresholds from y's marginal, then rho by
#                                     ML given the thresholds; x standardised by polycor with
#                                     sd(x), divisor N - 1) for (A1, A2), (A5, A3), (C1, C2) on the
#                                     same rows: {rho, se = sqrt(var[1, 1]), thresholds (cuts),
#                                     n}.
#                           psych     psych::polyserial(x, y) for the same pairs: NOT the two-step
#                                     ML estimate but the ad hoc estimator of Olsson, Drasgow &
#                                     Dorans (1982): r_xy * sqrt((n - 1) / n) * sd(y) / sum_j
#                                     dnorm(tau_j), so it differs from lavaan / polycor in the
#                                     second decimal (kept only as an independent plausibility
#                                     check).
#                           differences {pair: {lavaan_rho (from `cor`), two_step_divisor_n,
#                                     two_step_divisor_n_minus_1 (the two-step ML written out in
#                                     this script: thresholds qnorm(cumulative proportions of y),
#                                     rho by optimize() of the log-likelihood with z = (x - mean)
#                                     / sd, sd with divisor N or N - 1), lavaan_minus_polycor,
#                                     lavaan_minus_psych, lavaan_thresholds_minus_polycor}}.
#                                     Result: lavaan standardises x with divisor N (two_step_
#                                     divisor_n reproduces lavaan to ~1e-8); polycor standardises
#                                     with sd() (N - 1) and stops its optimiser earlier, so polycor
#                                     differs from lavaan by ~6e-5 in rho (thresholds identical).
#   bfi_mixed_cfa         5-factor CFA agree =~ A1..A5; consc =~ C1..C5; extra =~ E1..E5;
#                         neuro =~ N1..N5; open =~ O1..O5, listwise (2436 rows), ordered = all but
#                         A1, C1, E1, N1, O1, WLSMV (no wls_obs / full gamma stored).
#   bfi_mixed_sem         sem(agree =~ A1..A5; consc =~ C1..C5; extra =~ E1..E5;
#                         agree ~ a*extra; consc ~ b*agree + extra; ind := a*b), listwise on the 15
#                         items (2563 rows), ordered = all but A1, C1, E1, WLSMV (parameters incl.
#                         ":=").
#   sample_mixed_cfa      the sample's 8-construct CFA, the FIRST item of each construct numeric,
#                         the others ordered, WLSMV (157 rows).
#   sample_continuous_only_items  {key: [numeric items]} for every fit above (also in meta).
#     fit entries: call, model_syntax, ordered, numeric_items, estimator / missing / se / test /
#     information / parameterization (lavaan's resolved options), converged, ntotal (rows in the
#     data passed), nobs (lavInspect "nobs"), parameters (parameterEstimates(fit, standardized =
#     TRUE), every row incl. "|", "~1", "~*~", "~~", ":=": lhs, op, rhs, label, est, se, z,
#     pvalue, ci.lower, ci.upper, std.all; fixed parameters have se 0 and z / pvalue null),
#     fit_measures (the requested names lavaan reports; NA -> null), test_statistics
#     (lavInspect(fit, "test")), baseline_test_statistics (fit@baseline$test), sampstat = {cov
#     (matrix), mean {item: value}, var {item: value} (fit@SampleStats@var: 1 for ordinal, sample
#     variance with divisor N for numeric), th {item: [thresholds]} (ordinal items only), th_names
#     (lavaan's names, e.g. "A2|t1")}, implied = lavInspect(fit, "implied") {cov, mean, th} (small
#     keys only), wls_obs = {names, values} (lavInspect(fit, "wls.obs")), gamma = {names, matrix
#     (row-major, full)} (lavInspect(fit, "gamma"); small keys only), wls_v_diagonal (diag of
#     lavInspect(fit, "wls.v"), wls.obs order), wls_obs_names (bfi / sample keys, the order of
#     wls_v_diagonal), srmr_recomputed, warnings (every warning lavaan gave, verbatim).
# Numbers with 15 significant digits; NA / NaN / Inf -> null. Nothing is rounded or post-processed.

suppressPackageStartupMessages({
  library(lavaan)
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

# ---- data ------------------------------------------------------------------------------------
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
stopifnot(ncol(sample_csv) == 33, nrow(sample_csv) == 157, !anyNA(sample_csv))
sample_items <- sample_csv

toml <- readLines("sample_surveys/cx_journey.toml")
start <- grep('^syntax = """', toml)
stop_ <- grep('^"""', toml)
stop_ <- stop_[stop_ > start][1]
sample_lines <- trimws(toml[(start + 1):(stop_ - 1)])
sample_lines <- sample_lines[nzchar(sample_lines)]
m_sample_cfa <- paste0(paste(grep("=~", sample_lines, value = TRUE), collapse = "\n"), "\n")
sample_constructs <- lapply(grep("=~", sample_lines, value = TRUE), function(l) {
  parts <- strsplit(l, "=~", fixed = TRUE)[[1]]
  list(name = trimws(parts[1]), items = trimws(strsplit(parts[2], "+", fixed = TRUE)[[1]]))
})
names(sample_constructs) <- vapply(sample_constructs, function(s) s$name, "")
sample_constructs <- lapply(sample_constructs, function(s) s$items)
stopifnot(length(sample_constructs) == 8, setequal(unlist(sample_constructs), names(sample_items)))

# ---- helpers ---------------------------------------------------------------------------------
timing <- list()
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

named_json <- function(v) as.list(setNames(as.numeric(v), names(v)))

thresholds_json <- function(th) {
  if (length(th) == 0) return(setNames(list(), character()))
  item <- sub("\\|t[0-9]+$", "", names(th))
  out <- lapply(split(unname(th), factor(item, levels = unique(item))), function(v) I(v))
  stopifnot(all(vapply(out, function(v) all(diff(v) > 0), TRUE)))
  out
}

tests_json <- function(tl) {
  if (is.null(tl)) return(NULL)
  lapply(unclass(tl), function(t) lapply(unclass(t), function(v) { attributes(v) <- NULL; v }))
}

sampstat_json <- function(fit) {
  st <- lavInspect(fit, "sampstat")
  v <- fit@SampleStats@var[[1]]
  names(v) <- colnames(st$cov)
  list(cov = matrix_json(st$cov), mean = named_json(st$mean), var = named_json(v),
       th = thresholds_json(st$th), th_names = I(names(st$th)))
}

# srmr / srmr_bentler / crmr as lav_residuals_summary() computes them for a categorical model
srmr_recompute <- function(fit) {
  S <- unclass(lavInspect(fit, "sampstat")$cov)
  im <- lavInspect(fit, "implied")
  Sig <- unclass(im$cov)
  p <- ncol(S)
  lower <- lower.tri(S)
  th_res <- unname(unclass(lavInspect(fit, "sampstat")$th) - unclass(im$th))
  sd_obs <- sqrt(diag(S))
  res_bentler <- (S - Sig) / tcrossprod(sd_obs)
  res_bollen <- cov2cor(S) - cov2cor(Sig)
  stats_b <- res_bentler[lower]
  stats_c <- c(res_bollen[lower], th_res)
  out <- list(
    srmr = sqrt(sum(stats_b^2) / (p * (p + 1) / 2)),
    srmr_bentler = sqrt(sum(c(stats_b, th_res)^2) / (length(stats_b) + length(th_res) + p)),
    crmr = sqrt(sum(stats_c^2) / length(stats_c)))
  fm <- fitMeasures(fit, c("srmr", "srmr_bentler", "crmr"))
  for (k in names(out))
    if (abs(out[[k]] - fm[[k]]) > 1e-10) stop("srmr recomputation differs for ", k)
  out
}

describe <- function(res, call, syntax, data_rows, ordered, numeric_items, full = FALSE) {
  fit <- res$value
  pe <- parameterEstimates(fit, standardized = TRUE)
  if (!"label" %in% names(pe)) pe$label <- ""
  fm <- fitMeasures(fit)
  fm <- fm[intersect(wanted_measures, names(fm))]
  opt <- lavInspect(fit, "options")
  wo <- lavInspect(fit, "wls.obs")
  g <- lavInspect(fit, "gamma")
  wv <- lavInspect(fit, "wls.v")
  stopifnot(identical(names(wo), rownames(g)), length(wo) == nrow(wv))
  out <- list(
    call = call,
    model_syntax = syntax,
    ordered = I(ordered),
    numeric_items = I(numeric_items),
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
    sampstat = sampstat_json(fit),
    wls_obs_names = I(names(wo)),
    wls_v_diagonal = unname(diag(wv)),
    srmr_recomputed = srmr_recompute(fit),
    warnings = res$warnings)
  if (full) {
    im <- lavInspect(fit, "implied")
    out$implied <- list(cov = matrix_json(im$cov), mean = named_json(im$mean),
                        th = named_json(im$th))
    out$wls_obs <- list(names = I(names(wo)), values = unname(as.numeric(wo)))
    out$gamma <- list(names = I(rownames(g)), matrix = matrix_json(g)$matrix)
  }
  out
}

fit_or_error <- function(name, expr, call, ...) {
  res <- tryCatch(timed(name, expr), error = function(e) e)
  if (inherits(res, "error")) return(list(call = call, error = conditionMessage(res)))
  describe(res, call, ...)
}

# ---- 1, 2: small one-factor model ------------------------------------------------------------
a_items <- paste0("A", 1:5)
m_small <- "agree =~ A1 + A2 + A3 + A4 + A5\n"
small_ordered <- c("A2", "A3", "A4")
small_numeric <- setdiff(a_items, small_ordered)
small_data <- na.omit(bfi_items[, a_items])
small_all <- bfi_items[, a_items]

out_small <- list(
  small_mixed = fit_or_error(
    "small_mixed",
    cfa(m_small, data = small_data, ordered = small_ordered, estimator = "WLSMV"),
    "lavaan::cfa('agree =~ A1 + A2 + A3 + A4 + A5', data = na.omit(bfi[, c('A1','A2','A3','A4','A5')]), ordered = c('A2','A3','A4'), estimator = 'WLSMV')",
    syntax = m_small, data_rows = nrow(small_data), ordered = small_ordered,
    numeric_items = small_numeric, full = TRUE),
  small_mixed_pairwise = fit_or_error(
    "small_mixed_pairwise",
    cfa(m_small, data = small_all, ordered = small_ordered, estimator = "WLSMV", missing = "pairwise"),
    "lavaan::cfa('agree =~ A1 + A2 + A3 + A4 + A5', data = bfi[, c('A1','A2','A3','A4','A5')], ordered = c('A2','A3','A4'), estimator = 'WLSMV', missing = 'pairwise')",
    syntax = m_small, data_rows = nrow(small_all), ordered = small_ordered,
    numeric_items = small_numeric, full = TRUE))

# ---- 3: lavCor with mixed variables + two-step polyserial checks -----------------------------
ac_items <- c(paste0("A", 1:5), paste0("C", 1:5))
ac_data <- na.omit(bfi_items[, ac_items])
ac_numeric <- c("A1", "A5", "C1")
ac_ordered <- setdiff(ac_items, ac_numeric)
lc <- timed("lavcor_mixed", lavCor(ac_data, ordered = ac_ordered, output = "fit", se = "standard"))
lc_cor <- timed(NULL, lavCor(ac_data, ordered = ac_ordered, output = "cor"))
lc_fit <- lc$value
lc_pe <- parameterEstimates(lc_fit)[, c("lhs", "op", "rhs", "est", "se")]
rownames(lc_pe) <- NULL
cor_m <- unclass(lc_cor$value)
stopifnot(max(abs(cor_m - cov2cor(unclass(lavInspect(lc_fit, "sampstat")$cov)))) < 1e-12)

pairs <- list(c("A1", "A2"), c("A5", "A3"), c("C1", "C2"))
pair_name <- function(p) paste0(p[1], "_", p[2])
polycor_res <- lapply(pairs, function(p) {
  r <- timed(paste0("polycor_polyserial_", pair_name(p)),
             polycor::polyserial(ac_data[[p[1]]], ac_data[[p[2]]], ML = FALSE, std.err = TRUE))
  v <- r$value
  list(call = sprintf("polycor::polyserial(x = %s, y = %s, ML = FALSE, std.err = TRUE)", p[1], p[2]),
       x = p[1], y = p[2], rho = v$rho, se = sqrt(v$var[1, 1]), thresholds = I(unname(v$cuts)),
       n = v$n, warnings = r$warnings)
})
names(polycor_res) <- vapply(pairs, pair_name, "")
ps <- timed("psych_polyserial", psych::polyserial(ac_data[, vapply(pairs, `[`, "", 1)],
                                                   ac_data[, vapply(pairs, `[`, "", 2)]))
psych_res <- lapply(pairs, function(p) list(x = p[1], y = p[2], rho = ps$value[p[2], p[1]]))
names(psych_res) <- vapply(pairs, pair_name, "")
# two-step polyserial ML written out here (thresholds = qnorm of the cumulative proportions of y;
# rho maximises sum log P(y | z) with z = (x - mean) / sd, sd with the given divisor)
two_step <- function(x, y, divisor) {
  n <- length(x)
  z <- (x - mean(x)) / sqrt(sum((x - mean(x))^2) / divisor)
  cp <- cumsum(table(y)) / n
  tau <- c(-Inf, qnorm(cp[-length(cp)]), Inf)
  k <- as.integer(factor(y))
  nll <- function(r) {
    s <- sqrt(1 - r^2)
    -sum(log(pnorm((tau[k + 1] - r * z) / s) - pnorm((tau[k] - r * z) / s)))
  }
  optimize(nll, c(-0.999, 0.999), tol = 1e-12)$minimum
}
differences <- lapply(pairs, function(p) {
  lav <- cor_m[p[1], p[2]]
  x <- ac_data[[p[1]]]; y <- ac_data[[p[2]]]
  list(lavaan_rho = lav,
       two_step_divisor_n = two_step(x, y, length(x)),
       two_step_divisor_n_minus_1 = two_step(x, y, length(x) - 1),
       lavaan_minus_polycor = lav - polycor_res[[pair_name(p)]]$rho,
       lavaan_minus_psych = lav - psych_res[[pair_name(p)]]$rho,
       lavaan_thresholds_minus_polycor = I(unname(lavInspect(lc_fit, "sampstat")$th[
         grep(paste0("^", p[2], "\\|"), names(lavInspect(lc_fit, "sampstat")$th))]) -
         polycor_res[[pair_name(p)]]$thresholds))
})
names(differences) <- vapply(pairs, pair_name, "")

out_lavcor <- list(lavcor_mixed = list(
  call = "lavaan::lavCor(na.omit(bfi[, c('A1',...,'A5','C1',...,'C5')]), ordered = c('A2','A3','A4','C2','C3','C4','C5'), output = 'fit', se = 'standard')",
  cor_call = "lavaan::lavCor(same data, ordered = same, output = 'cor')",
  ordered = I(ac_ordered),
  numeric_items = I(ac_numeric),
  ntotal = nrow(ac_data),
  nobs = lavInspect(lc_fit, "nobs"),
  estimator = lavInspect(lc_fit, "options")$estimator,
  cor = matrix_json(cor_m),
  sampstat = sampstat_json(lc_fit),
  estimates = lc_pe,
  polycor = polycor_res,
  psych = list(call = "psych::polyserial(x = bfi[, c('A1','A5','C1')], y = bfi[, c('A2','A3','C2')]) on the same rows",
               pairs = psych_res, warnings = ps$warnings),
  differences = differences,
  warnings = I(unique(c(lc$warnings, lc_cor$warnings)))))

# ---- 4, 5: bfi five-factor CFA, SEM ----------------------------------------------------------
m_bfi <- paste0(
  "agree =~ A1 + A2 + A3 + A4 + A5\n",
  "consc =~ C1 + C2 + C3 + C4 + C5\n",
  "extra =~ E1 + E2 + E3 + E4 + E5\n",
  "neuro =~ N1 + N2 + N3 + N4 + N5\n",
  "open  =~ O1 + O2 + O3 + O4 + O5\n")
bfi_numeric <- c("A1", "C1", "E1", "N1", "O1")
bfi_ordered <- setdiff(items, bfi_numeric)
m_bfi_sem <- paste0(
  "agree =~ A1 + A2 + A3 + A4 + A5\n",
  "consc =~ C1 + C2 + C3 + C4 + C5\n",
  "extra =~ E1 + E2 + E3 + E4 + E5\n",
  "agree ~ a*extra\n",
  "consc ~ b*agree + extra\n",
  "ind := a*b\n")
sem_items <- c(paste0("A", 1:5), paste0("C", 1:5), paste0("E", 1:5))
sem_numeric <- c("A1", "C1", "E1")
sem_ordered <- setdiff(sem_items, sem_numeric)
sem_data <- bfi_items[, sem_items]

out_bfi <- list(
  bfi_mixed_cfa = fit_or_error(
    "bfi_mixed_cfa",
    cfa(m_bfi, data = bfi_items, ordered = bfi_ordered, estimator = "WLSMV"),
    "lavaan::cfa(model, data = bfi[, A1..O5], ordered = setdiff(items, c('A1','C1','E1','N1','O1')), estimator = 'WLSMV')",
    syntax = m_bfi, data_rows = nrow(bfi_items), ordered = bfi_ordered, numeric_items = bfi_numeric),
  bfi_mixed_sem = fit_or_error(
    "bfi_mixed_sem",
    sem(m_bfi_sem, data = sem_data, ordered = sem_ordered, estimator = "WLSMV"),
    "lavaan::sem(model, data = bfi[, c(A1..A5, C1..C5, E1..E5)], ordered = setdiff(items, c('A1','C1','E1')), estimator = 'WLSMV')",
    syntax = m_bfi_sem, data_rows = nrow(sem_data), ordered = sem_ordered, numeric_items = sem_numeric))

# ---- 6: the sample's CFA, first item of each construct numeric -------------------------------
sample_numeric <- unname(vapply(sample_constructs, function(v) v[1], ""))
sample_ordered <- setdiff(names(sample_items), sample_numeric)
out_sample <- list(
  sample_mixed_cfa = fit_or_error(
    "sample_mixed_cfa",
    cfa(m_sample_cfa, data = sample_items, ordered = sample_ordered, estimator = "WLSMV"),
    "lavaan::cfa(model, data = sample_items, ordered = setdiff(names(sample_items), first item of each construct), estimator = 'WLSMV')",
    syntax = m_sample_cfa, data_rows = nrow(sample_items), ordered = sample_ordered,
    numeric_items = sample_numeric))

numeric_items <- list(
  small_mixed = I(small_numeric), small_mixed_pairwise = I(small_numeric),
  lavcor_mixed = I(ac_numeric), bfi_mixed_cfa = I(bfi_numeric), bfi_mixed_sem = I(sem_numeric),
  sample_mixed_cfa = I(sample_numeric))

out <- c(
  list(meta = list(
    R = R.version.string,
    lavaan = as.character(packageVersion("lavaan")),
    psych = as.character(packageVersion("psych")),
    polycor = as.character(packageVersion("polycor")),
    jsonlite = as.character(packageVersion("jsonlite")),
    script = "tests/data/r/make_mixed_reference.R",
    data = list(bfi = "tests/data/bfi.csv (columns A1..O5)",
                sample = "tests/data/cx_journey_items.csv (33 items of sample_surveys/cx_journey.xlsx)"),
    bfi_rows = nrow(bfi_items),
    bfi_complete_rows = nrow(na.omit(bfi_items)),
    small_complete_rows = nrow(small_data),
    lavcor_complete_rows = nrow(ac_data),
    sem_complete_rows = nrow(na.omit(sem_data)),
    sample_rows = nrow(sample_items),
    sample_constructs = lapply(sample_constructs, I),
    numeric_items = numeric_items,
    fit_measures_requested = wanted_measures)),
  list(timing = timing),
  out_small,
  out_lavcor,
  out_bfi,
  out_sample,
  list(sample_continuous_only_items = numeric_items))

writeLines(toJSON(out, auto_unbox = TRUE, digits = I(15), na = "null", pretty = TRUE,
                  dataframe = "rows"),
           "tests/data/mixed_reference.json")
