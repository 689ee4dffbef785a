# Segment (customer group) comparison references for cxsurvey.stats.segments.
# Data: tests/data/cx_journey_groups.csv, the sample survey's 33 items (1-5) with the
# respondents' Channel (App / Web) and Gender (Female / Male / Other). Construct scores
# are the means of each construct's items (no answer is missing in this file).
# Run from the repository root: Rscript tests/data/r/make_segments_reference.R
# (base R stats and jsonlite only; effsize is not needed: Hedges' g is computed from
# its formula below).
#
# JSON keys (every case holds one entry per variable: the 8 construct scores and the
# 33 items; groups in alphabetical order, the first minus the second):
#   note                 R version and method summary
#   channel              Channel, 2 groups (App, Web)
#   channel_omnibus      Channel with the tests of k groups (oneway.test, kruskal.test),
#                        as compare_segments(..., omnibus = TRUE) reports them
#   gender2              Gender without "Other", 2 groups (Female, Male)
#     <var>.n            group sizes
#     <var>.t, df, p     t.test(var.equal = FALSE): Welch's t, its df and two-sided p
#     <var>.p_holm       p.adjust(p, "holm") across the constructs, or across the items
#     <var>.hedges_g     Hedges' g = J d, d = (m1 - m2) / pooled SD,
#                        J = 1 - 3 / (4 (n1 + n2) - 9) (Hedges & Olkin 1985)
#     <var>.g_ci         g -/+ qt(1 - a/2, n1 + n2 - 2) sqrt((n1+n2)/(n1 n2) + g^2/(2(n1+n2)))
#     <var>.W, mw_p      wilcox.test(exact = FALSE, correct = TRUE): W (U of the first
#                        group) and the normal-approximation p with tie-corrected variance
#                        and continuity correction
#     <var>.mw_p_holm    Holm across constructs / items
#     <var>.rbc          rank-biserial r = 2 W / (n1 n2) - 1 (Wendt 1972)
#     <var>.mean, sd, median, top2   per group (top2: percent of scores >= 4 on 1-5)
#   gender3              Gender, 3 groups (Female, Male, Other)
#     <var>.n            group sizes
#     <var>.F, df1, df2, p   oneway.test(var.equal = FALSE): Welch's F
#     <var>.p_holm       Holm across constructs / items
#     <var>.omega2       (SS_b - (k - 1) MS_w) / (SS_t + MS_w) from aov() (Hays 1963)
#     <var>.H, H_df, kw_p    kruskal.test (tie-corrected H)
#     <var>.kw_p_holm    Holm across constructs / items
#     <var>.epsilon2     H (n + 1) / (n^2 - 1) = H / (n - 1) (Kelley 1935; Tomczak &
#                        Tomczak 2014)
# Undefined values are written as the string "NaN" (Welch's ANOVA where "Other"
# answered all alike: Result, Att7, Rslt1-3; R's oneway.test returns NaN there).
library(jsonlite)

d <- read.csv("tests/data/cx_journey_groups.csv", stringsAsFactors = FALSE)
constructs <- list(
  Awareness = paste0("Inf", 1:4), Attention = paste0("Att", 1:8),
  Assessment = paste0("Evalu", 1:3), Decision = paste0("Decis", 1:6),
  Purchase = paste0("Purch", 1:3), Use = paste0("Use", 1:3),
  Result = paste0("Rslt", 1:3), Loyalty = paste0("Lylt", 1:3))
items <- unlist(constructs, use.names = FALSE)
for (cn in names(constructs)) d[[cn]] <- rowMeans(d[, constructs[[cn]], drop = FALSE])

two_groups <- function(data, group, vars) {
  g <- factor(data[[group]])
  lv <- levels(g)
  out <- lapply(vars, function(v) {
    x <- data[[v]][g == lv[1]]
    y <- data[[v]][g == lv[2]]
    n1 <- length(x); n2 <- length(y)
    tt <- t.test(x, y, var.equal = FALSE)
    sp <- sqrt(((n1 - 1) * var(x) + (n2 - 1) * var(y)) / (n1 + n2 - 2))
    gg <- (mean(x) - mean(y)) / sp * (1 - 3 / (4 * (n1 + n2) - 9))
    se <- sqrt((n1 + n2) / (n1 * n2) + gg^2 / (2 * (n1 + n2)))
    q <- qt(0.975, n1 + n2 - 2)
    wt <- suppressWarnings(wilcox.test(x, y, exact = FALSE, correct = TRUE))
    desc <- function(z) list(mean = mean(z), sd = sd(z), median = median(z),
                             top2 = 100 * mean(z >= 4))
    list(n = c(n1, n2), t = unname(tt$statistic), df = unname(tt$parameter),
         p = tt$p.value, hedges_g = gg, g_ci = c(gg - q * se, gg + q * se),
         W = unname(wt$statistic), mw_p = wt$p.value,
         rbc = 2 * unname(wt$statistic) / (n1 * n2) - 1,
         groups = lv, desc = setNames(list(desc(x), desc(y)), lv))
  })
  names(out) <- vars
  out
}

three_groups <- function(data, group, vars) {
  g <- factor(data[[group]])
  out <- lapply(vars, function(v) {
    y <- data[[v]]
    ow <- oneway.test(y ~ g, var.equal = FALSE)
    tab <- summary(aov(y ~ g))[[1]]
    ssb <- tab[1, "Sum Sq"]; ssw <- tab[2, "Sum Sq"]
    msw <- tab[2, "Mean Sq"]; k <- nlevels(g)
    kw <- kruskal.test(y ~ g)
    n <- length(y)
    list(n = as.vector(table(g)), groups = levels(g),
         F = unname(ow$statistic), df1 = unname(ow$parameter[1]),
         df2 = unname(ow$parameter[2]), p = ow$p.value,
         omega2 = (ssb - (k - 1) * msw) / (ssb + ssw + msw),
         H = unname(kw$statistic), H_df = unname(kw$parameter), kw_p = kw$p.value,
         epsilon2 = unname(kw$statistic) * (n + 1) / (n^2 - 1))
  })
  names(out) <- vars
  out
}

holm <- function(res, key, out_key) {
  for (family in list(names(constructs), items)) {
    adj <- p.adjust(sapply(res[family], function(r) r[[key]]), method = "holm")
    for (v in family) res[[v]][[out_key]] <- unname(adj[v])
  }
  res
}

vars <- c(names(constructs), items)
channel <- two_groups(d, "Channel", vars)
channel <- holm(holm(channel, "p", "p_holm"), "mw_p", "mw_p_holm")
gender2 <- two_groups(d[d$Gender != "Other", ], "Gender", vars)
gender2 <- holm(holm(gender2, "p", "p_holm"), "mw_p", "mw_p_holm")
gender3 <- three_groups(d, "Gender", vars)
gender3 <- holm(holm(gender3, "p", "p_holm"), "kw_p", "kw_p_holm")
channel_omnibus <- three_groups(d, "Channel", vars)
channel_omnibus <- holm(holm(channel_omnibus, "p", "p_holm"), "kw_p", "kw_p_holm")

out <- list(
  note = paste("Segment comparisons on cx_journey_groups.csv: t.test(var.equal=FALSE),",
               "wilcox.test(exact=FALSE, correct=TRUE), oneway.test(var.equal=FALSE),",
               "kruskal.test, p.adjust(holm); Hedges' g, omega^2 and epsilon^2 from their",
               "formulas; R", getRversion()),
  channel = channel, gender2 = gender2, gender3 = gender3,
  channel_omnibus = channel_omnibus)
write_json(out, "tests/data/segments_reference.json", digits = NA, auto_unbox = TRUE,
           pretty = TRUE)
