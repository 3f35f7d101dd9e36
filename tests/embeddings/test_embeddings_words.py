"""Word-level embeddings: Word2Vec, SequenceEmbedder, Doc2Vec, MeanEmbeddingVectorizer, vector files."""

import pickle

import numpy as np
import pytest
from gensim.models import KeyedVectors
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline

from deepmine.embeddings import (Doc2Vec, MeanEmbeddingVectorizer, SequenceEmbedder, Word2Vec,
                                 analogy, doesnt_match, evaluate_analogies, evaluate_similarity,
                                 load_vectors, most_similar, similarity)
from deepmine.exceptions import DataError, InvalidParameterError

TOPICS = [["cat", "dog", "horse", "cow", "sheep", "goat"],
          ["apple", "pear", "plum", "grape", "lemon", "melon"]]


def topic_corpus(n=300, length=8, seed=0):
    """Sentences drawn from one of two disjoint topic vocabularies, and their topic."""
    rng = np.random.RandomState(seed)
    y = rng.randint(0, 2, n)
    return [list(rng.choice(TOPICS[t], length)) for t in y], y


def toy_vectors():
    kv = KeyedVectors(2)
    kv.add_vectors(["man", "king", "woman", "queen", "apple"],
                   np.array([[1, 0], [1, 1], [-1, 0], [-1, 1], [0, -1.5]], dtype=np.float32))
    return kv


def test_word2vec_learns_topics():
    """Words of one topic end up closer to each other than to words of the other topic."""
    corpus, _ = topic_corpus()
    for mode in ("skipgram", "cbow"):
        w2v = Word2Vec(mode, vector_size=16, window=3, min_count=1, epochs=10, sample=0,
                       random_state=0).fit(corpus)
        same = np.mean([w2v.similarity(a, b) for t in TOPICS for a in t for b in t if a != b])
        cross = np.mean([w2v.similarity(a, b) for a in TOPICS[0] for b in TOPICS[1]])
        assert same > cross + 0.3, (mode, same, cross)
        assert w2v.doesnt_match(["cat", "dog", "horse", "apple"]) == "apple"


def test_word2vec_reproducible_and_path_equals_list(tmp_path):
    """An int seed gives identical vectors; a text file gives the same model as the token lists."""
    corpus, _ = topic_corpus(100)
    path = tmp_path / "corpus.txt"
    path.write_text("\n".join(" ".join(s) for s in corpus) + "\n")
    kw = dict(vector_size=8, min_count=1, epochs=3, random_state=3)
    a = Word2Vec(**kw).fit(corpus)
    b = Word2Vec(**kw).fit(corpus)
    c = Word2Vec(**kw).fit(str(path))
    np.testing.assert_array_equal(a.wv_.vectors, b.wv_.vectors)
    np.testing.assert_array_equal(a.wv_.vectors, c.wv_.vectors)
    assert a.wv_.index_to_key == c.wv_.index_to_key
    assert a.corpus_total_words_ == 800


def test_epochs_auto_trains_small_corpora_longer():
    """The default epochs="auto" is kept as given, resolves from the corpus length, 5 on big corpora."""
    from deepmine.embeddings._word2vec import resolve_epochs

    assert [resolve_epochs("auto", n) for n in (800, 61_260, 400_000, 10**7)] == [100, 33, 5, 5]
    assert resolve_epochs(7, 10**7) == 7
    corpus, _ = topic_corpus(100)  # 800 tokens
    w2v = Word2Vec(vector_size=4, min_count=1, random_state=0).fit(corpus)
    assert w2v.get_params()["epochs"] == "auto" and w2v.epochs_ == 100
    assert Word2Vec(vector_size=4, min_count=1, epochs=3).fit(corpus).epochs_ == 3
    d2v = Doc2Vec(vector_size=4, min_count=1, random_state=0).fit([" ".join(s) for s in corpus])
    assert d2v.get_params()["epochs"] == "auto" and d2v.epochs_ == 100
    assert d2v.get_params()["mode"] == "dbow"
    with pytest.raises(InvalidParameterError, match="'epochs' parameter"):
        Word2Vec(epochs="many").fit(corpus)


def test_word2vec_bad_input_messages(tmp_path):
    """Generators, missing files, empty corpora and bad parameters fail with clear errors."""
    corpus, _ = topic_corpus(20)
    with pytest.raises(DataError, match="one-shot generator"):
        Word2Vec(min_count=1).fit(s for s in corpus)
    with pytest.raises(FileNotFoundError, match="not an existing file"):
        Word2Vec().fit(str(tmp_path / "missing.txt"))
    with pytest.raises(DataError, match="empty corpus"):
        Word2Vec().fit([])
    with pytest.raises(DataError, match="min_count=50"):
        Word2Vec(min_count=50).fit(corpus)
    with pytest.raises(InvalidParameterError, match="'mode' parameter"):
        Word2Vec(mode="sg").fit(corpus)
    with pytest.raises(DataError, match=r"\['unicorn'\] not in the vocabulary"):
        Word2Vec(min_count=1, epochs=1).fit(corpus).most_similar("unicorn")


def test_word2vec_strings_are_tokenized_and_pickle_round_trip():
    """String documents are lowercased and split; a pickled model answers the same queries."""
    docs = ["The cat and the Dog.", "A dog, a cat!"] * 10
    w2v = Word2Vec(vector_size=4, min_count=1, epochs=1, random_state=0).fit(docs)
    assert set(w2v.wv_.index_to_key) == {"the", "cat", "and", "dog", "a"}
    again = pickle.loads(pickle.dumps(w2v))
    assert again.most_similar("cat", topn=2) == w2v.most_similar("cat", topn=2)
    assert clone(w2v).get_params() == w2v.get_params()


def test_analogy_and_queries_on_keyed_vectors():
    """man : king :: woman : queen with both objectives; queries work on any KeyedVectors."""
    kv = toy_vectors()
    assert analogy(kv, "man", "king", "woman")[0][0] == "queen"
    assert analogy(kv, "man", "king", "woman", method="3cosmul")[0][0] == "queen"
    assert analogy(kv, "king", "man", "queen")[0][0] == "woman"
    assert most_similar(kv, "king", topn=1)[0][0] in {"man", "queen"}
    assert similarity(kv, "man", "woman") == pytest.approx(-1.0)
    assert doesnt_match(kv, ["man", "king", "apple"]) == "apple"
    with pytest.raises(DataError, match=r"\['Queen'\] not in the vocabulary.*lower case"):
        analogy(kv, "man", "king", "Queen")
    with pytest.raises(InvalidParameterError, match="3cosadd"):
        analogy(kv, "man", "king", "woman", method="cos")


def test_evaluate_analogies_and_similarity(tmp_path):
    """Accuracy is counted per section over covered questions; similarity is rank-correlated."""
    kv = toy_vectors()
    q = tmp_path / "questions.txt"
    q.write_text(": royal\nman king woman queen\nking man queen woman\n"
                 ": odd\nman king woman apple\nman king unicorn queen\n")
    acc, sections = evaluate_analogies(kv, q)
    assert acc == pytest.approx(2 / 3)
    assert list(sections["section"]) == ["royal", "odd", "Total accuracy"]
    assert list(sections["correct"]) == [2, 0, 2]
    sims = tmp_path / "sims.tsv"
    sims.write_text("# comment\nman\tking\t8\nman\twoman\t1\nman\tapple\t3\nman\tunicorn\t5\n")
    res = evaluate_similarity(kv, sims)
    assert res["spearman"] == pytest.approx(1.0)
    assert res["oov_fraction"] == pytest.approx(0.25)
    acc, sections = evaluate_analogies(kv)  # gensim's copy of questions-words.txt
    total = sections.iloc[-1]
    assert total["section"] == "Total accuracy" and total["correct"] + total["incorrect"] >= 1


def test_load_vectors_detects_formats(tmp_path):
    """Binary, text (also gzipped) and headerless GloVe files load; garbage fails clearly."""
    kv = toy_vectors()
    kv.save_word2vec_format(str(tmp_path / "v.bin"), binary=True)
    kv.save_word2vec_format(str(tmp_path / "v.txt.gz"), binary=False)
    (tmp_path / "glove.txt").write_text("man 1 0\nking 1 1\n")
    b = load_vectors(tmp_path / "v.bin")
    t = load_vectors(tmp_path / "v.txt.gz")
    np.testing.assert_array_equal(b.vectors, kv.vectors)
    np.testing.assert_allclose(t.vectors, kv.vectors, atol=1e-6)
    assert load_vectors(tmp_path / "v.bin", limit=2).index_to_key == ["man", "king"]
    assert load_vectors(tmp_path / "glove.txt").vector_size == 2
    (tmp_path / "bad.txt").write_text("3 2\nman 1\n")
    with pytest.raises(DataError, match="Cannot read"):
        load_vectors(tmp_path / "bad.txt")
    with pytest.raises(FileNotFoundError):
        load_vectors(tmp_path / "nope.bin")


def test_sequence_embedder_any_hashable_items():
    """Integer items get vectors; neighbours are returned as the original items."""
    rng = np.random.RandomState(0)
    seqs = [list(rng.choice([1, 2, 3, 4], 6)) if rng.rand() < 0.5 else list(rng.choice([10, 20, 30, 40], 6))
            for _ in range(300)]
    seqs = [[int(x) for x in s] for s in seqs]
    emb = SequenceEmbedder(vector_size=8, window=3, sample=0, random_state=0).fit(seqs)
    assert sorted(emb.items_) == [1, 2, 3, 4, 10, 20, 30, 40]
    assert emb.transform([1, 40]).shape == (2, 8)
    assert {item for item, _ in emb.most_similar(1, topn=3)} == {2, 3, 4}
    with pytest.raises(DataError, match="not seen in fit"):
        emb.transform([99])
    with pytest.raises(DataError, match="share a string form"):
        SequenceEmbedder().fit([[1, "1", 2]])
    chars = SequenceEmbedder(vector_size=4, epochs=1, random_state=0).fit(["ACGT", "GATTACA"])
    assert set(chars.items_) == set("ACGT")


def test_doc2vec_deterministic_transform_and_pipeline():
    """Inference is repeatable (same model, or a refit with the same seed) and separates topics."""
    corpus, y = topic_corpus(120, length=10)
    docs = [" ".join(s) for s in corpus]
    for mode in ("dm", "dbow"):
        d2v = Doc2Vec(mode, vector_size=8, min_count=1, epochs=5, random_state=0)
        X1 = d2v.fit_transform(docs[:10])
        X2 = d2v.transform(docs[:10])
        X3 = clone(d2v).fit(docs[:10]).transform(docs[:10])
        np.testing.assert_array_equal(X1, X2)
        np.testing.assert_array_equal(X1, X3)
        assert d2v.document_vectors_.shape == (10, 8)
    pipe = make_pipeline(Doc2Vec("dbow", vector_size=8, min_count=1, epochs=10, sample=0, random_state=0),
                         LogisticRegression())
    assert cross_val_score(pipe, docs, y, cv=3).mean() >= 0.85


def test_mean_embedding_vectorizer_weights_and_sharing():
    """Uniform and TF-IDF means match a hand computation; clone shares the vectors."""
    kv = toy_vectors()
    docs = ["man man king", "king queen", "nothing known"]
    X = MeanEmbeddingVectorizer(kv).fit_transform(docs)
    np.testing.assert_allclose(X[0], (2 * kv["man"] + kv["king"]) / 3, rtol=1e-6)
    np.testing.assert_array_equal(X[2], [0, 0])
    tf = MeanEmbeddingVectorizer(kv, weighting="tfidf").fit(docs)
    idf_man, idf_king = tf.idf_["man"], tf.idf_["king"]
    assert idf_man > idf_king
    expected = (2 * idf_man * kv["man"] + idf_king * kv["king"]) / (2 * idf_man + idf_king)
    np.testing.assert_allclose(tf.transform(docs)[0], expected, rtol=1e-6)
    vec = MeanEmbeddingVectorizer(kv)
    assert clone(vec).keyed_vectors is kv
    assert list(vec.fit(docs).get_feature_names_out()) == ["mean0", "mean1"]


def test_mean_embedding_in_grid_search():
    """A Word2Vec's vectors feed a classifier inside GridSearchCV."""
    corpus, y = topic_corpus(120)
    w2v = Word2Vec(vector_size=8, min_count=1, epochs=5, random_state=0).fit(corpus)
    pipe = make_pipeline(MeanEmbeddingVectorizer(w2v), LogisticRegression())
    grid = GridSearchCV(pipe, {"meanembeddingvectorizer__weighting": ["uniform", "tfidf"]}, cv=3)
    grid.fit(corpus, y)
    assert grid.best_score_ >= 0.95
