"""Drives the learner's shapes.py for grader's hidden cases. No expected values here."""
import shapes

KINDS = {"circle": "Circle", "rectangle": "Rectangle", "square": "Square"}


def _make(spec):
    kind, *args = spec
    return getattr(shapes, KINDS[kind])(*args)


def measure(spec):
    s = _make(spec)
    return [round(s.area(), 6), round(s.perimeter(), 6), s.describe()]


def is_a(spec, base):
    return isinstance(_make(spec), getattr(shapes, base))


def total(specs):
    return round(shapes.total_area([_make(s) for s in specs]), 6)


class Triangle(shapes.Shape):
    """A shape the learner's code has never heard of."""

    def __init__(self, base, height):
        self.base, self.height = base, height

    def area(self):
        return self.base * self.height / 2

    def perimeter(self):
        return 0.0


def total_with_triangle(specs):
    return round(shapes.total_area([_make(s) for s in specs] + [Triangle(4, 5)]), 6)


def make(spec):
    _make(spec)
    return "made"


def abstract_shape():
    shapes.Shape()
    return "made"
