class HashMap:
    """A hash map with separate chaining: a list of buckets, each a list of
    [key, value] pairs."""

    def __init__(self):
        self.buckets = [[] for _ in range(8)]
        self.size = 0

    def _bucket(self, key):
        return self.buckets[hash(key) % len(self.buckets)]

    def put(self, key, value):
        bucket = self._bucket(key)
        bucket.append([key, value])
        self.size += 1
        if self.size > len(self.buckets) * 3 // 4:
            self._grow()

    def get(self, key, default=None):
        for k, v in self._bucket(key):
            if k == key:
                return v
        return default

    def remove(self, key):
        bucket = self._bucket(key)
        for i, pair in enumerate(bucket):
            if pair[0] == key:
                del bucket[i]
                self.size -= 1
                return pair[1]
        raise KeyError(key)

    def __len__(self):
        return self.size

    def keys(self):
        return [k for bucket in self.buckets for k, _ in bucket]

    def _grow(self):
        old = self.buckets
        self.buckets = [[] for _ in range(len(old) * 2)]
        for bucket in old:
            for k, v in bucket:
                self._bucket(k).append([k, v])
