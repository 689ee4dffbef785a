# make_nacov_small.R -- full reference Gamma (NACOV) of thresholds and polychoric correlations
# for cxsurvey.stats.ordinal.acov. Writes tests/data/nacov_small.json.
#
# Run from the repository root:   Rscript tests/data/r/make_nacov_small.R
#
# Written and run with R 4.2.2, lavaan 0.6-14 and jsonlite (versions written under `versions`).
#
# Input: tests/data/bfi.csv (psych::bfi, 2800 rows, items scored 1..6, NA = empty field).
# Items: A1, A2, C4, E3, O5. Model: one factor, f =~ A1 + A2 + C4 + E3 + O5, fitted with
# cfa(..., ordered = TRUE, estimator = "WLSMV") only to obtain lavaan's sample statistics
# (Gamma does not depend on the model).
#
# Sections
# --------
# complete : the first 500 rows complete on the five items (lavaan's default listwise).
# pairwise : the first 500 rows with their missing values, missing = "pairwise".
# binary   : the rows of `complete` with A1 and C4 dichotomised (A1: 1-3 -> 1, 4-6 -> 2;
#            C4: 1-2 -> 1, 3-6 -> 2) and E3 collapsed to three categories (1-2, 3-4, 5-6):
#            2 x 2, 2 x 3, 2 x 6 and 3 x 6 tables.
# one_empty_cell / two_empty_cells : four derived items of the `complete` rows, stored under
#            `data` (columns a, b, c, d): a = 1 + (A2 >= 5), c = C4 collapsed to 1-2, 3-4, 5-6,
#            d = E3; b = 2 where a = 2 and 1 + (O5 >= 3) elsewhere (a 2 x 2 table of a and b
#            with one empty cell: lavaan adds 0.5 to it, keeping the margins), or b = a (two
#            empty cells: lavaan sets rho = 1 without estimating it). Model f =~ a + b + c + d.
# Each section: rows (1-based rows of bfi.csv), nobs, missing, names (lavaan's wls.obs order:
# thresholds, then the below-diagonal correlations column by column), wls_obs (the sample
# statistics in that order), gamma (lavInspect(fit, "gamma"), row-major list of rows),
# wls_v_diagonal (diag of lavInspect(fit, "wls.v")), warnings (lavaan's warnings, verbatim),
# data (the derived sections only: the item columns used).
#
# Output: JSON with 17 significant digits.

suppressPackageStartupMessages({
  library(lavaan); library(jsonlite)
})

bfi <- read.csv("tests/data/bfi.csv")
items <- c("A1", "A2", "C4", "E3", "O5")
model <- "f =~ A1 + A2 + C4 + E3 + O5"
x_all <- bfi[, items]
complete_rows <- head(which(complete.cases(x_all)), 500)
x_complete <- x_all[complete_rows, ]
x_pairwise <- head(x_all, 500)
x_binary <- x_complete
x_binary$A1 <- ifelse(x_binary$A1 <= 3, 1L, 2L)
x_binary$C4 <- ifelse(x_binary$C4 <= 2, 1L, 2L)
x_binary$E3 <- as.integer(cut(x_binary$E3, c(0, 2, 4, 6)))

derived <- data.frame(a = 1L + (x_complete$A2 >= 5), c = as.integer(cut(x_complete$C4, c(0, 2, 4, 6))),
                      d = x_complete$E3)
derived$b <- ifelse(derived$a == 2L, 2L, 1L + (x_complete$O5 >= 3))
derived <- derived[, c("a", "b", "c", "d")]
two_empty <- derived
two_empty$b <- two_empty$a
stopifnot(sum(table(derived$a, derived$b) == 0) == 1, sum(table(two_empty$a, two_empty$b) == 0) == 2)

section <- function(x, rows, missing, model_syntax = model, store_data = FALSE) {
  warns <- character()
  fit <- withCallingHandlers(
    cfa(model_syntax, data = x, ordered = names(x), estimator = "WLSMV", missing = missing),
    warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") })
  g <- lavInspect(fit, "gamma")
  wo <- lavInspect(fit, "wls.obs")
  stopifnot(identical(names(wo), rownames(g)))
  out <- list(rows = I(rows), nobs = lavInspect(fit, "nobs"),
              missing = lavInspect(fit, "options")$missing,
              names = I(rownames(g)), wls_obs = I(unname(wo)),
              gamma = lapply(seq_len(nrow(g)), function(i) unname(g[i, ])),
              wls_v_diagonal = I(unname(diag(lavInspect(fit, "wls.v")))),
              warnings = I(warns))
  if (store_data) out$data <- lapply(x, I)
  out
}

out <- list(
  versions = list(R = R.version.string, lavaan = as.character(packageVersion("lavaan")),
                  jsonlite = as.character(packageVersion("jsonlite"))),
  items = I(items),
  model = model,
  complete = section(x_complete, complete_rows, "listwise"),
  pairwise = section(x_pairwise, seq_len(500), "pairwise"),
  binary = section(x_binary, complete_rows, "listwise"),
  one_empty_cell = section(derived, complete_rows, "listwise", "f =~ a + b + c + d", TRUE),
  two_empty_cells = section(two_empty, complete_rows, "listwise", "f =~ a + b + c + d", TRUE))

writeLines(toJSON(out, auto_unbox = TRUE, digits = I(17), na = "null", pretty = TRUE),
           "tests/data/nacov_small.json")
