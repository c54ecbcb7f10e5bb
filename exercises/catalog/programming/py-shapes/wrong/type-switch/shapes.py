import math
from abc import ABC, abstractmethod


class Shape(ABC):
    """What every shape can do."""

    @abstractmethod
    def area(self):
        ...

    @abstractmethod
    def perimeter(self):
        ...

    def describe(self):
        return "%s with area %.2f" % (type(self).__name__, self.area())


class Circle(Shape):
    def __init__(self, radius):
        if radius <= 0:
            raise ValueError("radius must be positive")
        self.radius = radius

    def area(self):
        return math.pi * self.radius ** 2

    def perimeter(self):
        return 2 * math.pi * self.radius


class Rectangle(Shape):
    def __init__(self, width, height):
        if width <= 0 or height <= 0:
            raise ValueError("sides must be positive")
        self.width, self.height = width, height

    def area(self):
        return self.width * self.height

    def perimeter(self):
        return 2 * (self.width + self.height)


class Square(Rectangle):
    def __init__(self, side):
        super().__init__(side, side)


def total_area(shapes):
    """The sum of the areas of shapes, whatever kinds they are."""
    total = 0
    for s in shapes:
        if type(s) is Circle:
            total += 3.14159 * s.radius ** 2
        elif type(s) is Rectangle:
            total += s.width * s.height
    return total
