# make_plsc_fit_reference.R -- independent base-R reference for consistent PLS (PLSc) and
# PLS model fit (SRMR, d_ULS, d_G with Bollen-Stine bootstrap quantiles).
# Writes tests/data/pls/plsc_fit_reference.json.
#
# Run from the repository root:   Rscript tests/data/r/make_plsc_fit_reference.R
#
# Written and run with R 4 and jsonlite (no PLS package is installed: the PLS algorithm,
# PLSc and the fit measures are written out below in base R from the published formulas,
# loop by loop, independently of cxsurvey's vectorised numpy code).
#
# Inputs (tests/data/pls): mobi.csv, satisfaction.csv (first column = row id),
# boot_indices_mobi_ecsi_seminr.json (100 x 250 1-based R resample rows; both data sets
# have 250 rows, so the same index matrix is used for both).
#
# Definitions
# -----------
# PLS: standardised items (scale(), n-1), weights start at 1, every score scaled to unit
#   sample variance; inner weights: path scheme (predecessors: OLS coefficients of the
#   construct on its predecessors; successors: correlations) or centroid (sign of the
#   correlation of adjacent constructs); Mode A w = cor(X_j, proxy), Mode B
#   w = S_jj^-1 cor(X_j, proxy); single items weight 1; stop when sum |w_new - w_old| < tol.
# PLSc (Dijkstra & Henseler 2015): for multi-item Mode A blocks
#   c^2 = w'(S - diag S)w / w'(ww' - diag ww')w, loadings c*w, rho_A = c^2 (w'w)^2;
#   Mode B / single items: rho_A = 1, PLS loadings. Construct correlations divided by
#   sqrt(rho_A_i rho_A_j); paths and R^2 by OLS on them.
# Implied indicator correlations (kind "common_factor": PLSc, Mode A blocks are factors;
#   kind "composite": PLS, every block a composite): Sigma = L C L', composite blocks
#   replaced by S, diagonal 1. Saturated: C = construct correlations; estimated:
#   C = (I-B)^-1 Psi (I-B)^-T with Psi = exogenous correlations + diag(1 - R^2) of the
#   endogenous constructs, diagonal of C set to 1 (cSEM fit()).
# SRMR = sqrt(mean squared residual, lower triangle incl. diagonal); d_ULS = 0.5 sum of all
#   squared residuals; d_G = 0.5 sum log10(eigenvalues of S^-1 Sigma)^2.
# Admissible (cSEM verify): |loadings| <= 1, 0 < rho_A <= 1, off-diagonal |C| < 1, C and
#   the estimated-model Sigma positive definite (the last two via smallest eigenvalue > 0).
# Bollen-Stine bootstrap: Zt = Z S^-1/2 Sigma^1/2 (symmetric roots, eigen()); per resample
#   (rows idx of Zt) re-estimate, compute the discrepancies; resamples not converged or
#   inadmissible are dropped; quantiles 0.95 and 0.99 by quantile(type = 7); mean too.
#
# JSON keys
# ---------
# settings                          : tol, max_iter, n_boot, quantile type
# models.<name>.spec                : data, blocks, modes, paths, scheme
# models.<name>.plsc                : loadings {construct: {item: value}}, rho_a, paths
#                                     {"A -> B": value}, r2, construct_correlations
#                                     (lower triangle "A | B"), computed at tol 1e-12
# models.<name>.plsc_boot           : mean and sd (n-1) of PLSc paths, loadings, r2 over the
#                                     100 seminr resamples (tol 1e-7, no resample dropped),
#                                     n_used
# models.<name>.fit.<kind>.<model>  : value / boot_mean / hi95 / hi99 of SRMR, d_ULS, d_G,
#                                     n_used; <kind> common_factor or composite, <model>
#                                     saturated or estimated; values at tol 1e-12,
#                                     bootstrap at tol 1e-7.
# checks                            : max |diff| of this script against seminr M3 and ADANCO
#                                     (validates the script, not the package)

suppressMessages(library(jsonlite))

dir <- "tests/data/pls"
mobi <- read.csv(file.path(dir, "mobi.csv"))
sat <- read.csv(file.path(dir, "satisfaction.csv"))[, -1]
boot_idx <- fromJSON(file.path(dir, "boot_indices_mobi_ecsi_seminr.json"))$indices
boot_idx <- as.matrix(boot_idx)

# ---------------------------------------------------------------- PLS algorithm
pls <- function(S, blocks, modes, paths, scheme, tol, max_iter = 300) {
  cons <- names(blocks)
  k <- length(cons)
  items <- unlist(blocks, use.names = FALSE)
  member <- rep(seq_len(k), sapply(blocks, length))
  adj <- matrix(0, k, k, dimnames = list(cons, cons))
  for (p in paths) adj[p[1], p[2]] <- 1
  W <- matrix(0, length(items), k)
  for (j in seq_len(k)) W[member == j, j] <- 1
  norm_w <- function(W) {
    for (j in seq_len(k)) W[, j] <- W[, j] / sqrt(drop(t(W[, j]) %*% S %*% W[, j]))
    W
  }
  W <- norm_w(W)
  converged <- FALSE
  for (it in seq_len(max_iter)) {
    C <- t(W) %*% S %*% W
    E <- matrix(0, k, k)
    for (j in seq_len(k)) {
      for (i in seq_len(k)) {
        if (adj[i, j] == 1 || adj[j, i] == 1) {
          if (scheme == "centroid") E[i, j] <- sign(C[i, j])
          else if (adj[j, i] == 1) E[i, j] <- C[i, j]     # i is a successor of j
        }
      }
      pred <- which(adj[, j] == 1)
      if (scheme == "path" && length(pred) > 0)
        E[pred, j] <- solve(C[pred, pred, drop = FALSE], C[pred, j])
    }
    Wn <- matrix(0, length(items), k)
    for (j in seq_len(k)) {
      idx <- which(member == j)
      proxy_cov <- S[idx, , drop = FALSE] %*% W %*% E[, j]   # cov(X_j, sum_i e_ij Y_i)
      if (length(idx) == 1) Wn[idx, j] <- 1
      else if (modes[[cons[j]]] == "B") Wn[idx, j] <- solve(S[idx, idx], proxy_cov)
      else Wn[idx, j] <- proxy_cov
    }
    Wn <- norm_w(Wn)
    diff <- sum(abs(Wn - W))
    W <- Wn
    if (diff < tol) { converged <- TRUE; break }
  }
  C <- t(W) %*% S %*% W
  lam <- sapply(seq_along(items), function(i) (S %*% W)[i, member[i]])
  list(W = W, w = rowSums(W), C = C, lam = lam, member = member, items = items, cons = cons,
       adj = adj, converged = converged)
}

ols <- function(C, adj) {
  k <- nrow(C)
  B <- matrix(0, k, k)
  r2 <- rep(NA, k)
  for (j in seq_len(k)) {
    pred <- which(adj[, j] == 1)
    if (length(pred) == 0) next
    b <- solve(C[pred, pred, drop = FALSE], C[pred, j])
    B[pred, j] <- b
    r2[j] <- sum(b * C[pred, j])
  }
  list(B = B, r2 = r2)
}

plsc <- function(S, est, modes) {
  k <- length(est$cons)
  q <- rep(1, k)
  lam <- est$lam
  for (j in seq_len(k)) {
    idx <- which(est$member == j)
    if (length(idx) == 1 || modes[[est$cons[j]]] == "B") next
    w <- est$w[idx]
    Sj <- S[idx, idx]
    ww <- w %o% w
    c2 <- drop(t(w) %*% (Sj - diag(diag(Sj))) %*% w) / drop(t(w) %*% (ww - diag(diag(ww))) %*% w)
    lam[idx] <- sqrt(c2) * w
    q[j] <- sqrt(c2) * sum(w^2)
  }
  C <- est$C / (q %o% q)
  diag(C) <- 1
  s <- ols(C, est$adj)
  list(lam = lam, rho_a = q^2, C = C, B = s$B, r2 = s$r2)
}

# ---------------------------------------------------------------- implied matrices, fit
implied <- function(S, est, lam, C, B, r2, kind, modes, saturated) {
  k <- length(est$cons)
  if (!saturated) {
    endo <- which(colSums(est$adj) > 0)
    exo <- setdiff(seq_len(k), endo)
    Psi <- matrix(0, k, k)
    Psi[exo, exo] <- C[exo, exo]
    for (j in endo) Psi[j, j] <- 1 - r2[j]
    inv <- solve(diag(k) - t(B))
    C <- inv %*% Psi %*% t(inv)
    diag(C) <- 1
  }
  L <- matrix(0, length(lam), k)
  for (i in seq_along(lam)) L[i, est$member[i]] <- lam[i]
  Sig <- L %*% C %*% t(L)
  for (j in seq_len(k)) {
    idx <- which(est$member == j)
    if (kind == "composite" || modes[[est$cons[j]]] == "B" || length(idx) == 1)
      Sig[idx, idx] <- S[idx, idx]
  }
  diag(Sig) <- 1
  list(Sigma = Sig, C = C)
}

discrepancy <- function(S, Sig) {
  D <- S - Sig
  low <- lower.tri(D, diag = TRUE)
  ev <- Re(eigen(solve(S) %*% Sig, only.values = TRUE)$values)
  dg <- if (all(ev > 0)) 0.5 * sum(log10(ev)^2) else NA
  c(SRMR = sqrt(mean(D[low]^2)), d_ULS = 0.5 * sum(D^2), d_G = dg)
}

model_parts <- function(S, spec, kind, tol) {
  est <- pls(S, spec$blocks, spec$modes, spec$paths, spec$scheme, tol)
  if (kind == "common_factor") {
    pc <- plsc(S, est, spec$modes)
    lam <- pc$lam; C <- pc$C; B <- pc$B; r2 <- pc$r2; rho <- pc$rho_a
  } else {
    s <- ols(est$C, est$adj)
    lam <- est$lam; C <- est$C; B <- s$B; r2 <- s$r2; rho <- rep(0.5, ncol(C))
  }
  sat_m <- implied(S, est, lam, C, B, r2, kind, spec$modes, TRUE)
  est_m <- implied(S, est, lam, C, B, r2, kind, spec$modes, FALSE)
  off <- C; diag(off) <- 0
  admissible <- est$converged && all(abs(lam) <= 1) && all(rho > 0 & rho <= 1) &&
    all(abs(off) < 1) && min(eigen(C, only.values = TRUE)$values) > 0 &&
    min(eigen(est_m$Sigma, only.values = TRUE)$values) > 0
  list(est = est, saturated = sat_m$Sigma, estimated = est_m$Sigma, admissible = admissible)
}

sqrtm_sym <- function(A, power) {
  e <- eigen(A, symmetric = TRUE)
  e$vectors %*% diag(e$values^power) %*% t(e$vectors)
}

fit_with_boot <- function(X, spec, kind) {
  Z <- scale(as.matrix(X))
  S <- cor(Z)
  full <- model_parts(S, spec, kind, 1e-12)
  out <- list()
  for (variant in c("saturated", "estimated")) {
    Sig <- full[[variant]]
    value <- discrepancy(S, Sig)
    Zt <- Z %*% sqrtm_sym(S, -0.5) %*% sqrtm_sym(Sig, 0.5)
    draws <- NULL
    for (b in seq_len(nrow(boot_idx))) {
      Sb <- cor(Zt[boot_idx[b, ], ])
      parts <- model_parts(Sb, spec, kind, 1e-7)
      if (!parts$admissible) next
      d <- discrepancy(Sb, parts[[variant]])
      if (any(is.na(d))) next
      draws <- rbind(draws, d)
    }
    res <- list(n_used = nrow(draws))
    for (m in c("SRMR", "d_ULS", "d_G")) {
      res[[m]] <- list(value = unname(value[m]), boot_mean = mean(draws[, m]),
                       hi95 = unname(quantile(draws[, m], 0.95, type = 7)),
                       hi99 = unname(quantile(draws[, m], 0.99, type = 7)))
    }
    out[[variant]] <- res
  }
  out
}

named_loadings <- function(est, lam) {
  out <- list()
  for (j in seq_along(est$cons)) {
    idx <- which(est$member == j)
    out[[est$cons[j]]] <- as.list(setNames(lam[idx], est$items[idx]))
  }
  out
}

path_list <- function(spec, est, B) {
  setNames(lapply(spec$paths, function(p) B[match(p[1], est$cons), match(p[2], est$cons)]),
           sapply(spec$paths, paste, collapse = " -> "))
}

plsc_full <- function(X, spec) {
  S <- cor(as.matrix(X))
  est <- pls(S, spec$blocks, spec$modes, spec$paths, spec$scheme, 1e-12)
  pc <- plsc(S, est, spec$modes)
  endo <- which(colSums(est$adj) > 0)
  cc <- list()
  k <- length(est$cons)
  for (i in seq_len(k)) for (j in seq_len(k)) if (i > j)
    cc[[paste(est$cons[i], est$cons[j], sep = " | ")]] <- pc$C[i, j]
  list(loadings = named_loadings(est, pc$lam),
       rho_a = as.list(setNames(pc$rho_a, est$cons)), paths = path_list(spec, est, pc$B),
       r2 = as.list(setNames(pc$r2[endo], est$cons[endo])), construct_correlations = cc)
}

plsc_boot <- function(X, spec) {
  Xm <- as.matrix(X)
  rows <- list()
  for (b in seq_len(nrow(boot_idx))) {
    S <- cor(Xm[boot_idx[b, ], ])
    est <- pls(S, spec$blocks, spec$modes, spec$paths, spec$scheme, 1e-7)
    pc <- plsc(S, est, spec$modes)
    endo <- which(colSums(est$adj) > 0)
    rows[[b]] <- c(unlist(path_list(spec, est, pc$B)), setNames(pc$lam, est$items),
                   setNames(pc$r2[endo], paste0("r2:", est$cons[endo])))
  }
  M <- do.call(rbind, rows)
  est <- pls(cor(Xm), spec$blocks, spec$modes, spec$paths, spec$scheme, 1e-7)
  endo <- which(colSums(est$adj) > 0)
  np <- length(spec$paths); ni <- length(est$items)
  summ <- function(cols) list(mean = as.list(colMeans(M[, cols, drop = FALSE])),
                              sd = as.list(apply(M[, cols, drop = FALSE], 2, sd)))
  list(n_used = nrow(M), paths = summ(seq_len(np)), loadings = summ(np + seq_len(ni)),
       r2 = summ(np + ni + seq_along(endo)))
}

# ---------------------------------------------------------------- models
arrows <- function(x) lapply(strsplit(x, " -> "), identity)
m3_blocks <- list(Image = paste0("IMAG", 1:5), Expectation = paste0("CUEX", 1:3),
                  Value = paste0("PERV", 1:2), Satisfaction = paste0("CUSA", 1:3))
m3_paths <- arrows(c("Image -> Satisfaction", "Expectation -> Satisfaction",
                     "Value -> Satisfaction"))
ecsi_blocks <- list(Image = paste0("IMAG", 1:5), Expectation = paste0("CUEX", 1:3),
                    Quality = paste0("PERQ", 1:7), Value = paste0("PERV", 1:2),
                    Satisfaction = paste0("CUSA", 1:3), Complaints = "CUSCO",
                    Loyalty = paste0("CUSL", 1:3))
ecsi_paths <- arrows(c("Image -> Expectation", "Image -> Satisfaction", "Image -> Loyalty",
                       "Expectation -> Quality", "Expectation -> Value",
                       "Expectation -> Satisfaction", "Quality -> Value",
                       "Quality -> Satisfaction", "Value -> Satisfaction",
                       "Satisfaction -> Complaints", "Satisfaction -> Loyalty",
                       "Complaints -> Loyalty"))
sat_blocks <- list(IMAG = paste0("imag", 1:5), EXPE = paste0("expe", 1:5),
                   QUAL = paste0("qual", 1:5), VAL = paste0("val", 1:4),
                   SAT = paste0("sat", 1:4), LOY = paste0("loy", 1:4))
sat_paths <- arrows(c("IMAG -> EXPE", "IMAG -> SAT", "IMAG -> LOY", "EXPE -> QUAL",
                      "EXPE -> VAL", "EXPE -> SAT", "QUAL -> VAL", "QUAL -> SAT",
                      "VAL -> SAT", "SAT -> LOY"))
all_modes <- function(blocks, m) setNames(as.list(rep(m, length(blocks))), names(blocks))

specs <- list(
  mobi_m3 = list(data = "mobi", blocks = m3_blocks, modes = all_modes(m3_blocks, "A"),
                 paths = m3_paths, scheme = "path"),
  mobi_m1 = list(data = "mobi", blocks = m3_blocks,
                 modes = modifyList(all_modes(m3_blocks, "A"), list(Value = "B")),
                 paths = m3_paths, scheme = "path"),
  mobi_ecsi = list(data = "mobi", blocks = ecsi_blocks,
                   modes = all_modes(ecsi_blocks, "A"), paths = ecsi_paths, scheme = "path"),
  satisfaction_modeA = list(data = "satisfaction", blocks = sat_blocks,
                            modes = all_modes(sat_blocks, "A"), paths = sat_paths,
                            scheme = "centroid"),
  satisfaction_modeB = list(data = "satisfaction", blocks = sat_blocks,
                            modes = all_modes(sat_blocks, "B"), paths = sat_paths,
                            scheme = "centroid")
)
datasets <- list(mobi = mobi, satisfaction = sat)
plan <- list(mobi_m3 = c("common_factor", "composite"), mobi_m1 = "common_factor",
             mobi_ecsi = c("common_factor", "composite"),
             satisfaction_modeA = "common_factor", satisfaction_modeB = "composite")

models <- list()
for (name in names(specs)) {
  spec <- specs[[name]]
  X <- datasets[[spec$data]][, unlist(spec$blocks)]
  entry <- list(spec = list(data = spec$data, blocks = spec$blocks, modes = spec$modes,
                            paths = sapply(spec$paths, paste, collapse = " -> "),
                            scheme = spec$scheme))
  if (name %in% c("mobi_m3", "mobi_ecsi", "satisfaction_modeA")) {
    entry$plsc <- plsc_full(X, spec)
    if (name != "satisfaction_modeA") entry$plsc_boot <- plsc_boot(X, spec)
  }
  entry$fit <- list()
  for (kind in plan[[name]]) entry$fit[[kind]] <- fit_with_boot(X, spec, kind)
  models[[name]] <- entry
  cat(name, "done\n")
}

# ---------------------------------------------------------------- checks of this script
m3_ref <- fromJSON(file.path(dir, "mobi_extra_models_seminr_reference.json"),
                   simplifyVector = FALSE)$models$M3_reflective_plsc
ad <- fromJSON(file.path(dir, "satisfaction_adanco_reference.json"), simplifyVector = FALSE)
maxdiff <- function(a, b) max(abs(unlist(a)[names(unlist(b))] - unlist(b)))
adfit <- function(got, ref) {
  max(sapply(c("saturated", "estimated"), function(v)
    max(abs(c(got[[v]]$SRMR$value - ref[[paste0("model_fit_", v)]]$SRMR,
              got[[v]]$d_ULS$value - ref[[paste0("model_fit_", v)]]$dULS,
              got[[v]]$d_G$value - ref[[paste0("model_fit_", v)]]$dG)))))
}
checks <- list(
  m3_paths_vs_seminr = maxdiff(models$mobi_m3$plsc$paths, m3_ref$path_coefficients),
  m3_loadings_vs_seminr = maxdiff(models$mobi_m3$plsc$loadings, m3_ref$outer_loadings),
  satisfaction_plsc_paths_vs_adanco = maxdiff(models$satisfaction_modeA$plsc$paths,
                                              ad$common_factor_model_PLSc$path_coefficients),
  satisfaction_cf_fit_vs_adanco = adfit(models$satisfaction_modeA$fit$common_factor,
                                        ad$common_factor_model_PLSc),
  satisfaction_composite_fit_vs_adanco = adfit(models$satisfaction_modeB$fit$composite,
                                               ad$composite_model_modeB))
print(checks)

out <- list(
  title = "PLSc and PLS model fit (SRMR, d_ULS, d_G, Bollen-Stine HI95/HI99): base-R reference",
  generated_by = "tests/data/r/make_plsc_fit_reference.R",
  r_version = R.version.string,
  settings = list(tol_estimates = 1e-12, tol_bootstrap = 1e-7, max_iter = 300,
                  n_boot = nrow(boot_idx), indices = "boot_indices_mobi_ecsi_seminr.json",
                  quantile_type = 7, d_g_log = "base 10"),
  models = models, checks = checks)
write(toJSON(out, auto_unbox = TRUE, digits = I(15), pretty = TRUE, na = "null"),
      file.path(dir, "plsc_fit_reference.json"))
