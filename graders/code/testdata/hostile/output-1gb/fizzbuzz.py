# Prints 1 GiB, 64 KiB at a time, then returns a plausible answer.
import sys


def fizzbuzz(n):
    chunk = "x" * 65536 + "\n"
    for _ in range(16384):
        sys.stdout.write(chunk)
    return [str(i) for i in range(1, n + 1)]
