"""bench_defaults section: Word2Vec and Doc2Vec on gensim's shipped Lee corpus.

Both deepmine and gensim train on the same token lists: the 300 news articles of
``lee_background.cor`` tokenized by ``deepmine.embeddings.simple_tokenize``
(lowercased word characters), so only the defaults differ. gensim runs with its
own defaults (CBOW for Word2Vec, PV-DM for Doc2Vec), one worker and the seed.

Scores, both shipped with gensim:

* WordSim-353 Spearman correlation (``wordsim353.tsv``; on this small corpus most
  pairs are out of vocabulary and are skipped);
* Lee document similarity: Pearson correlation between the cosine similarities of
  the 50 documents of ``lee.cor`` (1225 pairs) and the mean human judgement in
  ``similarities0-1.txt`` (Lee, Pincombe & Welsh 2005). Word2Vec documents are the
  means of their word vectors; Doc2Vec documents are inferred.

The tuned Doc2Vec row uses the settings of gensim's Lee-corpus Doc2Vec tutorial
(PV-DM, ``vector_size=50, min_count=2, epochs=40``).
"""

import time

import numpy as np


def _corpus():
    from gensim.test.utils import datapath

    from deepmine.embeddings import simple_tokenize

    with open(datapath("lee_background.cor"), encoding="latin-1") as f:
        train = [simple_tokenize(line) for line in f]
    with open(datapath("lee.cor"), encoding="latin-1") as f:
        test = [simple_tokenize(line) for line in f]
    human = np.loadtxt(datapath("similarities0-1.txt"))
    return train, test, human


def lee_pearson(doc_vectors, human):
    """Pearson correlation of document cosines with the human similarities (upper triangle)."""
    V = np.asarray(doc_vectors, dtype=np.float64)
    norms = np.linalg.norm(V, axis=1, keepdims=True)
    V = V / np.where(norms == 0, 1, norms)
    iu = np.triu_indices(len(V), k=1)
    return float(np.corrcoef((V @ V.T)[iu], human[iu])[0, 1])


def _mean_vectors(kv, docs):
    out = np.zeros((len(docs), kv.vector_size))
    for i, words in enumerate(docs):
        known = [w for w in words if w in kv.key_to_index]
        if known:
            out[i] = np.mean([kv[w] for w in known], axis=0)
    return out


def _word2vec_rows(seeds, train, test, human):
    from gensim.models import Word2Vec as GensimWord2Vec

    from deepmine.embeddings import Word2Vec, evaluate_similarity

    settings = [
        ("default", lambda s: Word2Vec(random_state=s).fit(train).wv_),
        ("baseline: gensim Word2Vec (defaults: CBOW)",
         lambda s: GensimWord2Vec(train, workers=1, seed=s).wv),
    ]
    for setting, fit in settings:
        sims, lee, seconds, covered = [], [], [], []
        for seed in seeds:
            cpu = time.process_time()
            kv = fit(seed)
            seconds.append(time.process_time() - cpu)
            result = evaluate_similarity(kv)
            sims.append(result["spearman"])
            covered.append(round(353 * (1 - result["oov_fraction"])))
            lee.append(lee_pearson(_mean_vectors(kv, test), human))
        common = {"area": "words", "estimator": "Word2Vec", "dataset": "gensim lee_background",
                  "setting": setting, "fit_seconds": seconds}
        yield {**common, "metric": f"WordSim-353 Spearman ({min(covered)} pairs in vocabulary)",
               "scores": sims}
        yield {**common, "metric": "Lee doc similarity Pearson (mean vectors)", "scores": lee}


def _doc2vec_rows(seeds, train, test, human):
    from gensim.models.doc2vec import Doc2Vec as GensimDoc2Vec
    from gensim.models.doc2vec import TaggedDocument

    from deepmine.embeddings import Doc2Vec

    tagged = [TaggedDocument(words, [i]) for i, words in enumerate(train)]

    def deepmine_doc2vec(**kw):
        def fit(seed):
            model = Doc2Vec(random_state=seed, **kw).fit(train)
            return lambda docs: model.transform(docs)
        return fit

    def gensim_doc2vec(seed):
        model = GensimDoc2Vec(tagged, workers=1, seed=seed)
        return lambda docs: np.array([model.infer_vector(words) for words in docs])

    settings = [
        ("default", deepmine_doc2vec()),
        ("tuned: dm, vector_size=50, min_count=2, epochs=40 (gensim's Lee tutorial)",
         deepmine_doc2vec(mode="dm", vector_size=50, min_count=2, epochs=40)),
        ("baseline: gensim Doc2Vec (defaults: PV-DM)", gensim_doc2vec),
    ]
    for setting, fit in settings:
        scores, seconds = [], []
        for seed in seeds:
            cpu = time.process_time()
            infer = fit(seed)
            seconds.append(time.process_time() - cpu)
            scores.append(lee_pearson(infer(test), human))
        yield {"area": "words", "estimator": "Doc2Vec", "dataset": "gensim lee_background",
               "setting": setting, "metric": "Lee doc similarity Pearson (inferred)",
               "scores": scores, "fit_seconds": seconds}


def rows(seeds, quick=False):
    train, test, human = _corpus()
    yield from _word2vec_rows(list(seeds), train, test, human)
    yield from _doc2vec_rows(list(seeds), train, test, human)
