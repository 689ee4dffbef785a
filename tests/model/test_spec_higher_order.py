"""ModelSpec's views of a model with a second-order construct and an interaction term."""

from __future__ import annotations

from cxsurvey.model.syntax import parse_syntax


def test_items_first_order_higher_order_and_interactions() -> None:
    spec = parse_syntax("A =~ a1 + a2\nB =~ b1 + b2\nH =~ A + B\nY =~ y1 + y2\n"
                        "Y ~ H + A:B")
    assert spec.items == ("a1", "a2", "b1", "b2", "y1", "y2")
    assert spec.first_order == {"A": ("a1", "a2"), "B": ("b1", "b2"), "Y": ("y1", "y2")}
    assert spec.higher_order == {"H": ("A", "B")}
    assert spec.interactions == ("A:B",)


def test_a_plain_model_has_neither() -> None:
    spec = parse_syntax("A =~ a1 + a2\nY =~ y1 + y2\nY ~ A")
    assert spec.higher_order == {} and spec.interactions == ()
    assert spec.first_order == spec.constructs
