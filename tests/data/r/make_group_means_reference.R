# Reference for the group-differences chart (cxsurvey.report.group_chart.group_means):
# each construct score's mean per customer group with its 95% t confidence interval.
# Data: tests/data/cx_journey_groups.csv (the sample survey's 33 items, 1-5, with the
# respondents' Channel and Gender); construct scores are the means of each construct's
# items (no answer is missing in this file).
# Run from the repository root: Rscript tests/data/r/make_group_means_reference.R
# (base R stats and jsonlite only). Writes tests/data/group_means_reference.json.
#
# JSON keys:
#   note                       R version and method
#   Channel, Gender            the grouping column; groups in alphabetical order
#     <construct>.<group>.n      group size
#     <construct>.<group>.mean   mean of the construct score
#     <construct>.<group>.sd     its SD (n - 1)
#     <construct>.<group>.ci     t.test(x, conf.level = 0.95)$conf.int: mean -/+
#                                qt(0.975, n - 1) sd / sqrt(n); a group whose scores
#                                are all alike (Gender Other on Result) gets the
#                                zero-width interval c(mean, mean)
library(jsonlite)

d <- read.csv("tests/data/cx_journey_groups.csv", stringsAsFactors = FALSE)
constructs <- list(
  Awareness = paste0("Inf", 1:4), Attention = paste0("Att", 1:8),
  Assessment = paste0("Evalu", 1:3), Decision = paste0("Decis", 1:6),
  Purchase = paste0("Purch", 1:3), Use = paste0("Use", 1:3),
  Result = paste0("Rslt", 1:3), Loyalty = paste0("Lylt", 1:3))
for (cn in names(constructs)) d[[cn]] <- rowMeans(d[, constructs[[cn]], drop = FALSE])

by_group <- function(group) {
  lv <- sort(unique(d[[group]]))
  out <- lapply(names(constructs), function(cn) {
    per <- lapply(lv, function(g) {
      x <- d[[cn]][d[[group]] == g]
      ci <- if (sd(x) > 0) as.numeric(t.test(x, conf.level = 0.95)$conf.int)
            else c(mean(x), mean(x))  # t.test refuses constant data: zero width
      list(n = length(x), mean = mean(x), sd = sd(x), ci = ci)
    })
    setNames(per, lv)
  })
  setNames(out, names(constructs))
}

ref <- list(note = paste(R.version.string, "- t.test(x)$conf.int per group"),
            Channel = by_group("Channel"), Gender = by_group("Gender"))
writeLines(toJSON(ref, auto_unbox = TRUE, digits = NA, pretty = TRUE),
           "tests/data/group_means_reference.json")
