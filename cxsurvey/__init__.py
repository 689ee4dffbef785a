"""cxsurvey: psychometrics and structural models for Likert customer-experience surveys.

The package is layered one way: ``io`` (read survey exports) -> ``model`` (model
files) -> ``analysis`` (pure statistical functions) -> ``report`` (renderers) -> ``cli``.
Importing the package itself is cheap: heavy libraries are imported where used.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
