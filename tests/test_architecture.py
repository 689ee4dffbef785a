"""The package's shape: import contracts (import-linter) and no reach into private names."""

from __future__ import annotations

import ast

from importlinter.cli import lint_imports
from support import ROOT

PACKAGE = ROOT / "cxsurvey"


def test_import_contracts_are_kept(capsys, monkeypatch) -> None:
    """Layers (one-way imports), statistics by family, no cycles, private modules: the
    contracts in pyproject.toml, checked by import-linter."""
    monkeypatch.chdir(ROOT)
    code = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True,
                        no_logo=True)
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.count(" KEPT") == 4 and "BROKEN" not in out, out


def _imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module, [a.name for a in node.names]


def test_no_module_imports_another_packages_private_names() -> None:
    offences = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        package = module.rsplit(".", 1)[0] if path.name != "__init__.py" else module
        for source, names in _imports(path):
            if not source.startswith("cxsurvey"):
                continue
            source_package = source.rsplit(".", 1)[0]
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            if private and source_package != package and source != package:
                offences.append(f"{module}: from {source} import {', '.join(private)}")
    assert offences == []
