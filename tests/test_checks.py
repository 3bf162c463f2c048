"""The shared argument checks."""

import pytest

from multicore_guide.checks import check_bounds, check_int, check_real


def test_check_bounds_accepts_an_ordered_pair():
    assert check_bounds("block", (2, 5)) == (2, 5)
    assert check_bounds("block", (3, 3)) == (3, 3)


@pytest.mark.parametrize(
    "value, error",
    [
        ([0, 1], TypeError),
        ((0, 1, 2), TypeError),
        ((0.0, 1), TypeError),
        ((-1, 2), ValueError),
        ((5, 2), ValueError),
    ],
)
def test_check_bounds_rejects(value, error):
    with pytest.raises(error, match="block|start|stop"):
        check_bounds("block", value)


def test_check_int_and_real_name_the_argument():
    with pytest.raises(ValueError, match="workers"):
        check_int("workers", 0, minimum=1)
    with pytest.raises(TypeError, match="p"):
        check_real("p", "0.5")
    with pytest.raises(ValueError, match="NaN"):
        check_real("p", float("nan"))
