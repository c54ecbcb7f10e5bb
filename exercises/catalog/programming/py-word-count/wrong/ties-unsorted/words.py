import re


def word_counts(text):
    counts = {}
    for word in re.findall(r"[a-z']+", text.lower()):
        word = word.strip("'")
        if word:
            counts[word] = counts.get(word, 0) + 1
    return counts


def top_words(text, k):
    counts = word_counts(text)
    ranked = sorted(counts.items(), key=lambda wc: -wc[1])
    return [[w, c] for w, c in ranked[:k]]
