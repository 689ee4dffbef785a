"""The ``cxsurvey`` command line: :mod:`~cxsurvey.cli.commands` (thin Typer commands),
:mod:`~cxsurvey.cli.params` (shared options) and :mod:`~cxsurvey.cli.runtime` (error
handling, report writing, progress bars). Heavy libraries are imported inside the
commands, so ``cxsurvey --help`` stays fast."""

from cxsurvey.cli.commands import app, main

__all__ = ["app", "main"]
