"""A tiny calculator: parse "2 + 3" and compute it."""

OPERATORS = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
}


def parse(expr):
    """Split "2 + 3" into (2.0, "+", 3.0)."""
    parts = expr.split()
    if len(parts) != 3 or parts[1] not in OPERATORS:
        raise ValueError(f"cannot parse {expr!r}: use <number> <operator> <number>")
    return float(parts[0]), parts[1], float(parts[2])


def compute(a, op, b):
    """Apply op to a and b."""
    if op == "/" and b == 0:
        raise ZeroDivisionError("division by zero")
    return OPERATORS[op](a, b)


def calc(expr):
    """Parse and compute expr."""
    return compute(*parse(expr))
