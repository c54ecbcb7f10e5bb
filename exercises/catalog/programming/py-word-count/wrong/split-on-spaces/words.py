def word_counts(text):
    counts = {}
    for word in text.lower().split(" "):
        counts[word] = counts.get(word, 0) + 1
    return counts


def top_words(text, k):
    counts = word_counts(text)
    ranked = sorted(counts.items(), key=lambda wc: (-wc[1], wc[0]))
    return [[w, c] for w, c in ranked[:k]]
