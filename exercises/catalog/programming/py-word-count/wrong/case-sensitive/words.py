import re


def word_counts(text):
    counts = {}
    for word in re.findall(r"[A-Za-z']+", text):
        word = word.strip("'")
        if word:
            counts[word] = counts.get(word, 0) + 1
    return counts


def top_words(text, k):
    counts = word_counts(text)
    ranked = sorted(counts.items(), key=lambda wc: (-wc[1], wc[0]))
    return [[w, c] for w, c in ranked[:k]]
