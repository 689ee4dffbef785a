# make_polychoric_small.R -- reference polychoric correlations for cxsurvey.stats.ordinal.
# Writes tests/data/polychoric_small.json.
#
# Run from the repository root:   Rscript tests/data/r/make_polychoric_small.R
#
# Written and run with R 4.2.2 and lavaan 0.6.14, psych 2.2.9, polycor 0.8.1, jsonlite
# (the versions actually used are written to the JSON under `versions`).
#
# Input: tests/data/bfi.csv (psych::bfi, 2800 rows, items scored 1..6, NA = empty field).
# Items: A1, A2, C4, E3, O5.
#
# Sections
# --------
# complete : the first 500 rows complete on the five items.
#   lavaan   : lavCor(x, ordered = items, output = "fit"); lavInspect(fit, "sampstat")
#              gives the polychoric matrix ($cov, unit diagonal) and thresholds ($th, names
#              "A1|t1", ...); zero_cell_tables = the pairs lavaan flags as having empty cells.
#   psych    : psych::polychoric(x) (defaults: global = TRUE, correct = 0.5) $rho and $tau.
#   polycor  : polycor::polychor(x[[i]], x[[j]], ML = FALSE) for every pair i < j.
# pairwise : the first 500 rows of the five items WITH their missing values,
#   lavaan   : lavCor(x, ordered = items, missing = "pairwise", output = "fit") as above,
#              plus n per pair (rows where both items are observed).
#
# Output: JSON with 17 significant digits. Matrices are {row: {column: value}}.

suppressPackageStartupMessages({
  library(lavaan); library(psych); library(polycor); library(jsonlite)
})

bfi <- read.csv("tests/data/bfi.csv")
items <- c("A1", "A2", "C4", "E3", "O5")
x_all <- bfi[, items]
x_complete <- head(x_all[complete.cases(x_all), ], 500)
x_pairwise <- head(x_all, 500)

as_matrix_list <- function(m) {
  out <- list()
  for (r in rownames(m)) {
    out[[r]] <- as.list(setNames(as.numeric(m[r, ]), colnames(m)))
  }
  out
}

lavaan_section <- function(x, missing) {
  fit <- lavCor(x, ordered = items, missing = missing, output = "fit")
  ss <- lavInspect(fit, "sampstat")
  cor <- ss$cov
  cor <- matrix(as.numeric(cor), nrow(cor), dimnames = dimnames(cor))
  th <- ss$th
  th_list <- list()
  for (it in items) {
    th_list[[it]] <- as.numeric(th[startsWith(names(th), paste0(it, "|"))])
  }
  zc <- lavInspect(fit, "zero.cell.tables")
  list(matrix = as_matrix_list(cor), thresholds = th_list,
       zero_cell_tables = I(if (length(zc) == 0) character(0) else names(zc)))
}

complete_lavaan <- lavaan_section(x_complete, "listwise")

pc <- psych::polychoric(x_complete)
tau <- list()
for (it in items) tau[[it]] <- as.numeric(pc$tau[it, ])

pairs <- list()
for (i in 1:(length(items) - 1)) {
  for (j in (i + 1):length(items)) {
    pairs[[length(pairs) + 1]] <- list(
      item1 = items[i], item2 = items[j],
      rho = polycor::polychor(x_complete[[items[i]]], x_complete[[items[j]]], ML = FALSE))
  }
}

pairwise_lavaan <- lavaan_section(x_pairwise, "pairwise")
npair <- crossprod(!is.na(as.matrix(x_pairwise)))

out <- list(
  versions = list(R = R.version.string,
                  lavaan = as.character(packageVersion("lavaan")),
                  psych = as.character(packageVersion("psych")),
                  polycor = as.character(packageVersion("polycor"))),
  items = items,
  complete = list(n = nrow(x_complete), rows = as.integer(rownames(x_complete)),
                  lavaan = complete_lavaan,
                  psych = list(rho = as_matrix_list(pc$rho), tau = tau),
                  polycor = pairs),
  pairwise = list(n = nrow(x_pairwise), lavaan = pairwise_lavaan,
                  n_pair = as_matrix_list(npair))
)
writeLines(toJSON(out, auto_unbox = TRUE, digits = I(17), pretty = TRUE),
           "tests/data/polychoric_small.json")
