"""PLS model specification: check a measurement and structural model, compile it to
index arrays (:class:`PlsModel`) that the batched estimator works on."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from cxsurvey.errors import InputError
from cxsurvey.stats.effects import chains

__all__ = ["PlsModel", "compile_model"]

_MODE_NAMES = {"a": "A", "reflective": "A", "composite_a": "A",
               "b": "B", "formative": "B", "composite_b": "B"}


@dataclass(frozen=True)
class PlsModel:
    """A PLS path model compiled to index arrays (constructs in the user's order).

    Attributes
    ----------
    constructs : tuple of str
        Construct names (k).
    blocks : tuple of tuple of str
        The items of each construct.
    items : tuple of str
        All items (p), block after block.
    member : ndarray of int, shape (p,)
        Construct index of each item.
    onehot : ndarray, shape (p, k)
        ``onehot[i, j] = 1`` when item i measures construct j.
    mode_b : tuple of bool
        Mode B (regression weights) per construct.
    single : ndarray of bool, shape (p,)
        Items that form a single-item construct.
    paths : tuple of (int, int)
        Structural paths (predictor index, outcome index) in the user's order.
    adjacency : ndarray, shape (k, k)
        ``adjacency[i, j] = 1`` for a path i -> j.
    predecessors : tuple of tuple of int
        Predictors of each construct (empty for exogenous constructs).
    """

    constructs: tuple[str, ...]
    blocks: tuple[tuple[str, ...], ...]
    items: tuple[str, ...]
    member: np.ndarray
    onehot: np.ndarray
    mode_b: tuple[bool, ...]
    single: np.ndarray
    paths: tuple[tuple[int, int], ...]
    adjacency: np.ndarray
    predecessors: tuple[tuple[int, ...], ...]

    @property
    def k(self) -> int:
        return len(self.constructs)

    @property
    def p(self) -> int:
        return len(self.items)

    @property
    def endogenous(self) -> tuple[int, ...]:
        return tuple(j for j, pred in enumerate(self.predecessors) if pred)

    @property
    def path_names(self) -> list[tuple[str, str]]:
        return [(self.constructs[a], self.constructs[b]) for a, b in self.paths]

    def block_index(self, j: int) -> np.ndarray:
        return np.flatnonzero(self.member == j)

    def mode(self, j: int) -> str:
        return "B" if self.mode_b[j] else "A"

    def indirect_chains(self) -> tuple[tuple[int, ...], ...]:
        """Construct indices of every chain of two arrows or more, in the order of
        :func:`cxsurvey.stats.effects.chains` on :attr:`path_names`."""
        index = {c: j for j, c in enumerate(self.constructs)}
        return tuple(tuple(index[c] for c in chain)
                     for chain in chains(self.path_names, min_length=2))

    def reachable(self) -> np.ndarray:
        """Boolean (k, k): ``[i, j]`` when a chain of one arrow or more leads i -> j."""
        adj = self.adjacency.astype(bool)
        reach = adj.copy()
        step = adj.copy()
        for _ in range(self.k):
            step = (step.astype(int) @ adj.astype(int)) > 0
            if not step.any():
                break
            reach |= step
        return reach

    def reachable_indirect(self) -> np.ndarray:
        """Boolean (k, k): ``[i, j]`` when a chain of two arrows or more leads i -> j."""
        adj = self.adjacency.astype(int)
        reach = np.zeros_like(adj, dtype=bool)
        step = adj.copy()
        for _ in range(self.k):
            step = ((step @ adj) > 0).astype(int)
            if not step.any():
                break
            reach |= step.astype(bool)
        return reach


def _normalise_mode(construct: str, mode: str) -> str:
    key = str(mode).strip().lower()
    if key not in _MODE_NAMES:
        raise ValueError(f"mode of construct '{construct}' must be 'A' (reflective) or 'B' "
                         f"(formative), got {mode!r}")
    return _MODE_NAMES[key]


def _check_structure(constructs: Mapping[str, Sequence[str]],
                     paths: Sequence[tuple[str, str]],
                     modes: Mapping[str, str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Construct names and distinct structural paths of a non-empty recursive model in
    which every construct takes part in a path."""
    if not constructs:
        raise InputError("the PLS model has no constructs",
                         hint="Declare constructs with '=~' (Mode A) or '<~' (Mode B).")
    unknown_modes = [c for c in modes if c not in constructs]
    if unknown_modes:
        raise InputError(f"a mode is given for the unknown construct '{unknown_modes[0]}'")
    names = [str(c) for c in constructs]
    edges = list(dict.fromkeys((str(a), str(b)) for a, b in paths))
    if not edges:
        raise InputError("the PLS model has no structural paths",
                         hint="PLS-SEM needs at least one regression such as 'Y ~ X'.")
    for a, b in edges:
        for c in (a, b):
            if c not in constructs:
                raise InputError(f"the path {a} -> {b} names '{c}', which is not a construct "
                                 "of the measurement model")
        if a == b:
            raise InputError(f"the path {a} -> {b} points from a construct to itself")
    in_paths = {c for e in edges for c in e}
    lonely = [c for c in names if c not in in_paths]
    if lonely:
        raise InputError(f"construct '{lonely[0]}' takes part in no structural path",
                         hint="PLS-SEM estimates weights from the paths; add a path or drop "
                              "the construct.")
    try:
        chains(edges, min_length=1)
    except ValueError as exc:
        # PLS estimates each outcome from its predictors in a fixed order: a cycle
        # (Y ~ X, X ~ Y) has none, so it is the user's model to change, not the data
        raise InputError(f"the PLS structural model is not recursive: {exc}",
                         hint="PLS-SEM needs paths without a cycle; drop one of the paths "
                              "or fit the model with --method cb.") from exc
    return names, edges


def _check_blocks(constructs: Mapping[str, Sequence[str]],
                  names: Sequence[str]) -> list[tuple[str, ...]]:
    """The item block of every construct: non-empty, and no item in two blocks."""
    blocks: list[tuple[str, ...]] = []
    owner: dict[str, str] = {}
    for c in names:
        items = constructs[c]
        if isinstance(items, str):
            raise ValueError(f"the items of construct '{c}' must be a sequence of names, "
                             f"not the string {items!r}")
        block = tuple(str(i) for i in items)
        if not block:
            raise InputError(f"construct '{c}' has no items")
        for i in block:
            if i in owner:
                raise InputError(f"item '{i}' measures both '{owner[i]}' and '{c}'",
                                 hint="In PLS-SEM every item belongs to one construct.")
            owner[i] = c
        blocks.append(block)
    return blocks


def compile_model(constructs: Mapping[str, Sequence[str]],
                  paths: Sequence[tuple[str, str]],
                  modes: Mapping[str, str] | None = None) -> PlsModel:
    """Check a PLS model and compile it to index arrays.

    Parameters
    ----------
    constructs : mapping of str to sequence of str
        Items of each construct (the measurement model). Every construct must take part
        in at least one structural path, and an item may measure one construct only.
    paths : sequence of (predictor, outcome)
        The structural model; it must be recursive (no cycles).
    modes : mapping of str to str, optional
        ``"A"`` (reflective, correlation weights; the default) or ``"B"`` (formative,
        regression weights) per construct; ``"reflective"``/``"formative"`` also work.

    Returns
    -------
    PlsModel

    Raises
    ------
    InputError
        For an empty, ambiguous or cyclic model, or a construct without paths.
    ValueError
        For a mode other than A/B.
    """
    modes = dict(modes or {})
    names, edges = _check_structure(constructs, paths, modes)
    blocks = _check_blocks(constructs, names)
    k = len(names)
    index = {c: j for j, c in enumerate(names)}
    items = tuple(i for b in blocks for i in b)
    member = np.array([j for j, b in enumerate(blocks) for _ in b], dtype=np.int64)
    onehot = np.zeros((len(items), k))
    onehot[np.arange(len(items)), member] = 1.0
    sizes = np.array([len(b) for b in blocks])
    adjacency = np.zeros((k, k))
    ipaths = tuple((index[a], index[b]) for a, b in edges)
    for a, b in ipaths:
        adjacency[a, b] = 1.0
    predecessors = tuple(tuple(a for a, b in ipaths if b == j) for j in range(k))
    mode_b = tuple(_normalise_mode(c, modes.get(c, "A")) == "B" for c in names)
    return PlsModel(constructs=tuple(names), blocks=tuple(blocks), items=items,
                    member=member, onehot=onehot, mode_b=mode_b,
                    single=sizes[member] == 1, paths=ipaths, adjacency=adjacency,
                    predecessors=predecessors)
