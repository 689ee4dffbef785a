# make_robust_reference.R -- lavaan reference values for robust ML (MLM / MLR), FIML
# (missing = "ml"), delta-method defined parameters (:=), residual covariances (~~ between
# indicators) and modification indices. Writes tests/data/robust_reference.json.
#
# Run from the repository root:   Rscript tests/data/r/make_robust_reference.R
#
# Needs the Debian packages r-base-core, r-cran-lavaan, r-cran-psych, r-cran-jsonlite. The R,
# lavaan, psych and jsonlite versions used are written to the JSON under `meta`.
#
# Data are read from the CSVs already under tests/data/ (so Python tests use exactly the same
# rows); the script stops if any of them differs from the copy shipped with lavaan / psych:
#   holzinger_swineford_1939.csv  = lavaan::HolzingerSwineford1939 (301 rows)
#   political_democracy.csv       = lavaan::PoliticalDemocracy (75 rows)
#   bfi.csv                       = psych::bfi (2800 rows; NA written as empty cells; the first
#                                   column `id` holds psych's row names)
#
# Models (all lavaan::cfa / lavaan::sem defaults apart from `estimator` and `missing`):
#   hs_<est>      for est in ML, MLM, MLR:
#                     visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9
#                 MLM = Satorra-Bentler (expected information, se = "robust.sem",
#                 test = "satorra.bentler"); MLR = Yuan-Bentler-Mplus (observed information,
#                 se = "robust.huber.white", test = "yuan.bentler.mplus").
#   hs_modindices modindices(fit) of hs_ML: every row, sorted by mi decreasing.
#   pd_<est>      for est in ML, MLR: lavaan's tutorial PoliticalDemocracy SEM with six residual
#                 covariances and two defined parameters (delta-method se):
#                     ind60 =~ x1 + x2 + x3
#                     dem60 =~ y1 + y2 + y3 + y4
#                     dem65 =~ y5 + y6 + y7 + y8
#                     dem60 ~ a*ind60
#                     dem65 ~ c*ind60 + b*dem60
#                     y1 ~~ y5; y2 ~~ y4 + y6; y3 ~~ y7; y4 ~~ y8; y6 ~~ y8
#                     indirect := a*b
#                     total := c + a*b
#   pd_modindices modindices(fit) of pd_ML: every row, sorted by mi decreasing.
#   bfi_fiml_ML   psych::bfi 25 items, 5-factor CFA (agree =~ A1..A5; consc =~ C1..C5;
#                 extra =~ E1..E5; neuro =~ N1..N5; open =~ O1..O5), missing = "ml", ML.
#   bfi_fiml_MLR  the same with estimator = "MLR" (missing = "ml").
#   bfi_listwise_ML the same, estimator = "ML", missing = "listwise" (the default).
#   bfi_fiml_modindices modindices() of bfi_fiml_ML (expected information of the FIML fit):
#                 every row, sorted by mi decreasing.
#
# JSON per fit: call, model_syntax, estimator_requested (the `estimator` argument), estimator /
# missing / se / test / information (lavaan's resolved options: MLM and MLR resolve to
# estimator "ML" with robust se/test; FIML uses observed information by default), converged, nobs (lavInspect "nobs"),
# ntotal (rows in the data), parameters (rows of parameterEstimates(fit) with lhs, op, rhs,
# label, est, se, z, pvalue, ci.lower, ci.upper and std.all taken from standardizedSolution(fit),
# matched by lhs/op/rhs), fit_measures (the requested fitMeasures names that lavaan reports for
# that fit; absent names are skipped). MLM / MLR fits add vcov = {names, matrix (row-major list
# of rows)} from lavInspect(fit, "vcov"). bfi fits add npatterns and coverage = {names, matrix}
# from lavInspect(fit, "coverage") (npatterns from fit@Data@Mp[[1]]$npatterns, as
# lavInspect(fit, "npatterns") does not exist in lavaan 0.6-14; 1 for the listwise fit); the FIML fits add h1 logl (unrestricted.logl in fit_measures).
# Numbers with 15 significant digits; NA / NaN -> null. Nothing is rounded or post-processed.

suppressPackageStartupMessages({
  library(lavaan)
  library(psych)
  library(jsonlite)
})

wanted_measures <- c(
  "npar", "chisq", "df", "pvalue", "chisq.scaled", "df.scaled", "pvalue.scaled",
  "chisq.scaling.factor", "baseline.chisq", "baseline.df", "baseline.chisq.scaled",
  "baseline.df.scaled", "baseline.chisq.scaling.factor", "cfi", "tli", "cfi.scaled",
  "tli.scaled", "cfi.robust", "tli.robust", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper",
  "rmsea.scaled", "rmsea.ci.lower.scaled", "rmsea.ci.upper.scaled", "rmsea.robust",
  "rmsea.ci.lower.robust", "rmsea.ci.upper.robust", "srmr", "aic", "bic", "logl",
  "unrestricted.logl")

# ---- data: the repository CSVs, checked against the packaged data sets ----------------------
hs <- read.csv("tests/data/holzinger_swineford_1939.csv")
pd <- read.csv("tests/data/political_democracy.csv")
bfi_csv <- read.csv("tests/data/bfi.csv")

same_numbers <- function(a, b, what) {
  a <- as.matrix(a); b <- as.matrix(b)
  storage.mode(a) <- "double"; storage.mode(b) <- "double"
  ok <- identical(dim(a), dim(b)) && isTRUE(all.equal(a, b, tolerance = 1e-7, check.attributes = FALSE))
  if (!ok) stop(what, " CSV differs from the packaged data set")
}
xs <- paste0("x", 1:9)
same_numbers(hs[, xs], lavaan::HolzingerSwineford1939[, xs], "HolzingerSwineford1939")
same_numbers(pd[, names(lavaan::PoliticalDemocracy)], lavaan::PoliticalDemocracy, "PoliticalDemocracy")
items <- c(paste0("A", 1:5), paste0("C", 1:5), paste0("E", 1:5), paste0("N", 1:5), paste0("O", 1:5))
same_numbers(bfi_csv[, items], psych::bfi[, items], "bfi")
stopifnot(all(bfi_csv$id == as.integer(rownames(psych::bfi))))
bfi_items <- bfi_csv[, items]

# ---- helpers ---------------------------------------------------------------------------------
matrix_json <- function(m) {
  m <- unclass(as.matrix(m))
  list(names = rownames(m), colnames = colnames(m),
       matrix = lapply(seq_len(nrow(m)), function(i) unname(m[i, ])))
}

describe <- function(fit, call, syntax, data_rows, requested, vcov = FALSE, coverage = FALSE) {
  pe <- parameterEstimates(fit)
  if (!"label" %in% names(pe)) pe$label <- ""
  ss <- standardizedSolution(fit)
  key_pe <- paste(pe$lhs, pe$op, pe$rhs)
  key_ss <- paste(ss$lhs, ss$op, ss$rhs)
  pe$std.all <- ss$est.std[match(key_pe, key_ss)]
  fm <- fitMeasures(fit)
  fm <- fm[intersect(wanted_measures, names(fm))]
  out <- list(
    call = call,
    model_syntax = syntax,
    estimator_requested = requested,
    estimator = lavInspect(fit, "options")$estimator,
    missing = lavInspect(fit, "options")$missing,
    se = lavInspect(fit, "options")$se,
    test = lavInspect(fit, "options")$test,
    information = lavInspect(fit, "options")$information,
    converged = lavInspect(fit, "converged"),
    ntotal = data_rows,
    nobs = lavInspect(fit, "nobs"),
    parameters = pe[, c("lhs", "op", "rhs", "label", "est", "se", "z", "pvalue",
                        "ci.lower", "ci.upper", "std.all")],
    fit_measures = as.list(unclass(fm))
  )
  if (vcov) out$vcov <- matrix_json(lavInspect(fit, "vcov"))
  if (coverage) {
    # missing-data patterns among the rows used (fit@Data@Mp is NULL when no row has a missing
    # value, i.e. after listwise deletion: one pattern)
    mp <- fit@Data@Mp[[1]]
    out$npatterns <- if (is.null(mp)) 1L else mp$npatterns
    out$coverage <- matrix_json(lavInspect(fit, "coverage"))
  }
  out
}

# ---- HolzingerSwineford1939 ------------------------------------------------------------------
m_hs <- "visual  =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed   =~ x7 + x8 + x9\n"
hs_fit <- list()
out_hs <- list()
for (est in c("ML", "MLM", "MLR")) {
  hs_fit[[est]] <- cfa(m_hs, data = hs, estimator = est)
  out_hs[[paste0("hs_", est)]] <- describe(
    hs_fit[[est]],
    sprintf("lavaan::cfa(model, data = HolzingerSwineford1939, estimator = '%s')", est),
    m_hs, nrow(hs), est, vcov = est != "ML")
}

mi <- modindices(hs_fit[["ML"]])
mi <- mi[order(mi$mi, decreasing = TRUE), c("lhs", "op", "rhs", "mi", "epc", "sepc.all")]
rownames(mi) <- NULL
out_mi <- list(
  call = "lavaan::modindices(cfa(model, data = HolzingerSwineford1939, estimator = 'ML')), sorted by mi decreasing",
  model_syntax = m_hs,
  rows = mi
)

# ---- PoliticalDemocracy ----------------------------------------------------------------------
m_pd <- paste0(
  "ind60 =~ x1 + x2 + x3\n",
  "dem60 =~ y1 + y2 + y3 + y4\n",
  "dem65 =~ y5 + y6 + y7 + y8\n",
  "dem60 ~ a*ind60\n",
  "dem65 ~ c*ind60 + b*dem60\n",
  "y1 ~~ y5\n",
  "y2 ~~ y4 + y6\n",
  "y3 ~~ y7\n",
  "y4 ~~ y8\n",
  "y6 ~~ y8\n",
  "indirect := a*b\n",
  "total := c + a*b\n")
out_pd <- list()
pd_fit <- list()
for (est in c("ML", "MLR")) {
  fit <- sem(m_pd, data = pd, estimator = est)
  pd_fit[[est]] <- fit
  out_pd[[paste0("pd_", est)]] <- describe(
    fit, sprintf("lavaan::sem(model, data = PoliticalDemocracy, estimator = '%s')", est),
    m_pd, nrow(pd), est, vcov = est != "ML")
}

mi_pd <- modindices(pd_fit[["ML"]])
mi_pd <- mi_pd[order(mi_pd$mi, decreasing = TRUE), c("lhs", "op", "rhs", "mi", "epc", "sepc.all")]
rownames(mi_pd) <- NULL
out_mi_pd <- list(
  call = "lavaan::modindices(sem(model, data = PoliticalDemocracy, estimator = 'ML')), sorted by mi decreasing",
  model_syntax = m_pd,
  rows = mi_pd
)

# ---- psych::bfi, FIML and listwise -----------------------------------------------------------
m_bfi <- paste0(
  "agree =~ A1 + A2 + A3 + A4 + A5\n",
  "consc =~ C1 + C2 + C3 + C4 + C5\n",
  "extra =~ E1 + E2 + E3 + E4 + E5\n",
  "neuro =~ N1 + N2 + N3 + N4 + N5\n",
  "open  =~ O1 + O2 + O3 + O4 + O5\n")
out_bfi <- list()
for (cfg in list(list(name = "bfi_fiml_ML", est = "ML", miss = "ml"),
                 list(name = "bfi_fiml_MLR", est = "MLR", miss = "ml"),
                 list(name = "bfi_listwise_ML", est = "ML", miss = "listwise"))) {
  fit <- cfa(m_bfi, data = bfi_items, estimator = cfg$est, missing = cfg$miss)
  if (cfg$name == "bfi_fiml_ML") fit_bfi_fiml <- fit
  out_bfi[[cfg$name]] <- describe(
    fit, sprintf("lavaan::cfa(model, data = psych::bfi[, 1:25], estimator = '%s', missing = '%s')",
                 cfg$est, cfg$miss),
    m_bfi, nrow(bfi_items), cfg$est, vcov = cfg$est != "ML", coverage = TRUE)
}

mi_bfi <- modindices(fit_bfi_fiml)
mi_bfi <- mi_bfi[order(mi_bfi$mi, decreasing = TRUE), c("lhs", "op", "rhs", "mi", "epc", "sepc.all")]
rownames(mi_bfi) <- NULL
out_bfi$bfi_fiml_modindices <- list(
  call = "lavaan::modindices(cfa(model, data = psych::bfi[, 1:25], missing = 'ml')), sorted by mi decreasing",
  model_syntax = m_bfi,
  rows = mi_bfi)

out <- c(
  list(meta = list(
    R = R.version.string,
    lavaan = as.character(packageVersion("lavaan")),
    psych = as.character(packageVersion("psych")),
    jsonlite = as.character(packageVersion("jsonlite")),
    script = "tests/data/r/make_robust_reference.R",
    data = list(hs = "tests/data/holzinger_swineford_1939.csv",
                pd = "tests/data/political_democracy.csv",
                bfi = "tests/data/bfi.csv (columns A1..O5)"),
    fit_measures_requested = wanted_measures)),
  out_hs,
  list(hs_modindices = out_mi),
  out_pd,
  list(pd_modindices = out_mi_pd),
  out_bfi)

writeLines(toJSON(out, auto_unbox = TRUE, digits = I(15), na = "null", pretty = TRUE,
                  dataframe = "rows"),
           "tests/data/robust_reference.json")
