"""MUTAG as RDF, bundled: a small knowledge graph for RDF2Vec examples, tests and the tour.

The DL-Learner carcinogenesis graph of Ristoski, de Vries & Paulheim (2016),
"A Collection of Benchmark Datasets for Systematic Evaluations of Machine Learning
on the Semantic Web": 74,567 triples as xz-compressed N-Triples (131 KB), decoded
from pyRDF2Vec's ``samples/mutag/mutag.hdt``, with the standard 272/68 split
(the R-GCN / pyRDF2Vec ``trainingSet.tsv`` / ``testSet.tsv``).
"""

from importlib import resources

__all__ = ["load_mutag"]

MUTAG_LABEL_PREDICATE = "http://dl-learner.org/carcinogenesis#isMutagenic"


def load_mutag():
    """Load the MUTAG knowledge graph and its node-classification task.

    Predict whether each of 340 compounds is mutagenic. The graph keeps the
    label triples (``isMutagenic``); pass ``skip_predicates`` to RDF2Vec so the
    label does not leak into the walks.

    Returns
    -------
    data : sklearn.utils.Bunch
        ``graph`` (path of the bundled ``mutag.nt.xz``), ``entities`` (340 IRIs),
        ``target`` (1 = mutagenic), ``train`` / ``test`` (boolean masks of the
        standard 272 / 68 split), ``skip_predicates`` and ``DESCR``.

    Examples
    --------
    >>> from deepmine.datasets import load_mutag
    >>> data = load_mutag()
    >>> len(data.entities), int(data.train.sum()), int(data.test.sum())
    (340, 272, 68)
    """
    import numpy as np
    import pandas as pd
    from sklearn.utils import Bunch

    root = resources.files("deepmine.datasets") / "data"
    with resources.as_file(root / "mutag_labels.tsv") as path:
        df = pd.read_csv(path, sep="\t")
    with resources.as_file(root / "mutag.nt.xz") as graph:
        graph = str(graph)
    return Bunch(graph=graph, entities=df["entity"].tolist(),
                 target=df["mutagenic"].to_numpy(dtype=np.int64),
                 train=(df["split"] == "train").to_numpy(), test=(df["split"] == "test").to_numpy(),
                 skip_predicates=[MUTAG_LABEL_PREDICATE], DESCR=__doc__)
