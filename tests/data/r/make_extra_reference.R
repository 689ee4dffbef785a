# make_extra_reference.R -- independent R reference values for cxsurvey statistics that
# /work/shared/reference does not cover yet. Writes tests/data/extra_reference.json.
#
# Run from the repository root:   Rscript tests/data/r/make_extra_reference.R
#
# Written and run with:
#   R version 4.2.2 Patched (2022-11-10 r83330)
#   psych 2.2.9, nortest 1.0.4, GPArotation 2022.10.2 (needed by psych::omega), jsonlite 1.8.4
#   (Debian packages; the versions actually used are also written to the JSON under `versions`.)
#
# Input files (all in tests/data, copies of /work/shared/reference):
#   holzinger_swineford_1939.csv  lavaan::HolzingerSwineford1939, 301 rows, x1..x9 complete
#   bfi.csv                        psych::bfi, 2800 rows, A1..O5 scored 1..6, NA = empty field
#   political_democracy.csv        lavaan::PoliticalDemocracy, 75 rows, y1..y8 x1..x3 complete
#
# Output: JSON with 15 significant digits (jsonlite digits = I(15)); NA/NaN -> null.
# Every number below is a plain output of the R call named next to it; nothing is rounded.
#
# Sections
# --------
# lilliefors : per sample, nortest::lillie.test(x) -> D = $statistic, p_lillie = $p.value and
#              stats::shapiro.test(x) -> W = $statistic, p_shapiro = $p.value.
#              A sample is column `column` of file `source`, rows [start, stop) as a 0-based
#              Python slice over the file's data rows (header excluded), taken BEFORE dropping
#              NA; NA are then dropped (x[!is.na(x)]); n = length after dropping.
#              Samples: HS x1..x9 rows [0,301), [0,20), [0,50), [0,157), [100,130), [200,230);
#              PoliticalDemocracy y1..y8, x1..x3 rows [0,75); bfi A1..O5 rows [0,60).
#              Diagnostics written too (computed here from nortest's own formulas, see below):
#                p_dallal_wilkinson : the Dallal-Wilkinson p nortest computes first,
#                KK_stephens        : (sqrt(n) - 0.01 + 0.85/sqrt(n)) * D, used when DW p > 0.1,
#                p_branch           : which formula produced p_lillie:
#                                     "dallal_wilkinson" (DW p <= 0.1) or
#                                     "stephens_KK<=0.302" / "stephens_0.302<KK<=0.5" /
#                                     "stephens_0.5<KK<=0.9" / "stephens_0.9<KK<=1.31" / "stephens_KK>1.31".
# skew_kurt  : for the same samples, SPSS-style bias-corrected skewness G1 and excess kurtosis G2
#              with SPSS's standard errors, from the closed-form formulas (base R):
#                m_r = mean((x - mean(x))^r),  g1 = m3 / m2^1.5,  g2 = m4 / m2^2 - 3
#                G1 = sqrt(n (n - 1)) / (n - 2) * g1
#                G2 = (n - 1) / ((n - 2) (n - 3)) * ((n + 1) g2 + 6)
#                SE(G1) = sqrt(6 n (n - 1) / ((n - 2) (n + 1) (n + 3)))
#                SE(G2) = 2 SE(G1) sqrt((n^2 - 1) / ((n - 3) (n + 5)))
# mardia     : psych::mardia(x, na.rm = TRUE, plot = FALSE) on the complete cases of
#              bfi A1..A5, C1..C5, E1..E5, N1..N5, O1..O5 (RAW items, not reverse-coded) and of
#              HS x1..x3, x4..x6, x7..x9. Fields: n = $n.obs, p = $n.var, b1p, b2p,
#              skew = $skew, small_skew = $small.skew, kurtosis = $kurtosis, p_skew = $p.skew,
#              p_small = $p.small, p_kurt = $p.kurt. psych's definitions (psych 2.2.9 source,
#              printed by print(psych::mardia)):
#                x centred;  S = cov(x)  (divisor n - 1 !);  D = x S^-1 x'  (n x n)
#                b1p = sum(D^3) / n^2;  b2p = tr(D^2) / n
#                skew = n b1p / 6 ~ chi2(df = p (p + 1) (p + 2) / 6);  p_skew = upper tail
#                small_skew = n k b1p / 6, k = (p + 1)(n + 1)(n + 3) / (n ((n + 1)(p + 1) - 6))
#                kurtosis = (b2p - p (p + 2)) * sqrt(n / (8 p (p + 2)));
#                p_kurt = 2 * (1 - pnorm(abs(kurtosis)))   (absolute precision ~1e-16 only)
#              Because psych uses S with divisor n - 1, its b1p/b2p are ((n-1)/n)^3 and
#              ((n-1)/n)^2 times Mardia's (1970) original, which uses the ML covariance
#              (divisor n). For diagnosis only, the divisor-n versions are also written
#              (`divisor_n`: the same formulas with S = cov(x) * (n - 1) / n), computed here in R.
# minres     : per bfi scale with reverse keys (A1 C4 C5 E1 E2 O2 O5 recoded 7 - x), all 2800 rows:
#                r        = cor(x, use = "pairwise")      (5 x 5, row-major in the JSON)
#                f        = psych::fa(r, nfactors = 1, fm = "minres")   (psych defaults otherwise:
#                           SMC starting values, n.obs = NA, rotate irrelevant for 1 factor)
#                loadings = f$loadings[, 1], communalities = f$communality, uniquenesses = f$uniquenesses
#                om       = psych::omega(x, nfactors = 1, plot = FALSE)   (raw recoded items;
#                           omega computes cor(x, use = "pairwise") itself and factors it with
#                           fa(fm = "minres") via schmid())
#                omega_tot             = om$omega.tot = (sum(r) - sum(u2)) / sum(r), u2 = 1 - h2
#                omega_schmid_loadings = om$schmid$sl[, "g"]
#                omega_sum_loadings_sq = (sum(g loadings))^2 / sum(r)   (the formula cxsurvey's
#                                        omega_total uses; equals omega_tot only if the off-diagonal
#                                        residuals of the one-factor fit sum to zero)
#                fa_objective = f$objective (minres criterion value reported by psych)

suppressPackageStartupMessages({
  library(psych)
  library(nortest)
  library(jsonlite)
})

out_path <- file.path("tests", "data", "extra_reference.json")
hs <- read.csv(file.path("tests", "data", "holzinger_swineford_1939.csv"))
bfi <- read.csv(file.path("tests", "data", "bfi.csv"))
pd <- read.csv(file.path("tests", "data", "political_democracy.csv"))
stopifnot(nrow(hs) == 301, nrow(bfi) == 2800, nrow(pd) == 75)

versions <- list(
  R = R.version.string,
  psych = as.character(packageVersion("psych")),
  nortest = as.character(packageVersion("nortest")),
  GPArotation = as.character(packageVersion("GPArotation")),
  jsonlite = as.character(packageVersion("jsonlite"))
)

# ---------------------------------------------------------------- lilliefors / shapiro
lillie_diag <- function(x, D) {
  # the same arithmetic as nortest::lillie.test (1.0.4), only to label the branch
  n <- length(x)
  if (n <= 100) { Kd <- D; nd <- n } else { Kd <- D * ((n / 100)^0.49); nd <- 100 }
  pdw <- exp(-7.01256 * Kd^2 * (nd + 2.78019) + 2.99587 * Kd * sqrt(nd + 2.78019) -
               0.122119 + 0.974598 / sqrt(nd) + 1.67997 / nd)
  KK <- (sqrt(n) - 0.01 + 0.85 / sqrt(n)) * D
  branch <- if (pdw <= 0.1) "dallal_wilkinson" else if (KK <= 0.302) "stephens_KK<=0.302" else
    if (KK <= 0.5) "stephens_0.302<KK<=0.5" else if (KK <= 0.9) "stephens_0.5<KK<=0.9" else
    if (KK <= 1.31) "stephens_0.9<KK<=1.31" else "stephens_KK>1.31"
  list(p_dallal_wilkinson = pdw, KK_stephens = KK, p_branch = branch)
}

spss_moments <- function(x) {
  n <- length(x)
  d <- x - mean(x)
  m2 <- mean(d^2); m3 <- mean(d^3); m4 <- mean(d^4)
  g1 <- m3 / m2^1.5
  g2 <- m4 / m2^2 - 3
  G1 <- sqrt(n * (n - 1)) / (n - 2) * g1
  G2 <- (n - 1) / ((n - 2) * (n - 3)) * ((n + 1) * g2 + 6)
  se1 <- sqrt(6 * n * (n - 1) / ((n - 2) * (n + 1) * (n + 3)))
  se2 <- 2 * se1 * sqrt((n^2 - 1) / ((n - 3) * (n + 5)))
  list(skewness = G1, skewness_se = se1, kurtosis = G2, kurtosis_se = se2)
}

samples <- list()
add_sample <- function(src, frame, column, start, stop) {
  x <- frame[[column]][(start + 1):stop]   # python slice [start, stop)
  x <- x[!is.na(x)]
  samples[[length(samples) + 1]] <<- list(source = src, column = column, start = start,
                                          stop = stop, x = x)
}
hs_cols <- paste0("x", 1:9)
for (col in hs_cols) {
  add_sample("holzinger_swineford_1939.csv", hs, col, 0, 301)
  for (stop in c(20, 50, 157)) add_sample("holzinger_swineford_1939.csv", hs, col, 0, stop)
  # two 30-row windows: more samples with p > 0.1, several in Stephens' 0.302 < KK <= 0.5 branch
  for (start in c(100, 200)) add_sample("holzinger_swineford_1939.csv", hs, col, start, start + 30)
}
for (col in names(pd)) add_sample("political_democracy.csv", pd, col, 0, 75)
bfi_items <- c(paste0("A", 1:5), paste0("C", 1:5), paste0("E", 1:5), paste0("N", 1:5),
               paste0("O", 1:5))
for (col in bfi_items) add_sample("bfi.csv", bfi, col, 0, 60)

lillie_rows <- list()
moment_rows <- list()
for (s in samples) {
  x <- s$x
  lt <- nortest::lillie.test(x)
  sw <- stats::shapiro.test(x)
  D <- unname(lt$statistic)
  lillie_rows[[length(lillie_rows) + 1]] <- c(
    list(source = s$source, column = s$column, start = s$start, stop = s$stop, n = length(x),
         D = D, p_lillie = lt$p.value, W = unname(sw$statistic), p_shapiro = sw$p.value),
    lillie_diag(x, D))
  moment_rows[[length(moment_rows) + 1]] <- c(
    list(source = s$source, column = s$column, start = s$start, stop = s$stop, n = length(x)),
    spss_moments(x))
}

# ---------------------------------------------------------------- mardia
mardia_divisor_n <- function(x) {
  x <- as.matrix(na.omit(x))
  n <- nrow(x); p <- ncol(x)
  xc <- scale(x, scale = FALSE)
  S <- cov(xc) * (n - 1) / n
  D <- xc %*% solve(S) %*% t(xc)
  b1p <- sum(D^3) / n^2
  b2p <- sum(diag(D^2)) / n   # psych's tr(D^2) is the trace of the elementwise square
  skew <- n * b1p / 6
  kurt <- (b2p - p * (p + 2)) * sqrt(n / (8 * p * (p + 2)))
  list(b1p = b1p, b2p = b2p, skew = skew,
       p_skew = pchisq(skew, p * (p + 1) * (p + 2) / 6, lower.tail = FALSE),
       kurtosis = kurt, p_kurt = 2 * pnorm(-abs(kurt)))
}

mardia_sets <- list(
  list(source = "bfi.csv", label = "A", columns = paste0("A", 1:5), frame = bfi),
  list(source = "bfi.csv", label = "C", columns = paste0("C", 1:5), frame = bfi),
  list(source = "bfi.csv", label = "E", columns = paste0("E", 1:5), frame = bfi),
  list(source = "bfi.csv", label = "N", columns = paste0("N", 1:5), frame = bfi),
  list(source = "bfi.csv", label = "O", columns = paste0("O", 1:5), frame = bfi),
  list(source = "holzinger_swineford_1939.csv", label = "visual", columns = c("x1", "x2", "x3"), frame = hs),
  list(source = "holzinger_swineford_1939.csv", label = "textual", columns = c("x4", "x5", "x6"), frame = hs),
  list(source = "holzinger_swineford_1939.csv", label = "speed", columns = c("x7", "x8", "x9"), frame = hs)
)
mardia_rows <- list()
for (m in mardia_sets) {
  x <- m$frame[, m$columns]
  x <- x[complete.cases(x), ]
  r <- psych::mardia(x, na.rm = TRUE, plot = FALSE)
  mardia_rows[[length(mardia_rows) + 1]] <- list(
    source = m$source, label = m$label, columns = m$columns, n = r$n.obs, p = r$n.var,
    b1p = r$b1p, b2p = r$b2p, skew = r$skew, small_skew = r$small.skew,
    kurtosis = r$kurtosis, p_skew = r$p.skew, p_small = r$p.small, p_kurt = r$p.kurt,
    skew_df = r$n.var * (r$n.var + 1) * (r$n.var + 2) / 6,
    divisor_n = mardia_divisor_n(x))
}

# ---------------------------------------------------------------- minres / omega
reverse_keyed <- c("A1", "C4", "C5", "E1", "E2", "O2", "O5")
bfi_rev <- bfi
for (it in reverse_keyed) bfi_rev[[it]] <- 7 - bfi_rev[[it]]
minres_rows <- list()
for (sc in c("A", "C", "E", "N", "O")) {
  items <- paste0(sc, 1:5)
  x <- bfi_rev[, items]
  r <- cor(x, use = "pairwise")
  f <- suppressWarnings(psych::fa(r, nfactors = 1, fm = "minres"))
  om <- suppressWarnings(suppressMessages(psych::omega(x, nfactors = 1, plot = FALSE)))
  g <- om$schmid$sl[, "g"]
  minres_rows[[length(minres_rows) + 1]] <- list(
    scale = sc, items = items, reversed = I(intersect(items, reverse_keyed)), n_rows = nrow(x),
    r = unname(r),
    loadings = unname(f$loadings[, 1]),
    communalities = unname(f$communality),
    uniquenesses = unname(f$uniquenesses),
    fa_objective = f$objective,
    omega_tot = om$omega.tot,
    omega_schmid_loadings = unname(g),
    omega_sum_loadings_sq = sum(g)^2 / sum(r))
}

out <- list(
  generated_by = "tests/data/r/make_extra_reference.R",
  versions = versions,
  row_convention = "start/stop: 0-based Python slice over the CSV data rows (header excluded) taken before NA are dropped",
  lilliefors_note = paste(
    "nortest::lillie.test(x): D = max(D+, D-) of the KS distance to N(mean(x), sd(x)) (sd with n-1);",
    "p: Dallal-Wilkinson (1986) approximation with n>100 rescaled (Kd = D (n/100)^0.49, nd = 100);",
    "if that p > 0.1, Stephens' (1974) polynomial in KK = (sqrt(n) - 0.01 + 0.85/sqrt(n)) D",
    "(p = 1 for KK <= 0.302, 0 for KK > 1.31). stats::shapiro.test: Royston (1995) AS R94.",
    "p_dallal_wilkinson, KK_stephens, p_branch are diagnostics recomputed with nortest's formulas."),
  lilliefors = lillie_rows,
  skew_kurt_note = paste(
    "Closed-form SPSS G1/G2 (Joanes & Gill 1998 type 2) with SPSS standard errors, same samples as",
    "`lilliefors`: G1 = sqrt(n(n-1))/(n-2) g1, G2 = (n-1)/((n-2)(n-3)) ((n+1) g2 + 6),",
    "SE(G1) = sqrt(6n(n-1)/((n-2)(n+1)(n+3))), SE(G2) = 2 SE(G1) sqrt((n^2-1)/((n-3)(n+5)))."),
  skew_kurt = moment_rows,
  mardia_note = paste(
    "psych::mardia(x, plot = FALSE) on complete cases (raw bfi items, not reverse-coded).",
    "psych centres x, takes S = cov(x) WITH DIVISOR n-1, D = x S^-1 x',",
    "b1p = sum(D^3)/n^2, b2p = sum(diag(D)^2)/n;",
    "skew = n*b1p/6 (chi-square, df = p(p+1)(p+2)/6, p_skew upper tail);",
    "small_skew = n*k*b1p/6 with k = (p+1)(n+1)(n+3)/(n((n+1)(p+1)-6)) (small-sample corrected, p_small);",
    "kurtosis = (b2p - p(p+2)) * sqrt(n/(8p(p+2))) (a z statistic, not b2p), p_kurt = 2(1 - pnorm(|z|)).",
    "Because of the n-1 divisor, psych's b1p = ((n-1)/n)^3 and b2p = ((n-1)/n)^2 times Mardia's (1970)",
    "values with the ML (divisor n) covariance; `divisor_n` holds those (same formulas, S = cov(x)(n-1)/n),",
    "computed in R for diagnosis, not by psych."),
  mardia = mardia_rows,
  minres_note = paste(
    "bfi scales with reverse-keyed items A1 C4 C5 E1 E2 O2 O5 recoded 7 - x, all 2800 rows.",
    "r = cor(x, use = 'pairwise'); loadings = psych::fa(r, nfactors = 1, fm = 'minres')$loadings;",
    "omega_tot = psych::omega(x, nfactors = 1)$omega.tot = (sum(r) - sum(1 - h2))/sum(r);",
    "omega_sum_loadings_sq = (sum of omega's g loadings)^2 / sum(r)."),
  minres = minres_rows
)

writeLines(toJSON(out, digits = I(15), na = "null", auto_unbox = TRUE, pretty = TRUE), out_path)
cat("wrote", out_path, "\n")
