"""Embeddings: word2vec, doc2vec and "anything2vec" (graph walks, DeepWalk, node2vec, RDF2Vec, graph2vec).

Word vectors are trained by gensim and returned as gensim ``KeyedVectors``;
everything that can be written as sequences -- sentences, sessions, walks on a
graph or a knowledge graph -- goes through the same word2vec pipeline. Graph
walks come from one vectorised engine over CSR arrays (:class:`CSRGraph`).
"""

from deepmine.embeddings._corpora import TokenCorpus, simple_tokenize
from deepmine.embeddings._doc2vec import Doc2Vec, MeanEmbeddingVectorizer
from deepmine.embeddings._graph import CSRGraph
from deepmine.embeddings._graph2vec import Graph2Vec
from deepmine.embeddings._kg import KnowledgeGraph
from deepmine.embeddings._node import DeepWalk, Node2Vec
from deepmine.embeddings._rdf2vec import RDF2Vec
from deepmine.embeddings._rdf_literals import RDF2VecLiterals, literal_features
from deepmine.embeddings._rdf_samplers import (ObjFreqSampler, ObjPredFreqSampler,
                                               PageRankSampler, PredFreqSampler, UniformSampler,
                                               WideSampler)
from deepmine.embeddings._rdf_walk_community import CommunityWalker
from deepmine.embeddings._rdf_walk_kinds import (AnonymousWalker, HALKWalker, NGramWalker,
                                                 SplitWalker, WalkletWalker)
from deepmine.embeddings._rdf_walkers import RandomWalker, WLWalker
from deepmine.embeddings._sgns import SkipGram
from deepmine.embeddings._vectors import (analogy, doesnt_match, evaluate_analogies,
                                          evaluate_similarity, load_vectors, most_similar,
                                          similarity)
from deepmine.embeddings._walk_corpus import WalkCorpus
from deepmine.embeddings._word2vec import SequenceEmbedder, Word2Vec

__all__ = [
    "Word2Vec", "Doc2Vec", "MeanEmbeddingVectorizer", "SequenceEmbedder", "TokenCorpus",
    "simple_tokenize", "load_vectors", "analogy", "most_similar", "similarity", "doesnt_match",
    "evaluate_analogies", "evaluate_similarity", "CSRGraph", "WalkCorpus", "DeepWalk", "Node2Vec",
    "Graph2Vec", "KnowledgeGraph", "RandomWalker", "WLWalker", "RDF2Vec",
    "AnonymousWalker", "WalkletWalker", "NGramWalker", "CommunityWalker", "HALKWalker",
    "SplitWalker", "UniformSampler", "ObjFreqSampler", "PredFreqSampler", "ObjPredFreqSampler",
    "PageRankSampler", "WideSampler", "RDF2VecLiterals", "literal_features",
]
__all__ += ["SkipGram"]
