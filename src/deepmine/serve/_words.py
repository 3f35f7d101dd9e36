"""The analogy page: "A is to B as C is to ?", nearest neighbours, and a 2-D projection of the words."""

import numpy as np

from deepmine.serve._limits import BadInput

#: The lecture's examples, as (A, B, C, expected answer).
EXAMPLES = [("man", "king", "woman", "queen"), ("germany", "berlin", "france", "paris"),
            ("berlin", "germany", "paris", "france"), ("he", "his", "she", "her")]
_MAX_WORD = 100


def resolve(kv, word, field):
    """The vocabulary's spelling of ``word`` (as typed, lower case or capitalised), or an error."""
    if not isinstance(word, str) or not word.strip():
        raise BadInput(f"Type a word in the field {field}.")
    word = word.strip()
    if len(word) > _MAX_WORD:
        raise BadInput(f"The word in {field} is longer than {_MAX_WORD} characters.")
    for form in (word, word.lower(), word.capitalize(), word.upper()):
        if form in kv.key_to_index:
            return form
    raise BadInput(f"{word!r} (field {field}) is not among the {len(kv):,} words of these vectors; "
                   f"try another word.")


def _projection(kv, words):
    """PCA of the vectors of ``words`` to 2-D, scaled to [-1, 1]."""
    words = list(dict.fromkeys(words))
    V = np.stack([kv[w] for w in words]).astype(np.float64)
    V = V - V.mean(axis=0)
    if len(words) < 2 or not np.any(V):
        xy = np.zeros((len(words), 2))
    else:
        _, _, vt = np.linalg.svd(V, full_matrices=False)
        xy = V @ vt[:2].T
        if xy.shape[1] < 2:
            xy = np.hstack([xy, np.zeros((len(words), 1))])
        xy = xy / (np.abs(xy).max() or 1.0)
    return [{"word": w, "x": round(float(x), 4), "y": round(float(y), 4)}
            for w, (x, y) in zip(words, xy)]


def analogy(kv, a, b, c, topn=5):
    """Top answers of A : B :: C : ?, with the neighbours of the best answer and a projection."""
    a, b, c = resolve(kv, a, "A"), resolve(kv, b, "B"), resolve(kv, c, "C")
    if len({a, b, c}) < 3:
        raise BadInput("A, B and C must be three different words.")
    answers = kv.most_similar(positive=[b, c], negative=[a], topn=topn)
    best = answers[0][0]
    return {"a": a, "b": b, "c": c, "answers": [{"word": w, "score": round(float(s), 4)}
                                                for w, s in answers],
            "projection": _projection(kv, [a, b, c, best]),
            "arrows": [[a, b], [c, best]]}


def neighbours(kv, word, topn=10):
    """The ``topn`` nearest words by cosine similarity and their 2-D projection."""
    word = resolve(kv, word, "word")
    near = kv.most_similar(word, topn=topn)
    return {"word": word, "neighbours": [{"word": w, "score": round(float(s), 4)}
                                         for w, s in near],
            "projection": _projection(kv, [word, *[w for w, _ in near]]),
            "arrows": []}


def examples(kv):
    """The lecture's examples, each marked with whether these vectors know all its words."""
    out = []
    for a, b, c, expect in EXAMPLES:
        known = all(any(f in kv.key_to_index for f in (w, w.capitalize())) for w in (a, b, c))
        out.append({"a": a, "b": b, "c": c, "expect": expect, "known": known})
    return out
