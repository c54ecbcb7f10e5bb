"""Drives the learner's hashmap.py for grader's hidden cases. No expected values here."""
import hashmap


class Collide:
    """A key whose hash is always 1: every one lands in the same bucket."""

    def __init__(self, name):
        self.name = name

    def __hash__(self):
        return 1

    def __eq__(self, other):
        return isinstance(other, Collide) and other.name == self.name


def _key(k):
    # ["collide", "x"] stands for Collide("x"); anything else is itself.
    if isinstance(k, list) and len(k) == 2 and k[0] == "collide":
        return Collide(k[1])
    return k


def ops(steps):
    """Applies [op, args...] steps to a new map; returns what each returned."""
    m = hashmap.HashMap()
    out = []
    for op, *args in steps:
        if op == "put":
            out.append(m.put(_key(args[0]), args[1]))
        elif op == "get":
            out.append(m.get(_key(args[0]), *args[1:]))
        elif op == "remove":
            try:
                out.append(m.remove(_key(args[0])))
            except KeyError:
                out.append("KeyError")
        elif op == "len":
            out.append(len(m))
    return out


def buckets_after(n):
    """How many buckets the map has after n distinct puts."""
    m = hashmap.HashMap()
    for i in range(n):
        m.put("k%d" % i, i)
    return len(m.buckets)


def many(n):
    """n puts, then every value read back and the sorted keys counted."""
    m = hashmap.HashMap()
    for i in range(n):
        m.put(i, i * i)
    ok = all(m.get(i) == i * i for i in range(n))
    return [ok, len(m), sorted(m.keys()) == list(range(n))]


def no_dict():
    """Whether the map keeps a dict or set anywhere in its own fields."""
    m = hashmap.HashMap()
    m.put("a", 1)
    return any(isinstance(v, (dict, set)) for v in vars(m).values())
