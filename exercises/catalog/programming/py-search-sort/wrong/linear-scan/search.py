def binary_search(items, target):
    """Index of target in the sorted list items, or -1. O(log n)."""
    for i, x in enumerate(items):
        if x == target:
            return i
    return -1


def merge_sort(items):
    """A new sorted list of items (a stable merge sort); items is unchanged."""
    if len(items) <= 1:
        return list(items)
    mid = len(items) // 2
    left, right = merge_sort(items[:mid]), merge_sort(items[mid:])
    out, i, j = [], 0, 0
    while i < len(left) and j < len(right):
        if right[j] < left[i]:
            out.append(right[j])
            j += 1
        else:
            out.append(left[i])
            i += 1
    return out + left[i:] + right[j:]
