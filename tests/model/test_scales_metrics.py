"""``[data.scales]`` and ``[metrics]`` in a model file: parsing and their exit-2 errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxsurvey.errors import InputError
from cxsurvey.model import load_model

MODEL = '''[data]
scale = [1, 5]
[data.scales]
Loyalty = [1, 7]
Rec = [0, 10]
[model]
syntax = "Loyalty =~ Loy1 + Loy2 + Loy3"
[metrics]
nps = "Rec"
csat = "Sat"
ces = "Loy1"
'''


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "model.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _error(tmp_path: Path, text: str) -> InputError:
    with pytest.raises(InputError) as err:
        load_model(_write(tmp_path, text))
    assert err.value.exit_code == 2
    return err.value


def test_scales_and_metrics_are_read(tmp_path: Path) -> None:
    m = load_model(_write(tmp_path, MODEL))
    assert m.data.scale == (1, 5)
    assert m.data.scales == {"Loyalty": (1, 7), "Rec": (0, 10)}
    assert m.metrics == {"nps": "Rec", "csat": "Sat", "ces": "Loy1"}


def test_without_the_tables_nothing_is_set(tmp_path: Path) -> None:
    m = load_model(_write(tmp_path, '[model]\nsyntax = "A =~ a1 + a2"\n'))
    assert m.data.scales == {} and m.metrics == {}


@pytest.mark.parametrize("value", ["[10, 0]", "[1]", '["0", "10"]', "10", "[0.5, 10]",
                                   "[true, 5]", "[3, 3]"])
def test_bad_item_scale_names_file_and_line(tmp_path: Path, value: str) -> None:
    err = _error(tmp_path, f'[data]\nid = "id"\n[data.scales]\nLoy = [1, 7]\nRec = {value}\n'
                           '[model]\nsyntax = "A =~ a1 + a2"\n')
    assert "[data.scales] 'Rec' must be two integers [min, max]" in str(err)
    assert err.location.file == str(tmp_path / "model.toml") and err.location.line == 5


def test_scales_written_as_a_list_suggests_scale(tmp_path: Path) -> None:
    err = _error(tmp_path, '[data]\nscales = [1, 5]\n[model]\nsyntax = "A =~ a1 + a2"\n')
    assert "Did you mean 'scale'?" in str(err) and err.location.line == 2


def test_unknown_metric_names_its_line(tmp_path: Path) -> None:
    err = _error(tmp_path, '[model]\nsyntax = "A =~ a1 + a2"\n[metrics]\nnps = "Rec"\n'
                           'nsp = "Rec"\n')
    assert "unknown metric 'nsp' in [metrics]" in str(err) and err.location.line == 5
    assert "nps" in err.hint and "csat" in err.hint and "ces" in err.hint


@pytest.mark.parametrize("value", ["3", '""', '["Rec"]'])
def test_metric_must_name_one_column(tmp_path: Path, value: str) -> None:
    err = _error(tmp_path, f'[model]\nsyntax = "A =~ a1 + a2"\n[metrics]\ncsat = {value}\n')
    assert "[metrics] csat must name one item column" in str(err)
    assert err.location.line == 4


def test_metrics_must_be_a_table(tmp_path: Path) -> None:
    err = _error(tmp_path, 'metrics = "Rec"\n[model]\nsyntax = "A =~ a1 + a2"\n')
    assert "[metrics] must be a table" in str(err)
