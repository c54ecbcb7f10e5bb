def parse_duration(text):
    """Parse "1h30m", "45s" or "2h" into seconds; raise ValueError on anything else."""
    return 0


def parse_or_default(text, default):
    """Like parse_duration, but returns default when text is not a valid duration."""
    return default
