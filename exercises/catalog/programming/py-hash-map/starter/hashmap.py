class HashMap:
    """A hash map with separate chaining: a list of buckets, each a list of
    [key, value] pairs. Do not use dict (or set) inside it: the point is to
    build one."""

    def __init__(self):
        self.buckets = [[] for _ in range(8)]
        self.size = 0

    # put(key, value), get(key, default=None), remove(key), __len__(),
    # keys() and growing the bucket list go here.
