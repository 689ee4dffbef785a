"""Renderers: console (rich), JSON, CSV, Excel. They read :class:`Results` and nothing else."""
