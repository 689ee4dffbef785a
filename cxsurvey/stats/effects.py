"""Indirect and total effects along the chains of a recursive structural model."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

__all__ = ["chains", "effects"]


def _children(paths: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for a, b in paths:
        out.setdefault(a, []).append(b)
    return out


def chains(paths: Iterable[tuple[str, str]], min_length: int = 2) -> list[tuple[str, ...]]:
    """Every directed chain ``(v0, v1, ..., vk)`` of at least ``min_length`` arrows.

    Parameters
    ----------
    paths : iterable of (predictor, outcome)
        The structural regressions.
    min_length : int
        2 lists the indirect chains (two arrows or more); 1 also lists direct paths.

    Raises
    ------
    ValueError
        For a non-recursive model (a cycle), where path tracing does not apply.
    """
    edges = list(dict.fromkeys(paths))
    kids = _children(edges)
    nodes = list(dict.fromkeys([a for a, _ in edges] + [b for _, b in edges]))
    out: list[tuple[str, ...]] = []

    def walk(chain: tuple[str, ...]) -> None:
        for nxt in kids.get(chain[-1], []):
            if nxt in chain:
                cycle = " -> ".join((*chain[chain.index(nxt):], nxt))
                raise ValueError(f"the structural model has a cycle: {cycle}")
            longer = (*chain, nxt)
            if len(longer) - 1 >= min_length:
                out.append(longer)
            walk(longer)

    for start in nodes:
        walk((start,))
    return out


def effects(coefficients: pd.DataFrame, value: str = "est") -> pd.DataFrame:
    """Specific indirect effects and total effects by path tracing.

    The specific indirect effect of a chain is the product of its coefficients; the
    total effect of X on Y is the direct effect plus the sum of all specific indirect
    effects from X to Y (equivalently the (X, Y) element of :math:`(I - B)^{-1} - I`).

    Parameters
    ----------
    coefficients : DataFrame
        One row per structural path with columns ``from``, ``to`` and ``value``.

    Returns
    -------
    DataFrame
        ``kind`` (``indirect`` or ``total``), ``from``, ``to``, ``path`` (``A -> M -> Y``;
        for totals ``A => Y``), ``est``. Totals are listed for every pair connected by a
        chain of two arrows or more.

    References
    ----------
    Wright, S. (1934). The method of path coefficients. Annals of Mathematical Statistics,
    5(3), 161-215. Bollen, K. A. (1987). Total, direct, and indirect effects in structural
    equation models. Sociological Methodology, 17, 37-69.
    """
    coef = {(r["from"], r["to"]): float(r[value]) for _, r in coefficients.iterrows()}
    rows = []
    for chain in chains(coef, min_length=2):
        est = float(np.prod([coef[(a, b)] for a, b in zip(chain, chain[1:], strict=False)]))
        rows.append({"kind": "indirect", "from": chain[0], "to": chain[-1],
                     "path": " -> ".join(chain), "est": est})
    indirect = pd.DataFrame(rows, columns=["kind", "from", "to", "path", "est"])
    totals = []
    for (a, b), grp in indirect.groupby(["from", "to"], sort=False):
        totals.append({"kind": "total", "from": a, "to": b, "path": f"{a} => {b}",
                       "est": float(grp["est"].sum() + coef.get((a, b), 0.0))})
    return pd.concat([indirect, pd.DataFrame(totals, columns=indirect.columns)],
                     ignore_index=True)
