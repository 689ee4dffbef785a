# make_invariance_reference.R -- lavaan reference values for multi-group CFA/SEM and
# measurement invariance. Writes tests/data/invariance_reference.json.
#
# Run from the repository root:   Rscript tests/data/r/make_invariance_reference.R
#
# Needs R with lavaan (0.6-14 used), jsonlite; versions are written under `meta`.
# Data are read from the CSVs under tests/data/ (the Python tests use the same rows):
#   holzinger_swineford_1939.csv  = lavaan::HolzingerSwineford1939 (301 rows, `school`:
#                                   Grant-White / Pasteur; lavaan orders groups as they first
#                                   appear in the data: Pasteur first)
#   bfi.csv                       = psych::bfi (2800 rows, `gender` 1/2, NA in items)
#
# Every fit uses lavaan's defaults for cfa()/sem() with `group` (meanstructure = TRUE,
# intercepts free per group, latent means fixed to 0 unless intercepts are equal, listwise
# deletion per group, covariance divisor N_g, expected information for ML and MLM, observed
# information for MLR).
#
# JSON keys (every fit object has: `params` = parameterEstimates(fit, standardized = TRUE)
# rows with op in =~, ~, ~~, ~1 -- columns lhs, op, rhs, group (1-based), label (lavaan's
# user label, "" if none), free (parTable free > 0), est, se, z, pvalue, ci_lower, ci_upper,
# std_all; `fit` = every fitMeasures(fit) value with "." written "_"; `stat_group` =
# lavInspect(fit, "test")[[1]]$stat.group (per-group chi-square contributions); `nobs` =
# cases per group; `group_labels`; `seconds` = system.time()[["elapsed"]] of the fit):
#   meta                      versions and data files.
#   hs_<est>_<step>           est in ML, MLM, MLR; step in configural (no group.equal),
#                             metric (group.equal = "loadings"), scalar (+ "intercepts"),
#                             strict (+ "residuals"); model tests/data/hs_cfa_model.txt,
#                             group = "school".
#   hs_<est>_lrt              lavTestLRT(configural, metric, scalar, strict) rows (ordered by
#                             df): model, df, aic, bic, chisq, chisq_diff, df_diff, pvalue,
#                             rmsea_diff (ML only; NA first row -> null). MLM/MLR: the
#                             default Satorra-Bentler (2001) scaled difference.
#   hs_ML_score_metric        lavTestScore(hs_ML_metric): `total` (X2, df, pvalue) and `uni`
#                             rows lhs, op, rhs (".pN." labels), X2, df, pvalue, and the
#                             constrained parameters they name (parTable plabel -> lhs op rhs
#                             group): lhs_par, op_par, rhs_par, group_lhs, group_rhs.
#   hs_ML_score_scalar        the same for hs_ML_scalar.
#   hs_ML_score_strict        the same for hs_ML_strict.
#   hs_ML_partial_scalar      group.equal = c("loadings", "intercepts"),
#                             group.partial = c("x3~1", "x7~1").
#   bfi_ML_<step>             step in configural, metric, scalar: psych::bfi 5-factor CFA
#                             (agree =~ A1..A5; consc =~ C1..C5; extra =~ E1..E5;
#                             neuro =~ N1..N5; open =~ O1..O5), group = "gender", listwise.
#   bfi_ML_lrt                lavTestLRT of the three bfi steps.
#   bfi_<est>_<step>, bfi_<est>_lrt   the same for est in MLM, MLR.
#   hs_paths_configural       sem("visual =~ x1+x2+x3; textual =~ x4+x5+x6;
#                             speed =~ x7+x8+x9; textual ~ visual; speed ~ textual"),
#                             group = "school".
#   hs_paths_metric           the same with group.equal = "loadings".
#   hs_paths_wald_<fit>       fit in configural, metric: lavTestWald of each regression's
#                             equality across groups (labels per group: c(a1, a2) etc.):
#                             rows lhs, op, rhs, stat, df, pvalue.
#   hs3_paths_configural      three groups: school3 = school where x1 > median(x1), else
#                             "High" (levels in order of appearance); the model
#                             "hs_cfa_model.txt + textual ~ visual", group = "school3".
#   hs3_paths_wald            lavTestWald(c(a1, a2, a3) labelled fit, "a1 == a2; a1 == a3"):
#                             one row lhs, op, rhs, stat, df (2), pvalue.

suppressPackageStartupMessages({library(lavaan); library(jsonlite)})

hs <- read.csv("tests/data/holzinger_swineford_1939.csv", stringsAsFactors = FALSE)
bfi <- read.csv("tests/data/bfi.csv", stringsAsFactors = FALSE)
hs_model <- paste(readLines("tests/data/hs_cfa_model.txt"), collapse = "\n")
bfi_model <- "agree =~ A1 + A2 + A3 + A4 + A5
consc =~ C1 + C2 + C3 + C4 + C5
extra =~ E1 + E2 + E3 + E4 + E5
neuro =~ N1 + N2 + N3 + N4 + N5
open =~ O1 + O2 + O3 + O4 + O5"

num <- function(x) { x <- as.numeric(x); ifelse(is.finite(x), x, NA) }

params_of <- function(fit) {
  pe <- parameterEstimates(fit, standardized = TRUE)
  pt <- parTable(fit)
  pe <- pe[pe$op %in% c("=~", "~", "~~", "~1"), ]
  key <- paste(pt$lhs, pt$op, pt$rhs, pt$group)
  idx <- match(paste(pe$lhs, pe$op, pe$rhs, pe$group), key)
  data.frame(lhs = pe$lhs, op = pe$op, rhs = pe$rhs, group = pe$group,
             label = if (is.null(pe$label)) rep("", nrow(pe)) else pe$label, free = pt$free[idx] > 0, est = num(pe$est),
             se = num(pe$se), z = num(pe$z), pvalue = num(pe$pvalue),
             ci_lower = num(pe$ci.lower), ci_upper = num(pe$ci.upper),
             std_all = num(pe$std.all), stringsAsFactors = FALSE)
}

fit_of <- function(fit, seconds) {
  fm <- fitMeasures(fit)
  fm <- as.list(num(fm))
  names(fm) <- gsub(".", "_", names(fitMeasures(fit)), fixed = TRUE)
  list(params = params_of(fit), fit = fm,
       stat_group = num(lavInspect(fit, "test")[[1]]$stat.group),
       nobs = as.integer(unlist(lavInspect(fit, "nobs"))),
       group_labels = lavInspect(fit, "group.label"), seconds = seconds)
}

timed <- function(expr) {
  t <- system.time(fit <- eval.parent(substitute(expr)))[["elapsed"]]
  list(fit = fit, seconds = t)
}

lrt_of <- function(fits) {
  tab <- do.call(lavTestLRT, c(unname(fits), list(model.names = names(fits))))
  out <- data.frame(model = rownames(tab), df = tab$Df, aic = num(tab$AIC),
                    bic = num(tab$BIC), chisq = num(tab$Chisq),
                    chisq_diff = num(tab[["Chisq diff"]]), df_diff = num(tab[["Df diff"]]),
                    pvalue = num(tab[["Pr(>Chisq)"]]), stringsAsFactors = FALSE)
  if ("RMSEA" %in% names(tab)) out$rmsea_diff <- num(tab$RMSEA)
  out
}

score_of <- function(fit) {
  st <- lavTestScore(fit)
  pt <- parTable(fit)
  uni <- st$uni
  li <- match(uni$lhs, pt$plabel); ri <- match(uni$rhs, pt$plabel)
  list(total = list(X2 = st$test$X2, df = st$test$df, pvalue = st$test$p.value),
       uni = data.frame(lhs = uni$lhs, op = uni$op, rhs = uni$rhs, X2 = uni$X2,
                        df = uni$df, pvalue = uni$p.value, lhs_par = pt$lhs[li],
                        op_par = pt$op[li], rhs_par = pt$rhs[li], group_lhs = pt$group[li],
                        group_rhs = pt$group[ri], stringsAsFactors = FALSE))
}

steps <- list(configural = "", metric = "loadings",
              scalar = c("loadings", "intercepts"),
              strict = c("loadings", "intercepts", "residuals"))
out <- list(meta = list(R = R.version.string,
                        lavaan = as.character(packageVersion("lavaan")),
                        jsonlite = as.character(packageVersion("jsonlite")),
                        data = c("tests/data/holzinger_swineford_1939.csv",
                                 "tests/data/bfi.csv")))

fits <- list()
for (est in c("ML", "MLM", "MLR")) {
  fs <- list()
  for (st in names(steps)) {
    r <- timed(cfa(hs_model, data = hs, group = "school", estimator = est,
                   group.equal = steps[[st]]))
    fs[[st]] <- r$fit
    out[[paste0("hs_", est, "_", st)]] <- fit_of(r$fit, r$seconds)
  }
  out[[paste0("hs_", est, "_lrt")]] <- lrt_of(fs)
  fits[[est]] <- fs
}
out$hs_ML_score_metric <- score_of(fits$ML$metric)
out$hs_ML_score_scalar <- score_of(fits$ML$scalar)
out$hs_ML_score_strict <- score_of(fits$ML$strict)
r <- timed(cfa(hs_model, data = hs, group = "school",
               group.equal = c("loadings", "intercepts"),
               group.partial = c("x3~1", "x7~1")))
out$hs_ML_partial_scalar <- fit_of(r$fit, r$seconds)

bfi_items <- bfi[, c("A1","A2","A3","A4","A5","C1","C2","C3","C4","C5","E1","E2","E3",
                     "E4","E5","N1","N2","N3","N4","N5","O1","O2","O3","O4","O5","gender")]
bf <- list()
for (st in c("configural", "metric", "scalar")) {
  r <- timed(cfa(bfi_model, data = bfi_items, group = "gender", group.equal = steps[[st]]))
  bf[[st]] <- r$fit
  out[[paste0("bfi_ML_", st)]] <- fit_of(r$fit, r$seconds)
}
out$bfi_ML_lrt <- lrt_of(bf)
for (est in c("MLM", "MLR")) {
  bf <- list()
  for (st in c("configural", "metric", "scalar")) {
    r <- timed(cfa(bfi_model, data = bfi_items, group = "gender", group.equal = steps[[st]],
                   estimator = est))
    bf[[st]] <- r$fit
    out[[paste0("bfi_", est, "_", st)]] <- fit_of(r$fit, r$seconds)
  }
  out[[paste0("bfi_", est, "_lrt")]] <- lrt_of(bf)
}

paths_model <- paste(hs_model, "textual ~ visual", "speed ~ textual", sep = "\n")
paths_labelled <- paste(hs_model, "textual ~ c(a1, a2)*visual", "speed ~ c(b1, b2)*textual",
                        sep = "\n")
for (st in c("configural", "metric")) {
  r <- timed(sem(paths_model, data = hs, group = "school", group.equal = steps[[st]]))
  out[[paste0("hs_paths_", st)]] <- fit_of(r$fit, r$seconds)
  lab <- sem(paths_labelled, data = hs, group = "school", group.equal = steps[[st]])
  w1 <- lavTestWald(lab, "a1 == a2"); w2 <- lavTestWald(lab, "b1 == b2")
  out[[paste0("hs_paths_wald_", st)]] <- data.frame(
    lhs = c("textual", "speed"), op = c("~", "~"), rhs = c("visual", "textual"),
    stat = c(w1$stat, w2$stat), df = c(w1$df, w2$df), pvalue = c(w1$p.value, w2$p.value))
}

hs3 <- hs
hs3$school3 <- ifelse(hs3$x1 > median(hs3$x1), hs3$school, "High")
m3 <- paste(hs_model, "textual ~ visual", sep = "\n")
r <- timed(sem(m3, data = hs3, group = "school3"))
out$hs3_paths_configural <- fit_of(r$fit, r$seconds)
lab3 <- sem(paste(hs_model, "textual ~ c(a1, a2, a3)*visual", sep = "\n"), data = hs3,
            group = "school3")
w3 <- lavTestWald(lab3, "a1 == a2; a1 == a3")
out$hs3_paths_wald <- data.frame(lhs = "textual", op = "~", rhs = "visual", stat = w3$stat,
                                 df = w3$df, pvalue = w3$p.value)

writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, na = "null", dataframe = "rows",
                  pretty = FALSE),
           "tests/data/invariance_reference.json")
cat("written tests/data/invariance_reference.json\n")
