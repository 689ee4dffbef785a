# Full collinearity VIF (Kock 2015; Kock & Lynn 2012) references for cxsurvey's tests.
# Construct scores are unit-weighted item means on rows complete on every item; each
# score is regressed on all the others with lm() and VIF = 1 / (1 - R^2).
# Run from the repository root: Rscript tests/data/r/make_collinearity_reference.R
library(jsonlite)

fc_vif <- function(scores) {
  sapply(names(scores), function(y) {
    others <- setdiff(names(scores), y)
    f <- as.formula(paste0("`", y, "` ~ ", paste0("`", others, "`", collapse = " + ")))
    1 / (1 - summary(lm(f, data = scores))$r.squared)
  })
}

scores_of <- function(data, constructs) {
  items <- unlist(constructs)
  complete <- data[complete.cases(data[, items]), items]
  as.data.frame(lapply(constructs, function(its) rowMeans(complete[, its, drop = FALSE])))
}

bfi <- read.csv("tests/data/bfi.csv")
bfi_constructs <- list(A = paste0("A", 1:5), C = paste0("C", 1:5), E = paste0("E", 1:5),
                       N = paste0("N", 1:5), O = paste0("O", 1:5))
hs <- read.csv("tests/data/holzinger_swineford_1939.csv")
hs_constructs <- list(visual = c("x1", "x2", "x3"), textual = c("x4", "x5", "x6"),
                      speed = c("x7", "x8", "x9"))

out <- list(
  note = paste("Full collinearity VIF of unit-weighted construct scores (item means,",
               "listwise), 1/(1-R^2) from lm(); R", getRversion()),
  bfi = list(constructs = bfi_constructs,
             n = nrow(scores_of(bfi, bfi_constructs)),
             vif = as.list(fc_vif(scores_of(bfi, bfi_constructs)))),
  holzinger_swineford = list(constructs = hs_constructs,
                             n = nrow(scores_of(hs, hs_constructs)),
                             vif = as.list(fc_vif(scores_of(hs, hs_constructs))))
)
write_json(out, "tests/data/collinearity_reference.json", auto_unbox = TRUE, digits = NA,
           pretty = TRUE)
