# make_outcome_reference.R -- lavaan reference values for SEMs with several pure outcomes
# (lavaan's auto.cov.y: their residual covariances are free by default) and with exogenous
# observed covariates (fixed.x = TRUE), under ML, MLM and MLR.
# Writes tests/data/outcome_reference.json.
#
# Run from the repository root:   Rscript tests/data/r/make_outcome_reference.R
# Needs r-base-core, r-cran-lavaan, r-cran-jsonlite (Debian). Versions go to `meta`.
#
# Data: tests/data/holzinger_swineford_1939.csv (= lavaan::HolzingerSwineford1939; checked).
# Models (lavaan::sem defaults apart from `estimator`):
#   covariates: visual, textual, speed CFA; visual ~ sex + ageyr; speed ~ ageyr
#               (two pure latent outcomes, visual and speed: visual ~~ speed is free;
#               sex and ageyr are fixed.x covariates)
#   mixed:      visual =~ x1..x3; textual =~ x4..x6; speed =~ x7 + x8; speed ~ visual;
#               x9 ~ visual; textual ~ visual  (pure outcomes: textual, speed and x9)
# JSON per fit: call, model_syntax, estimator, nobs, parameters (lhs, op, rhs, label, est,
# se, z, pvalue, std.all), fit_measures (chisq, df, npar, and the scaled/robust measures
# the estimator gives). Numbers with 15 significant digits; NA -> null.

suppressPackageStartupMessages({
  library(lavaan)
  library(jsonlite)
})

hs <- read.csv("tests/data/holzinger_swineford_1939.csv")
cols <- c(paste0("x", 1:9), "sex", "ageyr")
stopifnot(isTRUE(all.equal(as.matrix(hs[, cols]),
                           as.matrix(lavaan::HolzingerSwineford1939[, cols]),
                           check.attributes = FALSE)))

models <- list(
  covariates = paste0("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\n",
                      "speed =~ x7 + x8 + x9\nvisual ~ sex + ageyr\nspeed ~ ageyr\n"),
  mixed = paste0("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8\n",
                 "speed ~ visual\nx9 ~ visual\ntextual ~ visual\n"))
measures <- c("npar", "chisq", "df", "pvalue", "chisq.scaled", "chisq.scaling.factor",
              "cfi", "tli", "rmsea", "srmr", "cfi.scaled", "tli.scaled", "rmsea.scaled",
              "cfi.robust", "tli.robust", "rmsea.robust")

describe <- function(fit, name, est) {
  pe <- parameterEstimates(fit, standardized = TRUE)
  if (!"label" %in% names(pe)) pe$label <- ""
  fm <- fitMeasures(fit)
  list(call = sprintf("lavaan::sem(models$%s, data = HolzingerSwineford1939, estimator = '%s')",
                      name, est),
       model_syntax = models[[name]], estimator = est, nobs = lavInspect(fit, "nobs"),
       parameters = pe[, c("lhs", "op", "rhs", "label", "est", "se", "z", "pvalue", "std.all")],
       fit_measures = as.list(unclass(fm[intersect(measures, names(fm))])))
}

out <- list(meta = list(R = R.version.string,
                        lavaan = as.character(packageVersion("lavaan")),
                        jsonlite = as.character(packageVersion("jsonlite")),
                        script = "tests/data/r/make_outcome_reference.R"))
for (est in c("ML", "MLM", "MLR")) {
  out[[paste0("covariates_", est)]] <- describe(sem(models$covariates, data = hs,
                                                    estimator = est), "covariates", est)
}
out$mixed_ML <- describe(sem(models$mixed, data = hs), "mixed", "ML")
writeLines(toJSON(out, digits = 15, auto_unbox = TRUE, na = "null", pretty = TRUE),
           "tests/data/outcome_reference.json")
