def binary_search(items, target):
    """Index of target in the sorted list items, or -1. O(log n)."""
    return -1


def merge_sort(items):
    """A new sorted list of items (a stable merge sort); items is unchanged."""
    return items
