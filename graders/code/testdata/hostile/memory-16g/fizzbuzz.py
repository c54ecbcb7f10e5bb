# Asks for 16 GiB and touches it, a page at a time.
def fizzbuzz(n):
    block = bytearray(16 * 1024**3)
    for i in range(0, len(block), 4096):
        block[i] = 1
    return []
