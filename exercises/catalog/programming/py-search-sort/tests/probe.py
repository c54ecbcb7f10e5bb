"""Drives the learner's search.py for grader's hidden cases. No expected values here."""
import search


class CountingList(list):
    """A list that counts how often it is indexed."""
    reads = 0

    def __getitem__(self, i):
        CountingList.reads += 1
        return list.__getitem__(self, i)

    def __iter__(self):
        for i in range(list.__len__(self)):
            yield self[i]


def binary_search(items, target):
    return search.binary_search(items, target)


def probes_needed(n, target):
    """Whether binary_search reads O(log n) elements of range(n): two reads
    (== and <) per halving at most."""
    items = CountingList(range(n))
    CountingList.reads = 0
    index = search.binary_search(items, target)
    return {"index": index, "logarithmic": CountingList.reads <= 2 * (n.bit_length() + 1)}


def merge_sort(items):
    before = list(items)
    out = search.merge_sort(items)
    return {"sorted": out, "input_unchanged": items == before}
