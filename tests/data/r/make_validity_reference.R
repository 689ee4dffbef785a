# make_validity_reference.R -- extra semTools reference values for cxsurvey.stats.validity
# that /work/shared/reference does not cover. Writes tests/data/validity_reference.json.
#
# Run from the repository root:   Rscript tests/data/r/make_validity_reference.R
#
# Written and run with R 4.2.2 and the Debian packages lavaan 0.6.14, semTools 0.5.6,
# jsonlite 1.8.4 (the versions actually used are written to the JSON under `versions`).
#
# Input files (tests/data, copies of /work/shared/reference):
#   bfi.csv                        psych::bfi, 2800 rows, A1..O5 scored 1..6, NA = empty field
#   holzinger_swineford_1939.csv   lavaan::HolzingerSwineford1939, 301 rows
#   political_democracy.csv        lavaan::PoliticalDemocracy, 75 rows
#
# Output: JSON with 15 significant digits; NA/NaN -> null. Matrices are written as
# {row: {column: value}}. Nothing is rounded or post-processed.
#
# Sections
# --------
# htmt_bfi : semTools::htmt(model, data) for the RAW bfi items (no reverse coding, so several
#            correlations are negative and absolute = TRUE matters) with
#              model = A =~ A1+...+A5; C =~ C1+...+C5; E =~ E1+...+E5; N =~ N1+...+N5; O =~ O1+...+O5
#            for missing = "listwise" and "pairwise" (lavCor(missing = "pairwise") is
#            cov2cor(cov(x, use = "pairwise"))), each with htmt2 = FALSE (arithmetic) and
#            htmt2 = TRUE (geometric). n_listwise = rows complete on the 25 items.
# hs_crossloading : lavaan::cfa(ML) of HS x1..x9 with x9 loading on visual and speed:
#              visual =~ x1 + x2 + x3 + x9; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9
#            compRelSEM(fit) (obs.var TRUE / FALSE), AVE(fit) (obs.var TRUE / FALSE; semTools
#            returns NA for factors with a cross-loading indicator), and the matrices it uses:
#            lambda = lavInspect(fit, "est")$lambda, theta = ...$theta, cov_lv = lavInspect(fit,
#            "cov.lv"), sample_cov = lavInspect(fit, "sampstat")$cov (divisor N),
#            implied_cov = lavInspect(fit, "fitted")$cov.
# hs_cfa, political_democracy : the models of /work/shared/reference (same syntax) refitted,
#            with AVE(fit, obs.var = FALSE) and the same matrices as above (for PD, cov_lv is
#            the model-implied covariance of the latent variables, (I - B)^-1 Psi (I - B)^-T,
#            which compRelSEM and AVE use; psi holds the disturbance (co)variances).

suppressMessages({
  library(lavaan)
  library(semTools)
  library(jsonlite)
})

mat <- function(m) {
  m <- unclass(m)
  out <- list()
  for (r in rownames(m)) {
    row <- list()
    for (cc in colnames(m)) row[[cc]] <- unname(m[r, cc])
    out[[r]] <- row
  }
  out
}
vec <- function(v) as.list(setNames(as.numeric(unclass(v)), names(v)))

fit_info <- function(fit) {
  est <- lavInspect(fit, "est")
  list(
    converged = lavInspect(fit, "converged"),
    nobs = lavInspect(fit, "nobs"),
    compRelSEM_obsvar_true = vec(compRelSEM(fit, obs.var = TRUE)),
    compRelSEM_obsvar_false = vec(compRelSEM(fit, obs.var = FALSE)),
    AVE_obsvar_true = vec(AVE(fit, obs.var = TRUE)),
    AVE_obsvar_false = vec(AVE(fit, obs.var = FALSE)),
    lambda = mat(est$lambda),
    theta = mat(est$theta),
    psi = mat(est$psi),
    cov_lv = mat(lavInspect(fit, "cov.lv")),
    sample_cov = mat(lavInspect(fit, "sampstat")$cov),
    implied_cov = mat(lavInspect(fit, "fitted")$cov)
  )
}

# ---- HTMT on bfi -------------------------------------------------------------------------
bfi <- read.csv("tests/data/bfi.csv")
scales <- c("A", "C", "E", "N", "O")
bfi_model <- paste(sapply(scales, function(s) paste0(s, " =~ ", paste0(s, 1:5, collapse = " + "))),
                   collapse = "\n")
items <- unlist(lapply(scales, function(s) paste0(s, 1:5)))
htmt_bfi <- list(
  model = bfi_model,
  n_rows = nrow(bfi),
  n_listwise = sum(complete.cases(bfi[, items])),
  listwise_arithmetic = mat(htmt(bfi_model, bfi, missing = "listwise", htmt2 = FALSE)),
  listwise_geometric = mat(htmt(bfi_model, bfi, missing = "listwise", htmt2 = TRUE)),
  pairwise_arithmetic = mat(htmt(bfi_model, bfi, missing = "pairwise", htmt2 = FALSE)),
  pairwise_geometric = mat(htmt(bfi_model, bfi, missing = "pairwise", htmt2 = TRUE))
)

# ---- CFA / SEM fits ------------------------------------------------------------------------
hs <- read.csv("tests/data/holzinger_swineford_1939.csv")
cross_model <- "visual =~ x1 + x2 + x3 + x9\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
hs_cross <- c(list(model = cross_model), fit_info(cfa(cross_model, hs, estimator = "ML")))

hs_model <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
hs_cfa <- c(list(model = hs_model), fit_info(cfa(hs_model, hs, estimator = "ML")))

pd <- read.csv("tests/data/political_democracy.csv")
pd_model <- paste(
  "ind60 =~ x1 + x2 + x3", "dem60 =~ y1 + y2 + y3 + y4", "dem65 =~ y5 + y6 + y7 + y8",
  "dem60 ~ ind60", "dem65 ~ ind60 + dem60",
  "y1 ~~ y5", "y2 ~~ y4 + y6", "y3 ~~ y7", "y4 ~~ y8", "y6 ~~ y8", sep = "\n")
pd_fit <- sem(pd_model, pd, estimator = "ML")
pd_sem <- c(list(model = pd_model, beta = mat(lavInspect(pd_fit, "est")$beta)), fit_info(pd_fit))

out <- list(
  generated_by = "tests/data/r/make_validity_reference.R",
  versions = list(R = R.version.string,
                  lavaan = as.character(packageVersion("lavaan")),
                  semTools = as.character(packageVersion("semTools")),
                  jsonlite = as.character(packageVersion("jsonlite"))),
  htmt_bfi = htmt_bfi,
  hs_crossloading = hs_cross,
  hs_cfa = hs_cfa,
  political_democracy = pd_sem
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = I(15), pretty = TRUE, na = "null"),
           "tests/data/validity_reference.json")
