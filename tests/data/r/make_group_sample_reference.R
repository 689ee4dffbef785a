# make_group_sample_reference.R -- lavaan reference values for the bundled sample survey
# compared by Channel (App / Web): measurement invariance of its CFA (configural, metric,
# scalar, strict; ML and MLR), lavTestLRT between the steps, and the group-wise structural
# paths with equal loadings and their Wald tests. Writes tests/data/group_sample_reference.json.
#
# Run from the repository root:   Rscript tests/data/r/make_group_sample_reference.R
#
# Needs R with lavaan (0.6-14 used) and jsonlite; versions are written under `meta`.
# Data: tests/data/cx_journey_groups.csv (the 33 analysed items of
# sample_surveys/cx_journey.xlsx and its Channel and Gender columns, 157 rows, no missing
# answers). Groups are given in the order App, Web (sorted, as cxsurvey orders them) with
# group.label: lavaan would otherwise order them as they first appear (Web first).
#
# Keys:
#   meta                   versions, data file, group sizes.
#   invariance_ml          per step (configural, metric, scalar, strict): fitMeasures
#                          (npar, chisq, df, pvalue, cfi, tli, rmsea, rmsea.ci.lower,
#                          rmsea.ci.upper, srmr, aic, bic); lrt: lavTestLRT(configural,
#                          metric, scalar, strict) rows (Df, Chisq, Chisq diff, Df diff,
#                          Pr(>Chisq)).
#   invariance_mlr         the same with estimator = "MLR" (plus cfi.robust, tli.robust,
#                          rmsea.robust, chisq.scaled, chisq.scaling.factor; lavTestLRT's
#                          default scaled difference test, Satorra-Bentler 2001).
#   group_paths            sem(structural model, group = "Channel", group.equal = "loadings"):
#                          each regression's estimate and se per group, and lavTestWald of
#                          its equality (labels b1_g / b2_g per path) -- stat, df, p.
library(lavaan)
library(jsonlite)

d <- read.csv("tests/data/cx_journey_groups.csv")
d$Channel <- factor(d$Channel, levels = c("App", "Web"))
meas <- "
Awareness  =~ Inf1 + Inf2 + Inf3 + Inf4
Attention  =~ Att1 + Att2 + Att3 + Att4 + Att5 + Att6 + Att7 + Att8
Assessment =~ Evalu1 + Evalu2 + Evalu3
Decision   =~ Decis1 + Decis2 + Decis3 + Decis4 + Decis5 + Decis6
Purchase   =~ Purch1 + Purch2 + Purch3
Use        =~ Use1 + Use2 + Use3
Result     =~ Rslt1 + Rslt2 + Rslt3
Loyalty    =~ Lylt1 + Lylt2 + Lylt3
"
regs <- list(c("Attention", "Awareness"), c("Assessment", "Attention"),
             c("Decision", "Assessment"), c("Purchase", "Decision"), c("Use", "Purchase"),
             c("Result", "Use"), c("Loyalty", "Result"))
keys <- c("npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower",
          "rmsea.ci.upper", "srmr", "aic", "bic")
robust_keys <- c("chisq.scaled", "chisq.scaling.factor", "cfi.robust", "tli.robust",
                 "rmsea.robust", "cfi.scaled", "tli.scaled", "rmsea.scaled")
steps <- list(configural = "", metric = "loadings",
              scalar = c("loadings", "intercepts"),
              strict = c("loadings", "intercepts", "residuals"))

invariance <- function(estimator) {
  fits <- lapply(steps, function(eq) cfa(meas, data = d, group = "Channel",
                                         group.label = c("App", "Web"),
                                         group.equal = eq, estimator = estimator))
  k <- if (estimator == "ML") keys else c(keys, robust_keys)
  measures <- lapply(fits, function(f) as.list(fitMeasures(f, k)))
  lrt <- lavTestLRT(fits$configural, fits$metric, fits$scalar, fits$strict)
  list(call = sprintf("cfa(model, data, group = 'Channel', group.equal = <step>, estimator = '%s')",
                      estimator),
       converged = sapply(fits, lavInspect, "converged"),
       fit = measures,
       lrt = list(models = rownames(lrt), df = lrt$Df, chisq = lrt$Chisq,
                  chisq_diff = lrt[["Chisq diff"]], df_diff = lrt[["Df diff"]],
                  pvalue = lrt[["Pr(>Chisq)"]],
                  method = attr(lrt, "heading")))
}

struct <- meas
for (i in seq_along(regs)) {
  struct <- paste0(struct, sprintf("%s ~ c(b%d_1, b%d_2) * %s\n", regs[[i]][1], i, i,
                                   regs[[i]][2]))
}
sf <- sem(struct, data = d, group = "Channel", group.label = c("App", "Web"),
          group.equal = "loadings")
pe <- parameterEstimates(sf)
paths <- lapply(seq_along(regs), function(i) {
  rows <- pe[pe$op == "~" & pe$lhs == regs[[i]][1] & pe$rhs == regs[[i]][2], ]
  w <- lavTestWald(sf, constraints = sprintf("b%d_1 == b%d_2", i, i))
  list(lhs = regs[[i]][1], rhs = regs[[i]][2], est = rows$est, se = rows$se,
       group = rows$group, stat = w$stat, df = w$df, pvalue = w$p.value)
})

out <- list(
  meta = list(R = R.version.string, lavaan = as.character(packageVersion("lavaan")),
              jsonlite = as.character(packageVersion("jsonlite")),
              data = "tests/data/cx_journey_groups.csv",
              groups = as.list(table(d$Channel))),
  invariance_ml = invariance("ML"),
  invariance_mlr = invariance("MLR"),
  group_paths = list(call = paste0("sem(model, data, group = 'Channel', group.label = ",
                                   "c('App', 'Web'), group.equal = 'loadings')"),
                     group_label = lavInspect(sf, "group.label"),
                     converged = lavInspect(sf, "converged"), paths = paths))
write_json(out, "tests/data/group_sample_reference.json", digits = NA, auto_unbox = TRUE,
           pretty = TRUE)
