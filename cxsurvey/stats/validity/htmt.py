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

__all__ = ["htmt", "htmt_matrix", "htmt_from_correlation"]

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


def _block_mean(values: np.ndarray, geometric: bool) -> float:
    values = values[~np.isnan(values)]
    if values.size == 0:
        return float("nan")
    if geometric:
        with np.errstate(divide="ignore"):
            return float(np.exp(np.mean(np.log(values))))
    return float(np.mean(values))


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
    r = np.abs(corr.loc[all_items, all_items].to_numpy(dtype=float))
    np.fill_diagonal(r, np.nan)
    pos: dict[str, np.ndarray] = {}
    start = 0
    for name in names:
        pos[name] = np.arange(start, start + len(blocks[name]))
        start += len(blocks[name])
    mono = {name: _block_mean(r[np.ix_(pos[name], pos[name])].ravel(), geometric)
            for name in names}
    out = np.full((len(names), len(names)), np.nan)
    for i, a in enumerate(names):
        if np.isfinite(mono[a]) and mono[a] > 0:
            out[i, i] = 1.0
        for j in range(i + 1, len(names)):
            b = names[j]
            hetero = _block_mean(r[np.ix_(pos[a], pos[b])].ravel(), geometric)
            with np.errstate(divide="ignore", invalid="ignore"):
                value = hetero / np.sqrt(mono[a] * mono[b])
            out[i, j] = out[j, i] = value if np.isfinite(value) else np.nan
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
