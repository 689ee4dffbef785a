"""Plain data classes describing a survey model: codebook (``[data]``) and lavaan model."""

from __future__ import annotations

from dataclasses import dataclass, field


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Term:
    """One right-hand-side term of a lavaan formula, e.g. ``0.7*Inf1`` or ``a*Att``.

    ``fixed`` is the numeric pre-multiplier when there is one, ``label`` a parameter
    label when the pre-multiplier is a name.
    """

    name: str
    fixed: float | None = None
    label: str | None = None


@dataclass(frozen=True)
class Formula:
    """One lavaan formula: ``lhs op rhs`` with ``op`` in ``=~ <~ ~ ~~ :=``."""

    lhs: str
    op: str
    rhs: tuple[Term, ...]
    line: int = 0
    text: str = ""


@dataclass(frozen=True)
class ModelSpec:
    """The lavaan-syntax model: measurement blocks, regressions and the source text.

    Attributes
    ----------
    syntax : str
        The lavaan text as the user wrote it (semopy and lavaan read it unchanged).
    formulas : tuple of Formula
        Parsed formulas in file order.
    constructs : dict
        Construct name -> indicator names, for ``=~`` (reflective, Mode A) and ``<~``
        (formative, Mode B) blocks, in order of appearance.
    modes : dict
        Construct name -> ``"A"`` for ``=~`` blocks, ``"B"`` for ``<~`` blocks.
    """

    syntax: str
    formulas: tuple[Formula, ...] = ()
    constructs: dict[str, tuple[str, ...]] = field(default_factory=dict)
    modes: dict[str, str] = field(default_factory=dict)

    @property
    def items(self) -> tuple[str, ...]:
        """All indicators of all constructs, without duplicates, in model order (the
        constructs that measure a higher-order construct are not items)."""
        seen: dict[str, None] = {}
        for its in self.constructs.values():
            for it in its:
                if it not in self.constructs:
                    seen.setdefault(it, None)
        return tuple(seen)

    @property
    def first_order(self) -> dict[str, tuple[str, ...]]:
        """The constructs measured by items (a higher-order construct, measured by
        other constructs, is left out)."""
        return {c: its for c, its in self.constructs.items()
                if not any(i in self.constructs for i in its)}

    @property
    def higher_order(self) -> dict[str, tuple[str, ...]]:
        """Higher-order constructs: name -> the constructs that measure it."""
        return {c: its for c, its in self.constructs.items()
                if its and any(i in self.constructs for i in its)}

    @property
    def interactions(self) -> tuple[str, ...]:
        """The interaction terms (``X:M``) of the regressions, in order."""
        return tuple(dict.fromkeys(p for p, _, _ in self.regressions if ":" in p))

    @property
    def regressions(self) -> tuple[tuple[str, str, Term], ...]:
        """Structural paths as ``(predictor, outcome, term)`` triples.

        Intercepts (``y ~ 1``) are not paths and are left out.
        """
        out: list[tuple[str, str, Term]] = []
        for f in self.formulas:
            if f.op == "~":
                out.extend((t.name, f.lhs, t) for t in f.rhs if not _is_number(t.name))
        return tuple(out)

    def construct_of(self, item: str) -> str | None:
        for c, its in self.constructs.items():
            if item in its:
                return c
        return None


@dataclass(frozen=True)
class ItemColumn:
    """The export column that a ``[data.items]`` entry renames to its short name.

    ``text`` is the header as the export spells it or, with ``pattern``, a regular
    expression that must match exactly one header in full.
    """

    text: str
    pattern: bool = False


@dataclass(frozen=True)
class DataSpec:
    """The ``[data]`` codebook of a model file (all optional).

    Attributes
    ----------
    sheet : str or int, optional
        Excel sheet name (or 0-based index); default the first sheet.
    header_row : int, optional
        1-based row that holds the column names; default: detected (the first row that
        looks like a header, so a title or notes row above it is skipped).
    id : str, optional
        Respondent identifier column.
    scale : tuple of int, optional
        Likert range ``(min, max)``; answers outside it are an input error.
    missing : tuple
        Codes read as missing (numbers or strings).
    reverse : tuple of str
        Reverse-coded items, recoded ``min + max - x``.
    drop : tuple of str
        Items excluded from analysis.
    labels : dict
        Text answer -> score; matched case- and whitespace-insensitively.
    delimiter, encoding : str, optional
        For text files; default: detected.
    attention : dict
        Attention-check column -> its accepted answers (numbers, or texts mapped like
        the items' answers); such a column is not an item of any construct.
    scales : dict
        ``[data.scales]``: construct or item name -> its own ``(min, max)``. An item's
        own entry beats its construct's, which beats ``scale``.
    items : dict
        ``[data.items]``: short item name -> the export column it renames
        (:class:`ItemColumn`, an exact header or a pattern matching one header).
    """

    sheet: str | int | None = None
    header_row: int | None = None
    id: str | None = None
    scale: tuple[int, int] | None = None
    missing: tuple[object, ...] = ()
    reverse: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()
    labels: dict[str, float] = field(default_factory=dict)
    delimiter: str | None = None
    encoding: str | None = None
    attention: dict[str, tuple[float | str, ...]] = field(default_factory=dict)
    scales: dict[str, tuple[int, int]] = field(default_factory=dict)
    items: dict[str, ItemColumn] = field(default_factory=dict)


@dataclass(frozen=True)
class SurveyModel:
    """A whole model file: codebook, lavaan model and where it came from.

    ``inferred`` is true when the measurement model was inferred from column names
    rather than read from a file. ``population`` holds a ``[population]`` table when the
    file describes a population model for ``cxsurvey simulate``; ``checks`` the
    ``[checks]`` table (quality-gate thresholds, read by :mod:`cxsurvey.gates.resolve`),
    ``metrics`` the ``[metrics]`` table (``nps``/``csat``/``ces`` -> item) and
    ``text`` the file's text (for line numbers in messages).
    """

    data: DataSpec
    model: ModelSpec
    source: str | None = None
    inferred: bool = False
    population: dict | None = None
    checks: dict | None = None
    metrics: dict[str, str] = field(default_factory=dict)
    text: str | None = field(default=None, repr=False, compare=False)
