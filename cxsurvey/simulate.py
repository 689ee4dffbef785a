"""Draw Likert surveys from a population structural equation model.

A population model (:class:`cxsurvey.model.population.PopulationModel`, read from a
model file's ``[population]`` table by
:func:`cxsurvey.model.population_table.population_from_model`) fixes every parameter of a
recursive LISREL-type model with standardized latent variables: exogenous constructs are
standard normal (correlated when the syntax says ``A ~~ 0.3*B``), each endogenous
construct is ``eta_j = sum_k beta_jk * eta_k + zeta_j`` with ``Var(zeta_j)`` chosen so
that ``Var(eta_j) = 1``, and each item is ``x = l * eta + sqrt(1 - l^2) * eps``, a
standard normal response that is cut into the categories of the Likert scale at fixed
thresholds. With standardized latents the loadings are the items' correlations with
their construct and, for a construct with one predictor, the path coefficient is the
correlation of the two constructs.

Everything here is a pure function of its arguments: nothing is read or written.

References
----------
Joreskog, K. G. (1973). A general method for estimating a linear structural equation
system. In A. S. Goldberger & O. D. Duncan (Eds.), Structural Equation Models in the
Social Sciences (pp. 85-112). Seminar Press. (the LISREL model)
Bollen, K. A. (1989). Structural Equations with Latent Variables. Wiley. (model-implied
covariance of a recursive model, ch. 4)
Rhemtulla, M., Brosseau-Liard, P. E., & Savalei, V. (2012). When can categorical
variables be treated as continuous? Psychological Methods, 17(3), 354-373.
(categorising continuous responses at thresholds)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxsurvey.errors import InputError
from cxsurvey.model.population import PopulationModel, latent_structure, topological_order

__all__ = [
    "SimulatedSample",
    "implied_latent_correlation",
    "make_rng",
    "simulate",
    "simulate_sample",
]


@dataclass(frozen=True)
class SimulatedSample:
    """One draw from a population model.

    Attributes
    ----------
    responses : DataFrame
        ``id_column`` (1..n) then one integer column per item: the Likert answers.
    latent : DataFrame
        The standardized latent scores, one column per construct.
    continuous : DataFrame
        The continuous item responses before categorisation.
    """

    responses: pd.DataFrame
    latent: pd.DataFrame
    continuous: pd.DataFrame


def implied_latent_correlation(pop: PopulationModel) -> pd.DataFrame:
    """Model-implied correlation matrix of the (standardized) constructs.

    Parameters
    ----------
    pop : PopulationModel
        The population model.

    Returns
    -------
    DataFrame
        Constructs x constructs, in model order.

    References
    ----------
    Bollen, K. A. (1989). Structural Equations with Latent Variables. Wiley, ch. 4
    (covariance of a recursive model computed in causal order).
    """
    order = topological_order(pop)
    sigma, _, _ = latent_structure(pop, order)
    names = list(pop.loadings)
    return pd.DataFrame(sigma, index=names, columns=names)


# ----------------------------------------------------------------------------- draw
def make_rng(seed: int) -> np.random.Generator:
    """The random generator :func:`simulate` uses: ``Generator(PCG64(seed))``.

    References
    ----------
    O'Neill, M. E. (2014). PCG: A family of simple fast space-efficient statistically
    good algorithms for random number generation. HMC-CS-2014-0905.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"the seed must be a non-negative integer, got {seed!r}")
    return np.random.Generator(np.random.PCG64(int(seed)))


def simulate_sample(pop: PopulationModel, n: int, rng: np.random.Generator) -> SimulatedSample:
    """Draw ``n`` respondents from ``pop`` with the generator ``rng``.

    The generator is advanced by exactly two draws, in this order: an ``(n, constructs)``
    array of standard normals for the latent disturbances, then an ``(n, items)`` array
    for the item errors. Callers that draw more (e.g. demographic columns) afterwards
    stay reproducible.

    Parameters
    ----------
    pop : PopulationModel
        The population model.
    n : int
        Number of respondents (>= 1).
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    SimulatedSample
        Likert responses, latent scores and continuous item responses.

    References
    ----------
    Joreskog (1973), the LISREL model; Rhemtulla, Brosseau-Liard & Savalei (2012),
    Psychological Methods 17(3), 354-373 (thresholding continuous responses).
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise InputError(f"the number of respondents must be a positive integer, got {n!r}",
                         hint="Use e.g. --n 157.")
    n = int(n)
    names = list(pop.loadings)
    idx = {c: i for i, c in enumerate(names)}
    order = topological_order(pop)
    sigma, beta, psi = latent_structure(pop, order)
    endogenous = {out for _, out, _ in pop.paths}
    exo = [idx[c] for c in names if c not in endogenous]

    z = rng.standard_normal((n, len(names)))
    eps = rng.standard_normal((n, len(pop.items)))

    eta = np.zeros((n, len(names)))
    if exo:
        chol = np.linalg.cholesky(sigma[np.ix_(exo, exo)])
        eta[:, exo] = z[:, exo] @ chol.T
    for c in order:
        j = idx[c]
        if c in endogenous:
            eta[:, j] = eta @ beta[j] + math.sqrt(psi[j]) * z[:, j]

    items = pop.items
    cont = np.empty((n, len(items)))
    answers = np.empty((n, len(items)), dtype=np.int64)
    col = 0
    for construct, pairs in pop.loadings.items():
        for item, loading in pairs:
            x = loading * eta[:, idx[construct]] + math.sqrt(1 - loading**2) * eps[:, col]
            cont[:, col] = x
            cuts = np.asarray(pop.thresholds_of(item), dtype=float)
            answers[:, col] = pop.scale[0] + np.searchsorted(cuts, x, side="left")
            col += 1

    responses = pd.DataFrame(answers, columns=list(items))
    responses.insert(0, pop.id_column, np.arange(1, n + 1, dtype=np.int64))
    return SimulatedSample(
        responses=responses,
        latent=pd.DataFrame(eta, columns=names),
        continuous=pd.DataFrame(cont, columns=list(items)),
    )


def simulate(pop: PopulationModel, n: int, seed: int) -> pd.DataFrame:
    """Draw a Likert survey of ``n`` respondents from a population model.

    Latent constructs are standardized: exogenous ones standard normal, endogenous ones
    ``eta = sum beta * predictor + e`` with ``Var(e) = 1 - R^2`` from the model-implied
    latent covariance; items ``x = l * eta + sqrt(1 - l^2) * eps`` are cut into the
    categories ``min..max`` at the thresholds (``x`` above ``k`` cut points gives
    ``min + k``). The same ``seed`` gives the same frame (numpy ``PCG64``).

    Parameters
    ----------
    pop : PopulationModel
        The population model.
    n : int
        Number of respondents (>= 1).
    seed : int
        Non-negative random seed.

    Returns
    -------
    DataFrame
        ``pop.id_column`` (1..n) first, then one ``int64`` column per item in model order.

    Raises
    ------
    InputError
        For ``n < 1`` or a negative or non-integer seed.

    References
    ----------
    Joreskog, K. G. (1973), A general method for estimating a linear structural equation
    system (LISREL). Rhemtulla, M., Brosseau-Liard, P. E., & Savalei, V. (2012),
    Psychological Methods, 17(3), 354-373.
    """
    return simulate_sample(pop, n, make_rng(seed)).responses

