import pytest

from calc import parse


def test_parse():
    assert parse("2 + 3") == (2.0, "+", 3.0)


def test_parse_negative():
    assert parse("-1 - 4") == (-1.0, "-", 4.0)


def test_parse_rejects_garbage():
    with pytest.raises(ValueError):
        parse("two plus three")
