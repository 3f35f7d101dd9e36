"""Tour chapters: word2vec, and "anything2vec" (RDF2Vec, DeepWalk, graph2vec)."""

import os
import time

import numpy as np

from deepmine.tour import chapter
from deepmine.tour._common import offline_note

_PAIRS = [("france", "paris"), ("germany", "berlin"), ("italy", "rome"), ("spain", "madrid"),
          ("russia", "moscow"), ("china", "beijing"), ("japan", "tokyo"), ("greece", "athens"),
          ("england", "london"), ("egypt", "cairo"), ("poland", "warsaw"), ("portugal", "lisbon")]
_ANALOGIES = [("king", "man", "queen"), ("man", "king", "woman"), ("france", "paris", "germany"),
              ("good", "better", "bad"), ("walk", "walking", "swim"), ("one", "two", "three")]


def _pretrained_path():
    """Google News (or any word2vec) vectors, if the user has them: $DEEPMINE_WORD2VEC,
    gensim-data's cache (``deepmine download word2vec-google-news-300``) or ~/deepmine_data."""
    from deepmine.datasets import asset_path, is_cached

    env = os.environ.get("DEEPMINE_WORD2VEC")
    if env and os.path.isfile(env):
        return env
    if is_cached("word2vec-google-news-300"):
        return asset_path("word2vec-google-news-300")
    home = os.path.join(os.path.expanduser("~"), "deepmine_data")
    for name in ("GoogleNews-vectors-negative300.bin.gz", "GoogleNews-vectors-negative300.bin"):
        if os.path.isfile(os.path.join(home, name)):
            return os.path.join(home, name)
    return None


def _capital_figure(kv, title):
    import matplotlib.pyplot as plt
    from sklearn.decomposition import PCA

    pairs = [(c, k) for c, k in _PAIRS if c in kv.key_to_index and k in kv.key_to_index]
    if len(pairs) < 3:
        return None, pairs
    words = [w for pair in pairs for w in pair]
    xy = PCA(2).fit_transform(np.stack([kv[w] for w in words]))
    fig, ax = plt.subplots(figsize=(7.5, 5.5))
    for i in range(0, len(words), 2):
        ax.annotate("", xy=xy[i + 1], xytext=xy[i], arrowprops=dict(arrowstyle="->", color="0.6"))
    ax.scatter(xy[0::2, 0], xy[0::2, 1], c="tab:blue", label="country")
    ax.scatter(xy[1::2, 0], xy[1::2, 1], c="tab:red", label="capital")
    for w, (x, y) in zip(words, xy):
        ax.annotate(w, (x, y), fontsize=9, xytext=(3, 3), textcoords="offset points")
    ax.set_title(title)
    ax.legend(loc="best", fontsize=8)
    return fig, pairs


def _word_tables(section, kv, label):
    import pandas as pd

    from deepmine.embeddings import analogy, evaluate_analogies, evaluate_similarity

    rows = []
    for a, b, c in _ANALOGIES:
        missing = [w for w in (a, b, c) if w not in kv.key_to_index]
        answer = "(" + ", ".join(missing) + " not in vocabulary)" if missing else ", ".join(
            f"{w} ({s:.2f})" for w, s in analogy(kv, a, b, c, topn=3))
        rows.append({"question": f"{a} : {b} :: {c} : ?", f"top 3 ({label})": answer})
    section.table(pd.DataFrame(rows))
    acc, sections = evaluate_analogies(kv, restrict_vocab=30000)
    total = sections.iloc[-1]
    covered = int(total["correct"] + total["incorrect"])
    sims = evaluate_similarity(kv)
    section.text(f"questions-words.txt (restricted to the 30,000 most frequent words): "
                 f"{acc:.1%} of the {covered} covered questions answered exactly (top 1). "
                 f"WordSim-353: Spearman {sims['spearman']:.2f} over the "
                 f"{1 - sims['oov_fraction']:.0%} of pairs whose words are known.")
    best = sections.iloc[:-1].sort_values("correct", ascending=False).head(6)
    section.table(best, caption="analogy sections with the most correct answers")


_WIKI = "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"


def _corpus_candidates():
    """Texts that ship with the installed packages (gensim's test data): name -> (what, tokens)."""
    from gensim.test.utils import datapath

    out = {}
    for name, what in [("lee_background.cor", "Lee news articles"),
                       ("head500.noblanks.cor", "Wikipedia, Porter-stemmed (danc = dance)")]:
        with open(datapath(name), encoding="utf-8") as f:
            out[name] = (what, sum(len(line.split()) for line in f))
    return out


def _wiki_lines():
    """The Wikipedia dump excerpt in gensim's test data, markup removed: one line per paragraph."""
    import bz2

    from gensim.corpora.wikicorpus import extract_pages, filter_wiki
    from gensim.test.utils import datapath

    lines = []
    with bz2.open(datapath(_WIKI)) as f:
        for _, text, _ in extract_pages(f):
            lines += [p for p in filter_wiki(text).split("\n") if len(p) > 40]
    return lines


def _lecture_analogies(section, kv):
    """The lecture's own questions, in the capitalisation of news text."""
    import pandas as pd

    from deepmine.embeddings import analogy

    asks = [("man", "king", "woman", "queen"), ("Berlin", "Germany", "Paris", "France"),
            ("he", "his", "she", "her"), ("Paris", "France", "Rome", "Italy")]
    rows = []
    for a, b, c, expected in asks:
        if any(w not in kv.key_to_index for w in (a, b, c)):
            continue
        (word, score), = analogy(kv, a, b, c)
        rows.append({"question": f"{a} : {b} :: {c} : ?", "answer": word, "cosine": score,
                     "expected": expected, "right": word == expected})
    if rows:
        df = pd.DataFrame(rows)
        section.text(f"The pretrained vectors ({len(kv):,} words) answer "
                     f"{int(df['right'].sum())} of the lecture's {len(df)} analogies with "
                     f"b - a + c.")
        section.table(df, caption="The lecture's analogies on the pretrained vectors")


def _correct_analogies(kv, n=8, restrict_vocab=30000):
    """Questions of questions-words.txt that the vectors answer exactly, a few per section."""
    from gensim.test.utils import datapath

    _, sections = kv.evaluate_word_analogies(datapath("questions-words.txt"),
                                             restrict_vocab=restrict_vocab)
    rows = []
    for sec in sections[:-1]:
        for a, b, c, d in sec["correct"][:2]:
            rows.append({"section": sec["section"], "question": f"{a} : {b} :: {c} : ?".lower(),
                         "answer": d.lower()})
    return rows[:n]


@chapter(610, "word2vec", "word2vec: words as vectors, analogies as arithmetic")
def word2vec_chapter(section, ctx):
    import pandas as pd

    from deepmine.embeddings import Word2Vec

    section.text(
        "word2vec (Mikolov et al. 2013) learns a vector per word by predicting the words around "
        "it (skip-gram) or a word from its neighbours (CBOW), with negative sampling. Words in "
        "similar contexts get similar vectors, and some relations become directions: "
        "vec(king) - vec(man) + vec(woman) is close to vec(queen). deepmine trains with gensim's "
        "engine and returns gensim KeyedVectors.")
    tic = time.process_time()
    lines = _wiki_lines()
    candidates = _corpus_candidates()
    wiki_tokens = sum(len(line.split()) for line in lines)
    candidates[_WIKI.split("-shortened")[0] + "...bz2"] = ("Wikipedia articles, markup removed",
                                                           wiki_tokens)
    section.table(pd.DataFrame([{"text (gensim test data)": k, "what": w, "tokens": f"{n:,}"}
                                for k, (w, n) in candidates.items()]),
                  caption="The largest texts that ship with the installed packages")
    if ctx.quick:  # half of the text, to stay within the quick tour's time
        lines = lines[:len(lines) // 2]
    w2v = Word2Vec("skipgram", vector_size=ctx.epochs(100, 50), window=5, min_count=5,
                   epochs=ctx.epochs(10, 5), random_state=ctx.random_state).fit(lines)
    section.text(
        f"The tour trains on the largest unstemmed one, the Wikipedia excerpt"
        f"{' (its first half in quick mode)' if ctx.quick else ''}: "
        f"{w2v.corpus_total_words_:,} tokens, {len(w2v.wv_):,} words seen 5 times or more, "
        f"{w2v.epochs_} passes of skip-gram, "
        f"{time.process_time() - tic:.1f} s of CPU time including reading the dump.")
    section.text(
        "Semantic analogies need hundreds of millions of tokens; half a million learns topical "
        "neighbourhoods and a few regularities. The arithmetic is the same at any size, so "
        "below are the questions of Mikolov's test set whose four words this text contains "
        "and that the vectors answer exactly (top 1).", note=True)
    path = _pretrained_path()
    if path is None:
        offline_note(section, "word2vec trained on half a million tokens of Wikipedia",
                     "the analogies on the GoogleNews vectors (100 billion tokens)",
                     ["word2vec-google-news-300"], here=True)
    probes = [w for w in ("government", "music", "water", "war", "city", "computer")
              if w in w2v.wv_.key_to_index][:4]
    section.table(pd.DataFrame({w: [f"{n} ({s:.2f})" for n, s in w2v.most_similar(w, topn=5)]
                                for w in probes}), caption="nearest neighbours (cosine)")
    rows = _correct_analogies(w2v.wv_)
    if rows:
        section.table(pd.DataFrame(rows), caption="analogies answered exactly: b - a + c")
    _word_tables(section, w2v.wv_, "this corpus")
    fig, pairs = _capital_figure(w2v.wv_, "countries and capitals, 2-D PCA (small corpus)")
    if fig is not None:
        section.figure(fig, f"The Mikolov figure on the small corpus ({len(pairs)} pairs in the "
                            "vocabulary).")
    if path is None:
        return
    from deepmine.embeddings import load_vectors

    kv = load_vectors(path, limit=100_000 if ctx.quick else 300_000)
    section.heading(f"Pretrained: {os.path.basename(path)}")
    _lecture_analogies(section, kv)
    _word_tables(section, kv, "pretrained")
    fig, _ = _capital_figure(kv, "countries and capitals, 2-D PCA (pretrained)")
    if fig is not None:
        section.figure(fig, "The same figure on the pretrained vectors.")


@chapter(620, "anything2vec", "anything2vec: RDF2Vec, DeepWalk and graph2vec")
def anything2vec_chapter(section, ctx):
    import matplotlib.pyplot as plt
    import networkx as nx
    import pandas as pd
    from sklearn.decomposition import PCA
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV, cross_val_score
    from sklearn.svm import SVC

    from deepmine.datasets import load_mutag
    from deepmine.embeddings import DeepWalk, Graph2Vec, RandomWalker, RDF2Vec, Word2Vec

    section.text(
        "Everything that can be written as sequences can go through the word2vec pipeline. "
        "RDF2Vec (Ristoski & Paulheim 2016) walks a knowledge graph from each entity "
        "(entity, predicate, object, predicate, ...) and embeds the walks; DeepWalk does the same "
        "with random walks on a plain graph; graph2vec treats each graph as a document of "
        "Weisfeiler-Lehman subtree labels.")
    section.heading("RDF2Vec on MUTAG")
    data = load_mutag()
    walks, mode = (100, "cbow") if ctx.quick else (500, "skipgram")
    rdf2vec = RDF2Vec(RandomWalker(depth=4, walks_per_entity=walks),
                      Word2Vec(mode, vector_size=100, min_count=1, epochs=10),
                      skip_predicates=data.skip_predicates, random_state=ctx.random_state)
    X = rdf2vec.fit_transform(data.graph, data.entities)
    svc = GridSearchCV(SVC(), {"C": [0.01, 0.1, 1, 10, 100]}, cv=3)
    svc.fit(X[data.train], data.target[data.train])
    acc = svc.score(X[data.test], data.target[data.test])
    majority = max(data.target[data.test].mean(), 1 - data.target[data.test].mean())
    section.text(
        f"MUTAG ships with deepmine (74,567 triples; the label predicate isMutagenic is skipped "
        f"so it cannot leak). {len(data.entities)} compounds, {walks} random walks of depth 4 "
        f"each ({rdf2vec.n_walks_:,} distinct walks, extracted in {rdf2vec.walk_seconds_:.2f} s), "
        f"{mode} word2vec in {rdf2vec.embed_seconds_:.1f} s.")
    section.table(pd.DataFrame([
        {"model": f"deepmine RDF2Vec + SVC ({'quick settings' if ctx.quick else 'full settings'})",
         "test accuracy": acc},
        {"model": "majority class", "test accuracy": majority},
        {"model": "published RDF2Vec + SVM (Ristoski et al.)", "test accuracy": 0.672},
        {"model": "pyRDF2Vec 0.2.3, 500 walks, CBOW",
         "test accuracy": 0.735}]), caption="standard 272 / 68 split")
    if ctx.quick:
        section.text("Quick mode uses 100 walks per compound and CBOW; the full tour (500 walks, "
                     "skip-gram) is what compares with the published numbers.")

    section.heading("DeepWalk on the karate club")
    G = nx.karate_club_graph()
    club = np.array([G.nodes[v]["club"] == "Mr. Hi" for v in G.nodes()])
    dw = DeepWalk(walk_length=20, walks_per_node=ctx.epochs(40, 20), random_state=ctx.random_state,
                  embedder=Word2Vec(vector_size=32, window=5, min_count=1, epochs=3))
    Z = dw.fit_transform(G)
    acc = cross_val_score(LogisticRegression(), Z, club, cv=3).mean()
    xy = PCA(2).fit_transform(Z)
    fig, ax = plt.subplots(figsize=(7.5, 5.5))
    for joined, colour, name in [(True, "tab:blue", "Mr. Hi"), (False, "tab:orange", "Officer")]:
        ax.scatter(xy[club == joined, 0], xy[club == joined, 1], c=colour, s=40, label=name)
    for v, (x, y) in zip(dw.nodes_, xy):
        ax.annotate(str(v), (x, y), fontsize=9, xytext=(3, 3), textcoords="offset points")
    ax.legend(title="club joined", fontsize=9, loc="best")
    ax.set_title("DeepWalk vectors (PCA), coloured by the club each member joined")
    section.figure(fig, f"Zachary's karate club: the embedding was learned from the edges alone; "
                        f"a linear model recovers the split with {acc:.0%} cross-validated accuracy.")

    section.heading("graph2vec on families of small graphs")
    rng = np.random.RandomState(ctx.random_state)
    makers = {"cycle": nx.cycle_graph, "star": nx.star_graph, "path": nx.path_graph,
              "wheel": nx.wheel_graph, "tree": lambda n: nx.random_labeled_tree(n, seed=int(rng.randint(1 << 30)))}
    graphs, family = [], []
    for _ in range(ctx.epochs(30, 12)):
        for name, make in makers.items():
            graphs.append(make(int(rng.randint(7, 15))))
            family.append(name)
    g2v = Graph2Vec(wl_iterations=2, vector_size=32, min_count=1, epochs=20,
                    random_state=ctx.random_state)
    E = g2v.fit_transform(graphs)
    acc = cross_val_score(LogisticRegression(max_iter=2000), E, family, cv=3).mean()
    xy = PCA(2).fit_transform(E)
    fig, ax = plt.subplots(figsize=(7, 5))
    for name in makers:
        m = np.array(family) == name
        ax.scatter(xy[m, 0], xy[m, 1], label=name, s=18)
    ax.legend(fontsize=8)
    ax.set_title("graph2vec vectors (PCA) of random small graphs")
    section.figure(fig, f"{len(graphs)} graphs of five families, one vector each; a linear model "
                        f"tells the families apart with {acc:.0%} cross-validated accuracy.")
