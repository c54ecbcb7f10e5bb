def word_counts(text):
    """Count each word of text, case-insensitively."""
    return {}


def top_words(text, k):
    """The k most frequent words as [word, count] pairs, most frequent first, ties alphabetical."""
    return []
