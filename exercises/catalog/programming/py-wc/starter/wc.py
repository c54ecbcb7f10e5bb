"""wc: count the lines, words and characters of standard input."""
import sys


def main(argv):
    # Read standard input, count, and print the counts.
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
