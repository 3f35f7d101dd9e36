"""RDF walkers: exact walk sets and step probabilities on small hand-made graphs."""

import collections

import pytest
from sklearn.base import clone

from deepmine.embeddings import (AnonymousWalker, CommunityWalker, HALKWalker, KnowledgeGraph,
                                 NGramWalker, PageRankSampler, RandomWalker, RDF2Vec, SplitWalker,
                                 WalkletWalker, WLWalker, Word2Vec)
from deepmine.exceptions import DataError

X = "http://x/"
#: a -p-> b, a -p-> c, a -q-> d, b -p-> c, d -q-> c, e -q-> b, e -p-> a
TRIPLES = ["a p b", "a p c", "a q d", "b p c", "d q c", "e q b", "e p a"]


def make_kg(tmp_path, triples=TRIPLES, name="g.nt"):
    lines = []
    for t in triples:
        s, p, o = t.split(" ", 2)
        obj = o if o.startswith('"') else f"<{X}{o}>"
        lines.append(f"<{X}{s}> <{X}{p}> {obj} .")
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return KnowledgeGraph.load(path)


def short(walks):
    """Walks as 'a p b' strings (IRIs without the namespace)."""
    return sorted(" ".join(t.replace(X, "") for t in w) for w in walks)


def counts(walks):
    return collections.Counter(" ".join(t.replace(X, "") for t in w) for w in walks)


@pytest.fixture
def kg(tmp_path):
    return make_kg(tmp_path)


def test_all_walks_forward_backward_and_mid(kg):
    """walks_per_entity=None enumerates every walk: forward, joined with backward, or mid."""
    assert short(RandomWalker(2, None).extract(kg, [X + "a"])) == [
        "a p b p c", "a p c", "a q d q c"]
    assert short(RandomWalker(1, None, with_reverse=True).extract(kg, [X + "a"])) == [
        "e p a p b", "e p a p c", "e p a q d"]
    assert short(RandomWalker(1, None, with_reverse=True).extract(kg, [X + "b"])) == [
        "a p b p c", "e q b p c"]
    # mid walks: 2 hops split between the start (against the edges) and the end
    assert short(RandomWalker(2, None, mid_walks=True).extract(kg, [X + "b"])) == [
        "a p b p c", "b p c", "e p a p b", "e q b", "e q b p c"]
    # a node without out-edges keeps the walk of itself alone
    assert short(RandomWalker(2, None).extract(kg, [X + "c"])) == ["c"]


def test_sampled_walks_are_distinct_subsets_and_capped(kg):
    """Sampled walks come from the full set, without repeats, at most walks_per_entity each."""
    full = set(short(RandomWalker(2, None, mid_walks=True).extract(kg, [X + "b"])))
    walks = short(RandomWalker(2, 3, mid_walks=True).extract(kg, [X + "b"], random_state=0))
    assert len(walks) == 3 and len(set(walks)) == 3 and set(walks) <= full
    both = RandomWalker(2, 2).extract(kg, [X + "a", X + "e"], random_state=1).to_list()
    assert sum(w[0] == X + "a" for w in both) == 2 and sum(w[0] == X + "e" for w in both) == 2
    with pytest.raises(DataError, match="exclude each other"):
        RandomWalker(with_reverse=True, mid_walks=True).extract(kg, [X + "a"])


def test_mid_walk_probabilities_match_theory(kg):
    """From b: hops forward ~ Binomial(2, 1/2), each hop uniform over the edges."""
    walks = RandomWalker(2, 20000, with_duplicates=True, mid_walks=True).extract(
        kg, [X + "b"], random_state=0)
    c = counts(walks)
    expected = {"e p a p b": 1 / 8, "e q b": 1 / 8, "a p b p c": 1 / 4, "e q b p c": 1 / 4,
                "b p c": 1 / 4}
    assert set(c) == set(expected)
    for walk, p in expected.items():
        assert c[walk] / 20000 == pytest.approx(p, abs=0.015)


def test_reverse_halves_are_drawn_independently(kg):
    """with_reverse samples: from a the backward half is always e p, the forward half uniform."""
    c = counts(RandomWalker(1, 9000, with_duplicates=True, with_reverse=True).extract(
        kg, [X + "a"], random_state=0))
    assert set(c) == {"e p a p b", "e p a p c", "e p a q d"}
    assert all(v / 9000 == pytest.approx(1 / 3, abs=0.02) for v in c.values())


def test_all_walks_refuse_to_explode(kg, monkeypatch):
    """Enumerating more walks than the limit fails with a message naming the fix."""
    import deepmine.embeddings._rdf_walkers as mod

    monkeypatch.setattr(mod, "_MAX_ROWS", 2)
    with pytest.raises(DataError, match="set walks_per_entity"):
        RandomWalker(2, None).extract(kg, [X + "a"])


def test_anonymous_walks_write_first_positions(tmp_path, kg):
    """Tokens become the index of their first occurrence; the entity keeps its name."""
    assert short(AnonymousWalker(2, None).extract(kg, [X + "a"])) == ["a 1 2", "a 1 2 1 4"]
    cycle = make_kg(tmp_path, ["x p y", "y p x"], "cycle.nt")
    assert short(AnonymousWalker(3, None).extract(cycle, [X + "x"])) == ["x 1 2 1 x 1 2"]
    # in the middle of a walk, positions count from its start
    assert short(AnonymousWalker(1, None, with_reverse=True).extract(kg, [X + "b"])) == [
        "0 1 b 1 4", "0 1 b 3 4"]


def test_walklets_pair_the_entity_with_each_token(kg):
    """Every token of every walk gives one (entity, token) walk; reversed with with_reverse."""
    assert short(WalkletWalker(2, None).extract(kg, [X + "a"])) == [
        "a b", "a c", "a d", "a p", "a q"]
    assert short(WalkletWalker(1, None, with_reverse=True).extract(kg, [X + "b"])) == [
        "a b", "c b", "e b", "p b", "q b"]
    assert short(WalkletWalker(2, None).extract(kg, [X + "c"])) == ["c"]


def test_ngrams_share_tokens_only_for_equal_histories(kg):
    """Nodes from the third token on become n-gram tokens; equal n-grams give equal tokens."""
    walks = NGramWalker(2, None, grams=3).extract(kg, [X + "a", X + "e"]).to_list()
    by_start = {" ".join(t.replace(X, "") for t in w[:4]): w[4] for w in walks if len(w) == 5}
    assert by_start["a p b p"] == by_start["e q b p"]  # both end in (b, p, c)
    assert len({by_start["a p b p"], by_start["a q d q"], by_start["e p a p"]}) == 3
    assert ["http://x/a", "http://x/p", "http://x/c"] in walks  # shorter than 3 grams: as is
    wild = short(NGramWalker(1, None, grams=3, wildcards=[1]).extract(kg, [X + "a"]))
    assert wild == ["a * b", "a * c", "a * d", "a p *", "a p b", "a p c", "a q *", "a q d"]


def test_halk_cuts_rare_hops_per_threshold(kg):
    """Hops along predicates in fewer than the threshold share of walks are cut out."""
    assert short(HALKWalker(2, None, freq_thresholds=[0.5]).extract(kg, [X + "a"])) == [
        "a p b p c", "a p c"]  # q is in 1 of 3 walks: 'a q d q c' is left with 'a' only
    assert len(HALKWalker(2, None, freq_thresholds=[0.5, 0.2]).extract(kg, [X + "a"])) == 3
    # every predicate rare: each entity keeps the walk of itself alone
    assert short(HALKWalker(2, None, freq_thresholds=[0.6]).extract(kg, [X + "a", X + "d"])) == [
        "a", "d"]
    # before the entity the hop is (node, predicate)
    assert short(HALKWalker(1, None, freq_thresholds=[0.6], with_reverse=True).extract(
        kg, [X + "b"])) == ["a p b p c", "b p c"]


def test_split_walks_cut_names_into_words(tmp_path):
    """IRIs split at '#', capitals and digits; numbers whole; each word once; entity unsplit."""
    path = tmp_path / "s.nt"
    d = "http://x.org/chem#"
    path.write_text(f"<{d}d1> <{d}hasBond> <{d}bond7> .\n"
                    f"<{d}bond7> <{d}hasAtom> <{d}atomC12> .\n"
                    f'<{d}d1> <{d}weight> "42"^^<http://www.w3.org/2001/XMLSchema#integer> .\n')
    kg = KnowledgeGraph.load(path)
    walks = sorted(SplitWalker(2, None).extract(kg, [d + "d1"]).to_list())
    assert walks == [[d + "d1", "has", "bond", "7", "atom", "atomc", "12"],
                     [d + "d1", "weight", "42.0"]]


def test_community_hops_follow_the_communities(tmp_path):
    """Louvain finds the two triangles; a hop lands on the object or a random member of its
    community, and the walk goes on from where it landed."""
    kg = make_kg(tmp_path, ["a p b", "b q c", "c r a", "x p y", "y q z", "z r x"])
    walker = CommunityWalker(1, 30000, hop_prob=0.5, with_duplicates=True, random_state=0)
    c = counts(walker.extract(kg, [X + "a"], random_state=0))
    comm = walker.communities_
    names = [n.replace(X, "") for n in kg.graph.labels]
    groups = {frozenset(n for n, k in zip(names, comm) if k == g) for g in set(comm.tolist())}
    assert groups == {frozenset("abc"), frozenset("xyz")}
    expected = {"a p b": 0.5 + 0.5 / 3, "a p a": 0.5 / 3, "a p c": 0.5 / 3}
    assert set(c) == set(expected)
    for walk, p in expected.items():
        assert c[walk] / 30000 == pytest.approx(p, abs=0.015)
    two = CommunityWalker(2, 30000, hop_prob=0.5, with_duplicates=True, random_state=0).extract(
        kg, [X + "a"], random_state=1).to_list()
    second = collections.Counter(w[3].replace(X, "") for w in two)
    # from b (prob. 2/3) the next predicate is q, from a it is p, from c it is r
    for pred, p in {"q": 2 / 3, "p": 1 / 6, "r": 1 / 6}.items():
        assert second[pred] / 30000 == pytest.approx(p, abs=0.015)


@pytest.mark.parametrize("walker", [
    AnonymousWalker(2, 20), WalkletWalker(2, 20), NGramWalker(2, 20), HALKWalker(2, 20),
    SplitWalker(2, 20), CommunityWalker(2, 20, random_state=0), WLWalker(2, 20, wl_iterations=1),
    RandomWalker(2, 20, sampler=PageRankSampler(), mid_walks=True)])
def test_every_walker_trains_rdf2vec(kg, walker):
    """Each walker plugs into RDF2Vec (nested params, clone) and embeds the entities."""
    rdf2vec = RDF2Vec(walker, Word2Vec(vector_size=4, min_count=1, epochs=1), random_state=0)
    assert rdf2vec.fit_transform(kg, [X + "a", X + "e"]).shape == (2, 4)
    params = clone(rdf2vec).get_params()
    assert params["walker__depth"] == 2
    first = rdf2vec.walker.extract(kg, [X + "a"], random_state=3).to_list()
    assert rdf2vec.walker.extract(kg, [X + "a"], random_state=3).to_list() == first
