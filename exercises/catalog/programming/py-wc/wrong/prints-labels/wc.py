"""wc: count the lines, words and characters of standard input."""
import sys


def main(argv):
    flags = [a for a in argv if a.startswith("-")]
    for f in flags:
        if f not in ("-l", "-w", "-c"):
            print("wc: unknown option %s (use -l, -w or -c)" % f, file=sys.stderr)
            return 2
    text = sys.stdin.read()
    counts = {"-l": text.count("\n"), "-w": len(text.split()), "-c": len(text)}
    chosen = [f for f in ("-l", "-w", "-c") if f in flags] or ["-l", "-w", "-c"]
    print("lines=%d words=%d chars=%d" % (counts["-l"], counts["-w"], counts["-c"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
