"""Heterotrait-monotrait ratio of correlations: HTMT and HTMT2.

:func:`htmt`, :func:`htmt_matrix` and :func:`htmt_from_correlation` compute the ratio
from item correlations, as ``semTools::htmt(model, data, absolute = TRUE)``; HTMT2 (the
geometric-mean variant) with ``geometric=True``. The long format (``a``, ``b``,
``value``) is what the JSON contract's ``validity.htmt`` section holds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from cxsurvey.stats.validity.correlation import item_correlation

__all__ = ["htmt", "htmt_batch", "htmt_from_correlation", "htmt_matrix"]

Constructs = Mapping[str, Sequence[str]]


def _construct_items(constructs: Constructs) -> dict[str, list[str]]:
    blocks: dict[str, list[str]] = {}
    seen: dict[str, str] = {}
    if not constructs:
        raise ValueError("constructs must name at least one construct")
    for name, items in constructs.items():
        if isinstance(items, str):
            raise ValueError(f"the items of construct '{name}' must be a sequence of names, "
                             f"not the string {items!r}")
        block = list(items)
        if not block:
            raise ValueError(f"construct '{name}' has no items")
        for item in block:
            if item in seen:
                raise ValueError(f"item '{item}' is listed under both '{seen[item]}' and "
                                 f"'{name}'; HTMT needs disjoint item blocks")
            seen[item] = name
        blocks[str(name)] = block
    return blocks


def htmt_batch(corr: np.ndarray, membership: np.ndarray, *, geometric: bool = False,
               single_item: float = float("nan")) -> np.ndarray:
    """HTMT of a batch of item correlation matrices at once (the bootstrap's form).

    Parameters
    ----------
    corr : ndarray, shape (B, p, p)
        Item correlation matrices; NaN entries (an undefined correlation) are left out
        of the means.
    membership : ndarray, shape (p, k)
        ``membership[i, j] = 1`` when item i measures construct j (disjoint blocks).
    geometric : bool
        Geometric instead of arithmetic means (HTMT2).
    single_item : float
        The monotrait mean of a construct with one item: NaN leaves its HTMT undefined
        (semTools); 1 gives the heterotrait mean itself (seminr).

    Returns
    -------
    ndarray, shape (B, k, k)
        Symmetric; the diagonal is 1 where the construct's monotrait mean is positive,
        else NaN; NaN where a ratio is undefined.

    References
    ----------
    Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). Journal of the Academy of Marketing
    Science, 43(1), 115-135. Roemer, E., Schuberth, F., & Henseler, J. (2021). Industrial
    Management & Data Systems, 121(12), 2637-2650.
    """
    r = np.abs(np.asarray(corr, dtype=float))
    m = np.asarray(membership, dtype=float)
    valid = ~np.isnan(r) & ~np.eye(r.shape[-1], dtype=bool)
    zero = valid & (r == 0.0)
    if geometric:  # log |r|; exact zeros are counted apart (their geometric mean is 0)
        values = np.where(valid & ~zero, np.log(np.where(zero | ~valid, 1.0, r)), 0.0)
    else:
        values = np.where(valid, r, 0.0)
    sums = m.T @ values @ m
    counts = m.T @ valid.astype(float) @ m
    with np.errstate(divide="ignore", invalid="ignore"):
        means = sums / counts
        if geometric:
            means = np.where((m.T @ zero.astype(float) @ m) > 0, 0.0, np.exp(means))
        idx = np.arange(m.shape[1])
        mono = means[:, idx, idx]
        mono = np.where(counts[:, idx, idx] > 0, mono, single_item)
        out = means / np.sqrt(mono[:, :, None] * mono[:, None, :])
    out = np.where(np.isfinite(out), out, np.nan)
    out[:, idx, idx] = np.where(np.isfinite(mono) & (mono > 0), 1.0, np.nan)
    return out


def htmt_from_correlation(corr: pd.DataFrame, constructs: Constructs, *,
                          geometric: bool = False) -> pd.DataFrame:
    """HTMT matrix from an item correlation matrix.

    .. math::
        \\mathrm{HTMT}_{ab} = \\frac{\\bar r_{ab}}{\\sqrt{\\bar r_{aa}\\,\\bar r_{bb}}}

    with :math:`\\bar r_{ab}` the mean of the absolute heterotrait correlations between the
    items of a and b, and :math:`\\bar r_{aa}` the mean of the absolute monotrait
    correlations among the distinct items of a. ``geometric=True`` uses geometric means
    instead of arithmetic ones (HTMT2).

    Parameters
    ----------
    corr : DataFrame
        Square item correlation matrix labelled by item names (a covariance matrix is not
        rescaled: pass correlations).
    constructs : mapping of str to sequence of str
        Construct name -> its items, in the order the output should follow. Item blocks
        must be disjoint.
    geometric : bool
        False: original HTMT (``semTools::htmt(..., htmt2 = FALSE)``); True: HTMT2
        (``htmt2 = TRUE``, the semTools 0.5-6 default).

    Returns
    -------
    DataFrame
        Square, symmetric, indexed and labelled by construct; the diagonal is 1. A
        construct with a single item has no monotrait correlation, so its row and column
        are NaN (semTools gives NaN too).

    References
    ----------
    Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for assessing
    discriminant validity in variance-based structural equation modeling. Journal of the
    Academy of Marketing Science, 43(1), 115-135. Roemer, E., Schuberth, F., & Henseler, J.
    (2021). HTMT2 - an improved criterion for assessing discriminant validity in structural
    equation modeling. Industrial Management & Data Systems, 121(12), 2637-2650.
    """
    blocks = _construct_items(constructs)
    names = list(blocks)
    all_items = [item for block in blocks.values() for item in block]
    absent = [item for item in all_items if item not in corr.index or item not in corr.columns]
    if absent:
        raise ValueError(f"the correlation matrix has no row/column for {', '.join(absent)}")
    r = corr.loc[all_items, all_items].to_numpy(dtype=float)
    membership = np.zeros((len(all_items), len(names)))
    start = 0
    for j, name in enumerate(names):
        membership[start:start + len(blocks[name]), j] = 1.0
        start += len(blocks[name])
    out = htmt_batch(r[None], membership, geometric=geometric)[0]
    return pd.DataFrame(out, index=names, columns=names)


def htmt_matrix(items: pd.DataFrame, constructs: Constructs, *, geometric: bool = False,
                missing: str = "listwise") -> pd.DataFrame:
    """Square HTMT matrix from raw item scores.

    Parameters
    ----------
    items : DataFrame
        Item scores; columns not named in ``constructs`` are ignored.
    constructs : mapping of str to sequence of str
        Construct name -> its items (disjoint blocks), in output order.
    geometric : bool
        True for HTMT2 (geometric means).
    missing : {"listwise", "pairwise"}
        How incomplete rows enter the correlations (see :func:`item_correlation`);
        listwise uses the rows complete on every item of every construct.

    Returns
    -------
    DataFrame
        See :func:`htmt_from_correlation`.

    References
    ----------
    Henseler, Ringle & Sarstedt (2015), Journal of the Academy of Marketing Science, 43(1),
    115-135; Roemer, Schuberth & Henseler (2021), Industrial Management & Data Systems,
    121(12), 2637-2650.
    """
    blocks = _construct_items(constructs)
    all_items = [item for block in blocks.values() for item in block]
    absent = [item for item in all_items if item not in items.columns]
    if absent:
        raise ValueError(f"the data have no column {', '.join(absent)}")
    corr = item_correlation(items[all_items], missing=missing)
    return htmt_from_correlation(corr, blocks, geometric=geometric)


def _pairs_long(matrix: pd.DataFrame) -> pd.DataFrame:
    names = list(matrix.index)
    values = matrix.to_numpy(dtype=float)
    rows = [(a, b, float(values[i, j]))
            for i, a in enumerate(names) for j, b in enumerate(names) if j > i]
    return pd.DataFrame(rows, columns=["a", "b", "value"])


def htmt(items: pd.DataFrame, constructs: dict[str, tuple[str, ...]], *,
         geometric: bool = False, missing: str = "listwise") -> pd.DataFrame:
    """Heterotrait-monotrait ratio of correlations, one row per pair of constructs.

    Same computation as ``semTools::htmt(model, data, missing, absolute = TRUE,
    htmt2 = geometric)``: Pearson correlations of the items (listwise by default), absolute
    values, arithmetic (HTMT) or geometric (HTMT2) means.

    Parameters
    ----------
    items : DataFrame
        Item scores; columns not named in ``constructs`` are ignored.
    constructs : dict of str to tuple of str
        Construct name -> its items (disjoint blocks), in output order.
    geometric : bool
        False: HTMT (Henseler et al., 2015); True: HTMT2 (Roemer et al., 2021).
    missing : {"listwise", "pairwise"}
        See :func:`item_correlation`.

    Returns
    -------
    DataFrame
        Columns ``a``, ``b``, ``value``: one row per unordered pair, ``a`` before ``b`` in
        the order of ``constructs`` (row-major upper triangle). ``value`` is NaN when a
        construct has a single item or a correlation is undefined.

    References
    ----------
    Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). Journal of the Academy of Marketing
    Science, 43(1), 115-135. Roemer, E., Schuberth, F., & Henseler, J. (2021). Industrial
    Management & Data Systems, 121(12), 2637-2650.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> f = rng.standard_normal((200, 2))
    >>> x = np.repeat(f, 2, axis=1) + rng.standard_normal((200, 4))
    >>> df = pd.DataFrame(x, columns=["A1", "A2", "B1", "B2"])
    >>> htmt(df, {"A": ("A1", "A2"), "B": ("B1", "B2")}).columns.tolist()
    ['a', 'b', 'value']
    """
    return _pairs_long(htmt_matrix(items, constructs, geometric=geometric, missing=missing))
