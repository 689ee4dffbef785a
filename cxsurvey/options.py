"""Run options: the choices a run accepts, validated once where they enter.

The enums are shared by the command line (as Typer choices), the pipeline and batch; an
:class:`Options` built from Python with a bad value raises
:class:`~cxsurvey.errors.InputError` (exit 2) naming the allowed values. This module
imports nothing heavy, so ``cxsurvey --help`` stays fast.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, fields
from typing import Any, TypeVar

from cxsurvey.errors import InputError, Location

__all__ = ["DEFAULT_MAX_CELLS", "DEFAULT_MAX_SHEET_MB", "DEFAULT_MIN_GROUP_SIZE",
           "DEFAULT_MODINDICES", "DEFAULT_SEED", "HOC_METHODS", "INTERACTION_METHODS",
           "MAX_BOOTSTRAP",
           "Estimator", "Method", "Missing", "Options", "ReadLimits", "Scheme", "SeMethod",
           "Section", "choice"]

DEFAULT_SEED = 1
"""The bootstraps' seed when none is given: two runs of the same input give the same bytes."""
MAX_BOOTSTRAP = 100_000
"""The most bootstrap resamples a run accepts (the vectorised bootstraps work in chunks, so
memory stays bounded; more resamples than this add nothing to a 95% interval)."""
DEFAULT_MODINDICES = 10
"""How many modification indices (largest first) the console shows by default."""
INTERACTION_METHODS = ("two_stage", "product_indicator")
"""How PLS estimates an interaction term ``X:M`` (``--interaction-method``); the first,
SmartPLS's default, is the default."""
HOC_METHODS = ("embedded_two_stage", "disjoint_two_stage", "repeated_indicators")
"""How PLS estimates a higher-order construct (``--hoc-method``); the first is the
default."""
DEFAULT_MIN_GROUP_SIZE = 20
"""Groups with fewer respondents are reported and left out of the group comparisons: the
top-2 share of a group of 20 has a 95% interval about +/-22 points wide, and the
large-sample tests need at least that many answers per group."""
DEFAULT_MAX_CELLS = 50_000_000
"""The most cells (rows x columns, from A1) a worksheet may have by default: a 1,000,000 x 30
or 100,000 x 100 survey reads; a decompression bomb does not (``--max-cells``)."""
DEFAULT_MAX_SHEET_MB = 2048
"""The most megabytes (MiB) of XML a worksheet or the shared-strings part may expand to by
default (``--max-sheet-mb``): a 1,000,000 x 30 Likert sheet is about 1 GB of XML."""


class Choice(str, enum.Enum):
    """A string choice; prints as its value."""

    def __str__(self) -> str:
        return str(self.value)


class Method(Choice):
    """Structural analyses: ``auto`` resolves to ``cb`` with a model file, else ``none``."""

    auto = "auto"
    none = "none"
    cb = "cb"
    pls = "pls"
    both = "both"

    @property
    def runs_cb(self) -> bool:
        return self in (Method.cb, Method.both)

    @property
    def runs_pls(self) -> bool:
        return self in (Method.pls, Method.both)


class Missing(Choice):
    """Missing answers: SPSS listwise, psych pairwise, SmartPLS mean replacement (PLS), or
    full-information ML for the CB models (lavaan ``missing = "ml"``)."""

    listwise = "listwise"
    pairwise = "pairwise"
    mean = "mean"
    fiml = "fiml"


class SeMethod(Choice):
    """Standard errors of the CB model: information matrix or bootstrap."""

    standard = "standard"
    bootstrap = "bootstrap"


class Estimator(Choice):
    """Estimator of the CB models (lavaan's ``estimator``): normal-theory ML, or ML with
    robust standard errors and a scaled test: ``mlm`` (Satorra-Bentler) or ``mlr``
    (Huber-White SEs, Yuan-Bentler test as Mplus); ``wlsmv`` treats every model item as
    ordinal (DWLS on polychoric correlations, robust SEs, scaled-shifted test, as
    lavaan's ``ordered = TRUE, estimator = "WLSMV"``); ``auto`` is resolved by the run to
    ``mlr`` when Mardia's test rejects multivariate normality, else ``ml``."""

    ml = "ml"
    mlm = "mlm"
    mlr = "mlr"
    wlsmv = "wlsmv"
    auto = "auto"

    @property
    def lavaan(self) -> str:
        """The name as lavaan writes it: ``"ML"``, ``"MLM"``, ``"MLR"`` or ``"WLSMV"``."""
        return self.value.upper()

    @property
    def robust(self) -> bool:
        return self is not Estimator.ml


class Scheme(Choice):
    """PLS inner weighting scheme."""

    path = "path"
    factorial = "factorial"
    centroid = "centroid"


class Section(Choice):
    """An analysis a run can include."""

    describe = "describe"
    normality = "normality"
    reliability = "reliability"
    cfa = "cfa"
    paths = "paths"
    polychoric = "polychoric"


E = TypeVar("E", bound=Choice)


def choice(kind: type[E], value: object, name: str) -> E:
    """``value`` as a member of ``kind`` (case-insensitive), or an InputError naming the
    allowed values."""
    if isinstance(value, kind):
        return value
    text = str(value.value if isinstance(value, enum.Enum) else value).strip().lower()
    for member in kind:
        if member.value == text:
            return member
    allowed = ", ".join(m.value for m in kind)
    raise InputError(f"{name} must be one of {allowed}; got {value!r}", Location(),
                     f"Use --{name.replace('_', '-')} {next(iter(kind)).value}.")


def _number(value: object, name: str, lo: float, hi: float | None, integer: bool) -> Any:
    ok_type = isinstance(value, int) if integer else isinstance(value, (int, float))
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not ok_type:
        raise InputError(f"{name} must be {'an integer' if integer else 'a number'}, "
                         f"got {value!r}", Location())
    if value < lo or (hi is not None and value > hi):
        bound = f"between {lo:g} and {hi:g}" if hi is not None else f"at least {lo:g}"
        raise InputError(f"{name} must be {bound}, got {value!r}", Location())
    return value


@dataclass(frozen=True)
class ReadLimits:
    """Bounds checked before a workbook is parsed (:mod:`cxsurvey.io.workbook_limits`).

    They change no number, only whether an oversized file is read, so they are not part
    of ``meta.options``.

    Attributes
    ----------
    max_cells : int
        The most cells a worksheet may have (rows x columns, counted from A1).
    max_sheet_mb : int
        The most MiB of XML the worksheet and the shared strings may each expand to.
    """

    max_cells: int = DEFAULT_MAX_CELLS
    max_sheet_mb: int = DEFAULT_MAX_SHEET_MB

    def __post_init__(self) -> None:
        _number(self.max_cells, "max_cells", 1, None, integer=True)
        _number(self.max_sheet_mb, "max_sheet_mb", 1, None, integer=True)

    @property
    def max_sheet_bytes(self) -> int:
        """:attr:`max_sheet_mb` in bytes."""
        return self.max_sheet_mb * 1024 * 1024


@dataclass(frozen=True)
class Options:
    """Run options that change numbers; recorded in ``meta.options`` and the About sheet.

    Attributes
    ----------
    missing : Missing
        How missing answers are handled.
    alpha : float
        Significance level of the normality tests.
    seed : int
        Random seed of the bootstraps (default :data:`DEFAULT_SEED`).
    method : Method
        Structural estimator: ``cb``, ``pls`` or ``both`` (``none`` runs no model).
    loading_threshold : float
        CFA items with ``|std. loading|`` below it are weak (``--drop-weak`` removes them).
    drop_weak : bool
    se : SeMethod
    estimator : Estimator
        CB estimator (``ml``, ``mlm``, ``mlr``, ``wlsmv``); the CB bootstrap always
        refits by ML, as lavaan, and is refused with ``wlsmv``, as is ``missing =
        fiml``. Recorded as ``meta.estimator`` (lavaan's spelling), not in
        :meth:`as_dict`.
    bootstrap : int
        Bootstrap resamples (0: none).
    max_iter : int
        Optimiser iteration limit (lavaan's ``iter.max``).
    scheme : Scheme
        PLS inner weighting scheme.
    exclude_flagged : bool
        Drop the respondents the data-quality screen flags before the analyses.
    limits : ReadLimits
        How large a workbook may be read; not recorded in :meth:`as_dict` (it changes no
        number).
    modindices : int
        How many modification indices, largest first, the console shows (0: none); the
        JSON, CSV, Excel and HTML reports list them all. Not recorded in :meth:`as_dict`
        (it changes no number).
    ordered : tuple of str
        The items declared ordinal (lavaan's ``ordered``): ``()`` none, ``("all",)``
        every model item, else item names. Only with ``estimator = wlsmv``; a list makes
        the model's other items continuous indicators. Not recorded in :meth:`as_dict`
        (the run's ``meta.ordered`` says which items were ordinal when it lists some).
    consistent : bool
        PLS: consistent PLS (PLSc, Dijkstra & Henseler 2015) in place of PLS for the
        reflective constructs' loadings, reliabilities, paths and R2 (``pls.info``
        records it).
    interaction_method : {"two_stage", "product_indicator"}
        PLS: how an interaction term ``X:M`` is built (two-stage, SmartPLS's default,
        or the products of the standardised indicators).
    hoc_method : {"embedded_two_stage", "disjoint_two_stage", "repeated_indicators"}
        PLS: how a higher-order construct is estimated.
    ipma_target : str, optional
        PLS: the importance-performance map's target construct (default: the model's
        last final outcome).
    group : str, optional
        The column whose values define the customer groups to compare (segments,
        measurement invariance and group-wise paths for CB, MICOM and multi-group
        analysis for PLS). Recorded as ``meta.group`` when set.
    min_group_size : int
        Groups with fewer respondents are reported and left out of the comparisons.
    """

    missing: Missing = Missing.listwise
    alpha: float = 0.05
    seed: int = DEFAULT_SEED
    method: Method = Method.cb
    loading_threshold: float = 0.4
    drop_weak: bool = False
    se: SeMethod = SeMethod.standard
    estimator: Estimator = field(default=Estimator.ml, metadata={"recorded": False})
    bootstrap: int = 0
    max_iter: int = 10_000
    scheme: Scheme = Scheme.path
    exclude_flagged: bool = False
    limits: ReadLimits = field(default_factory=ReadLimits, metadata={"recorded": False})
    modindices: int = field(default=DEFAULT_MODINDICES, metadata={"recorded": False})
    ordered: tuple[str, ...] = field(default=(), metadata={"recorded": False})
    consistent: bool = field(default=False, metadata={"recorded": False})
    interaction_method: str = field(default=INTERACTION_METHODS[0],
                                    metadata={"recorded": False})
    hoc_method: str = field(default=HOC_METHODS[0], metadata={"recorded": False})
    ipma_target: str | None = field(default=None, metadata={"recorded": False})
    group: str | None = field(default=None, metadata={"recorded": False})
    min_group_size: int = field(default=DEFAULT_MIN_GROUP_SIZE, metadata={"recorded": False})

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "missing", choice(Missing, self.missing, "missing"))
        set_(self, "method", choice(Method, self.method, "method"))
        set_(self, "se", choice(SeMethod, self.se, "se"))
        set_(self, "estimator", choice(Estimator, self.estimator, "estimator"))
        set_(self, "scheme", choice(Scheme, self.scheme, "scheme"))
        if self.method is Method.auto:
            raise InputError("method auto must be resolved to cb, pls, both or none "
                             "before a run", Location())
        if self.missing is Missing.fiml:
            self._check_fiml()
        if self.estimator is Estimator.wlsmv:
            self._check_wlsmv()
        self._check_ordered()
        _number(self.alpha, "alpha", 0.0, 1.0, integer=False)
        _number(self.loading_threshold, "loading_threshold", 0.0, 1.0, integer=False)
        _number(self.bootstrap, "bootstrap", 0, MAX_BOOTSTRAP, integer=True)
        if self.bootstrap == 1:
            raise InputError("bootstrap must be 0 (the default count) or at least 2 "
                             "resamples, got 1", Location(), "Use --bootstrap 1000 or more.")
        _number(self.max_iter, "max_iter", 1, None, integer=True)
        _number(self.seed, "seed", 0, None, integer=True)
        _number(self.modindices, "modindices", 0, None, integer=True)
        _number(self.min_group_size, "min_group_size", 2, None, integer=True)
        for name, allowed in (("interaction_method", INTERACTION_METHODS),
                              ("hoc_method", HOC_METHODS)):
            value = str(getattr(self, name)).strip().lower().replace("-", "_")
            if value not in allowed:
                raise InputError(f"{name.replace('_', ' ')} must be one of "
                                 f"{', '.join(allowed)}, got {getattr(self, name)!r}",
                                 Location(), f"Use --{name.replace('_', '-')} {allowed[0]}.")
            set_(self, name, value)
        if self.group is not None and (not isinstance(self.group, str)
                                       or not self.group.strip()):
            raise InputError(f"group must name a column, got {self.group!r}", Location(),
                             "Use --group COLUMN, e.g. --group Channel.")
        for name in ("drop_weak", "exclude_flagged", "consistent"):
            if not isinstance(getattr(self, name), bool):
                raise InputError(f"{name} must be true or false, got "
                                 f"{getattr(self, name)!r}", Location())
        if not isinstance(self.limits, ReadLimits):
            raise InputError(f"limits must be ReadLimits, got {self.limits!r}", Location())

    def check_pls_only(self) -> None:
        """Refuse PLS-only options in a run whose resolved method fits no PLS model (the
        commands build their options before ``--method auto`` is resolved, so the run
        calls this once it is)."""
        if (self.consistent or self.ipma_target is not None) and not self.method.runs_pls:
            flag = "--consistent" if self.consistent else "--ipma-target"
            raise InputError(f"{flag} applies to PLS-SEM, but the run fits "
                             f"{'no' if self.method is Method.none else self.method.value} "
                             "models", Location(), "Add --method pls (or both).")

    def _check_fiml(self) -> None:
        """Refuse what FIML cannot be combined with: PLS, MLM (complete data only, as
        lavaan) and, for now, the CB bootstrap."""
        if self.method is Method.pls:
            raise InputError("--missing fiml applies to covariance-based models; "
                             "PLS cannot use it", Location(),
                             "Use --method cb (or both) with FIML, or --missing "
                             "listwise or mean with PLS.")
        if self.estimator is Estimator.mlm:
            raise InputError("estimator MLM needs complete data and cannot be "
                             "combined with --missing fiml", Location(),
                             "Use --estimator mlr with FIML (as lavaan), or "
                             "--missing listwise with MLM.")
        if self.se is SeMethod.bootstrap and self.method.runs_cb:
            raise InputError("--se bootstrap cannot be combined with --missing fiml "
                             "yet", Location(),
                             "Use --estimator mlr for SEs robust to non-normality "
                             "with FIML, or --missing listwise with the bootstrap.")

    def _check_wlsmv(self) -> None:
        """Refuse what WLSMV cannot be combined with: FIML (lavaan's WLSMV uses listwise
        or pairwise deletion) and, for now, the CB bootstrap."""
        if self.missing is Missing.fiml and self.method.runs_cb:
            raise InputError("estimator WLSMV cannot be combined with --missing fiml: "
                             "it works on polychoric correlations from complete rows "
                             "(listwise) or pairs (pairwise)", Location(),
                             "Use --missing listwise or pairwise with WLSMV, or "
                             "--estimator mlr with FIML.")
        if self.se is SeMethod.bootstrap and self.method.runs_cb:
            raise InputError("--se bootstrap cannot be combined with --estimator wlsmv "
                             "yet", Location(),
                             "WLSMV already gives robust SEs: use --se standard, or "
                             "--estimator ml with the bootstrap.")

    def _check_ordered(self) -> None:
        """``ordered`` is a tuple of names and, when given, goes with WLSMV."""
        if not isinstance(self.ordered, tuple) or not all(
                isinstance(x, str) and x.strip() for x in self.ordered):
            raise InputError(f"ordered must be a tuple of item names, got {self.ordered!r}",
                             Location(), "Use --ordered all or --ordered ITEM,ITEM,...")
        if self.ordered and self.method.runs_cb and self.estimator is not Estimator.wlsmv:
            raise InputError(f"--ordered needs --estimator wlsmv (ordinal items are fitted "
                             f"by WLSMV), got --estimator {self.estimator.value}",
                             Location(), "Add --estimator wlsmv, or leave out --ordered "
                             "to treat the answers as continuous.")

    def as_dict(self) -> dict[str, Any]:
        """The options as JSON values (enums as their strings), in field order."""
        out: dict[str, Any] = {}
        for f in fields(self):
            if not f.metadata.get("recorded", True):
                continue
            value = getattr(self, f.name)
            out[f.name] = value.value if isinstance(value, enum.Enum) else value
        return out
