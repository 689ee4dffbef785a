# make_cbsem_extra_reference.R -- lavaan reference values for covariance-based fits that the
# shared HS/PoliticalDemocracy references do not exercise. Writes tests/data/cbsem_extra_reference.json.
#
# Run from the repository root:   Rscript tests/data/r/make_cbsem_extra_reference.R
#
# Written and run with R 4.2.2, lavaan 0.6-14, jsonlite 1.8.4 (Debian packages; the versions used
# are also written to the JSON under `versions`).
#
# Models (all lavaan::cfa/sem defaults, estimator = "ML"):
#   pd_fixed_x : PoliticalDemocracy, a latent outcome regressed on two observed covariates
#                    dem60 =~ y1 + y2 + y3 + y4
#                    dem60 ~ x1 + x2
#                fixed.x = TRUE (the default): x1/x2 (co)variances fixed at sample values, not
#                counted in npar or in the data moments; logl is conditional on x; GFI weights the
#                x-x moments by 0.
#   hs_std_lv  : HolzingerSwineford1939, a freed first loading (NA*), a fixed factor variance and a
#                label shared with a first loading (so both loadings are fixed to 1):
#                    visual  =~ NA*x1 + x2 + x3
#                    textual =~ x4 + x5 + x6
#                    speed   =~ a*x7 + a*x8 + x9
#                    visual ~~ 1*visual
#   heywood    : heywood_cfa.csv (200 rows), whose covariance matrix (divisor N) equals, to 1e-15,
#                the population matrix of  A =~ 1.1*a1 + 0.8*a2 + 0.7*a3,  B =~ 0.8*b1 + 0.7*b2 +
#                0.6*b3, var(A) = var(B) = 1, cov(A, B) = 0.4, unit item variances, so the residual
#                variance of a1 is 1 - 1.21 = -0.21: an exact Heywood case. Fitted model:
#                    A =~ a1 + a2 + a3
#                    B =~ b1 + b2 + b3
#                The file was written by numpy (seed 20240601): standard normals, centred, whitened
#                to identity covariance (divisor N), multiplied by the Cholesky factor of that
#                matrix, written with 17 significant digits.
#
# JSON per model: call, model_syntax, converged, nobs, fit_measures_main (fitMeasures names),
# all_parameters (parameterEstimates(fit, standardized = TRUE)), r2 (lavInspect(fit, "r2")).
# Numbers with 15 significant digits; NA -> null. Nothing is rounded or post-processed.

suppressPackageStartupMessages({
  library(lavaan)
  library(jsonlite)
})

main_measures <- c("npar", "ntotal", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df",
                   "cfi", "tli", "nfi", "logl", "unrestricted.logl", "aic", "bic", "bic2",
                   "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.pvalue", "srmr", "gfi", "agfi")

describe <- function(fit, call, syntax) {
  pe <- parameterEstimates(fit, standardized = TRUE)
  if (!"label" %in% names(pe)) pe$label <- ""
  list(
    call = call,
    model_syntax = syntax,
    converged = lavInspect(fit, "converged"),
    nobs = lavInspect(fit, "nobs"),
    fit_measures_main = as.list(fitMeasures(fit, main_measures)),
    all_parameters = pe[, c("lhs", "op", "rhs", "label", "est", "se", "z", "pvalue",
                            "ci.lower", "ci.upper", "std.all")],
    r2 = as.list(lavInspect(fit, "r2"))
  )
}

pd <- read.csv("tests/data/political_democracy.csv")
hs <- read.csv("tests/data/holzinger_swineford_1939.csv")
hw <- read.csv("tests/data/heywood_cfa.csv")

m_pd <- "dem60 =~ y1 + y2 + y3 + y4\ndem60 ~ x1 + x2\n"
m_hs <- paste0("visual  =~ NA*x1 + x2 + x3\ntextual =~ x4 + x5 + x6\n",
               "speed   =~ a*x7 + a*x8 + x9\nvisual ~~ 1*visual\n")
m_hw <- "A =~ a1 + a2 + a3\nB =~ b1 + b2 + b3\n"

out <- list(
  versions = list(R = R.version.string, lavaan = as.character(packageVersion("lavaan")),
                  jsonlite = as.character(packageVersion("jsonlite"))),
  pd_fixed_x = describe(sem(m_pd, data = pd, estimator = "ML"),
                        "lavaan::sem(model, data = PoliticalDemocracy, estimator = 'ML')", m_pd),
  hs_std_lv = describe(cfa(m_hs, data = hs, estimator = "ML"),
                       "lavaan::cfa(model, data = HolzingerSwineford1939, estimator = 'ML')", m_hs),
  heywood = describe(suppressWarnings(cfa(m_hw, data = hw, estimator = "ML")),
                     "lavaan::cfa(model, data = heywood_cfa.csv, estimator = 'ML')", m_hw)
)

writeLines(toJSON(out, auto_unbox = TRUE, digits = I(15), na = "null", pretty = TRUE,
                  dataframe = "rows"),
           "tests/data/cbsem_extra_reference.json")
