import pytest

from calc import calc, compute


def test_add():
    assert compute(2, "+", 3) == 5


def test_divide():
    assert compute(7, "/", 2) == 3.5


def test_divide_by_zero():
    with pytest.raises(ZeroDivisionError):
        compute(1, "/", 0)


def test_calc():
    assert calc("6 * 7") == 42
