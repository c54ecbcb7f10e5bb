# Puts the project's root on sys.path, so the tests can import calc.
