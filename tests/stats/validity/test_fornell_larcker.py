"""Fornell-Larcker table and criterion against lavaan's standardised solutions.

References: tests/data/hs_cfa_reference.json and
tests/data/political_democracy_sem_reference.json (copies of /work/shared/reference,
described in its README, section 1 and 2: ``latent_correlation_matrix``,
``reliability.fornell_larcker_from_std_all`` and ``reliability.AVE_semTools``).
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose
from support import load_json, square_frame

from cxsurvey.stats.validity import fornell_larcker, fornell_larcker_passed

FILES = {"hs": "hs_cfa_reference.json", "pd": "political_democracy_sem_reference.json"}




@pytest.mark.parametrize(("key", "passed"), [
    ("hs", {"visual": True, "textual": True, "speed": True}),
    # dem60 and dem65 correlate 0.967, above both sqrt(AVE) (0.787, 0.802)
    ("pd", {"ind60": True, "dem60": False, "dem65": False}),
])
def test_fornell_larcker_layout_values_and_criterion(key, passed):
    ref = load_json(FILES[key])
    names = list(passed)
    corr = square_frame(ref["latent_correlation_matrix"], names)
    ave = {n: ref["reliability"]["fornell_larcker_from_std_all"][n]["AVE"] for n in names}
    table = fornell_larcker(ave, corr)
    assert list(table.columns) == ["a", "b", "value"]
    expected_pairs = [(a, names[j]) for i, a in enumerate(names) for j in range(i, len(names))]
    assert list(zip(table["a"], table["b"], strict=True)) == expected_pairs
    for a, b, value in table.itertuples(index=False):
        expect = np.sqrt(ave[a]) if a == b else corr.loc[a, b]
        assert value == pytest.approx(expect, abs=1e-12)
    result = fornell_larcker_passed(ave, corr)
    assert result.dtype == bool
    assert result.to_dict() == passed


def test_fornell_larcker_with_semtools_ave_and_bad_input():
    ref = load_json("hs_cfa_reference.json")
    corr = square_frame(ref["latent_correlation_matrix"])
    ave = ref["reliability"]["AVE_semTools"]
    table = fornell_larcker(ave, corr)
    diag = table[table["a"] == table["b"]].set_index("a")["value"]
    assert_allclose(diag.to_numpy(), np.sqrt([ave[n] for n in diag.index]), atol=1e-15)
    # only constructs in `ave`, in its order
    sub = fornell_larcker({"speed": ave["speed"], "visual": ave["visual"]}, corr)
    assert list(zip(sub["a"], sub["b"], strict=True)) == [
        ("speed", "speed"), ("speed", "visual"), ("visual", "visual")]
    assert fornell_larcker_passed({"speed": 0.5}, corr).to_dict() == {"speed": True}
    with pytest.raises(ValueError, match="correlation matrix"):
        fornell_larcker(ave, corr * 2.0)
    with pytest.raises(ValueError, match="nope"):
        fornell_larcker({"nope": 0.5}, corr)
    assert not fornell_larcker_passed({"visual": float("nan"), "speed": 0.5}, corr)["visual"]
