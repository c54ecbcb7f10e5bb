UNITS = {"h": 3600, "m": 60, "s": 1}


def parse_duration(text):
    """Parse "1h30m", "45s" or "2h" into seconds; raise ValueError on anything else."""
    if not isinstance(text, str):
        raise TypeError("duration must be a string, not %s" % type(text).__name__)
    text = text.strip()
    if not text:
        raise ValueError("empty duration")
    total, number, seen = 0, "", []
    for ch in text:
        if ch.isdigit():
            number += ch
        elif ch in UNITS:
            if not number:
                raise ValueError("unit %r without a number in %r" % (ch, text))
            if ch in seen or (seen and "hms".index(ch) <= "hms".index(seen[-1])):
                raise ValueError("units out of order in %r" % text)
            seen.append(ch)
            total += int(number) * UNITS[ch]
            number = ""
        else:
            raise ValueError("unexpected %r in %r" % (ch, text))
    if number:
        raise ValueError("number without a unit at the end of %r" % text)
    return total


def parse_or_default(text, default):
    """Like parse_duration, but returns default when text is not a valid duration."""
    try:
        return parse_duration(text)
    except Exception:
        pass
