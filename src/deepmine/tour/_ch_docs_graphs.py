"""Tour chapters: doc2vec (documents as vectors) and node2vec's p and q (walks that stay near
or go far)."""

import numpy as np

from deepmine.report import compare
from deepmine.tour import chapter


def _lee():
    """gensim's Lee corpus: 300 news articles to train on, 50 more with human similarity scores."""
    from gensim.test.utils import datapath

    with open(datapath("lee_background.cor"), encoding="latin-1") as f:
        train = f.read().splitlines()
    with open(datapath("lee.cor"), encoding="latin-1") as f:
        test = f.read().splitlines()
    return train, test, np.loadtxt(datapath("similarities0-1.txt"))


def _cosines(V):
    V = np.asarray(V, dtype=np.float64)
    V = V / np.maximum(np.linalg.norm(V, axis=1, keepdims=True), 1e-12)
    return V @ V.T


@chapter(615, "doc2vec", "doc2vec: documents as vectors")
def doc2vec_chapter(section, ctx):
    import matplotlib.pyplot as plt
    import pandas as pd
    from sklearn.feature_extraction.text import TfidfVectorizer

    from deepmine.embeddings import Doc2Vec

    train, test, human = _lee()
    section.text(
        "Paragraph vectors (Le & Mikolov 2014) give every document its own vector, trained like a "
        "word that occurs in all of the document's contexts; Doc2Vec.transform infers vectors for "
        "new documents with the word weights frozen. The test: gensim's Lee corpus, 300 news "
        "articles to train on and 50 others that people rated for similarity in pairs (Lee, "
        "Pincombe & Welsh 2005). How well do cosines between inferred vectors agree with the "
        "people's ratings? The baseline is TF-IDF, the bag of words weighted by rarity.")
    d2v = Doc2Vec(random_state=ctx.random_state).fit(train)
    iu = np.triu_indices(len(test), k=1)
    sims = {"Doc2Vec (defaults, PV-DBOW)": _cosines(d2v.transform(test)),
            "TF-IDF cosine": _cosines(TfidfVectorizer().fit(train + test).transform(test).toarray())}
    corr = {k: float(np.corrcoef(S[iu], human[iu])[0, 1]) for k, S in sims.items()}
    section.table({"document vectors": list(corr), "Pearson r with human ratings (1225 pairs)":
                   list(corr.values())}, caption=f"Doc2Vec trained for {d2v.epochs_} passes")
    d, t = corr["Doc2Vec (defaults, PV-DBOW)"], corr["TF-IDF cosine"]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), sharey=True, layout="constrained")
    for ax, (name, S) in zip(axes, sims.items()):
        ax.scatter(S[iu], human[iu], s=6, alpha=0.5)
        ax.set(xlabel=f"cosine, {name}", title=f"{name}: r = {corr[name]:.2f}")
    axes[0].set_ylabel("human similarity rating")
    section.figure(fig, ["Each point is a pair of test articles. The doc2vec cosines agree with "
                         "the ratings ", compare(d, t, fmt="{:.2f}", tolerance=0.02,
                                                 words=("better than", "about as well as",
                                                        "worse than")), " TF-IDF's."])
    S = sims["Doc2Vec (defaults, PV-DBOW)"]
    np.fill_diagonal(S, -1)
    q = 0  # the first test article is the query
    best = int(S[q].argmax())
    rows = [{"article": "query", "first words": " ".join(test[q].split()[:14]) + " ..."},
            {"article": f"most similar by doc2vec (cosine {S[q, best]:.2f}, human rating "
                        f"{human[q, best]:.2f})",
             "first words": " ".join(test[best].split()[:14]) + " ..."}]
    section.table(pd.DataFrame(rows), caption="Document search: the nearest test article")


def _hop_distances(G, walks):
    """Shortest-path distance from each walk's start to every later node of the walk."""
    import networkx as nx

    dist = {}
    out = []
    for w in walks:
        start = w[0]
        if start not in dist:
            dist[start] = nx.single_source_shortest_path_length(G, start)
        out += [dist[start][v] for v in w[1:]]
    return np.asarray(out)


@chapter(625, "node2vec", "node2vec: p and q choose which neighbourhood a walk explores")
def node2vec_chapter(section, ctx):
    import matplotlib.pyplot as plt
    import networkx as nx
    import pandas as pd

    from deepmine.embeddings import Node2Vec, Word2Vec

    side = 12
    grid = nx.grid_2d_graph(side, side)
    G = nx.convert_node_labels_to_integers(grid, ordering="sorted")
    pos = {i: xy for i, xy in enumerate(sorted(grid))}   # draw each node at its grid position
    section.text(
        "node2vec (Grover & Leskovec 2016) biases DeepWalk's random walk with two numbers: from "
        "the previous node t, the walk at v returns to t with weight 1/p, moves to a neighbour "
        "of t with weight 1, and moves away from t with weight 1/q. A large q keeps the walk "
        "near its start, like breadth-first search: the vectors then describe a node's "
        "immediate surroundings. A small q pushes it outward, like depth-first search: the "
        "vectors describe the community it belongs to. A small p makes returning to t likely, "
        f"a large p rare. The graph: a {side}x{side} grid, like the streets of a city, where the "
        "distance between two nodes is plain to see.")
    settings = {"BFS-like (p=0.25, q=4)": (0.25, 4.0), "DFS-like (p=4, q=0.25)": (4.0, 0.25)}
    walk_len = 20
    start = (side // 2) * side + side // 2   # a node in the middle
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.8), layout="constrained",
                             gridspec_kw={"width_ratios": [1, 1, 0.8]})
    rows, models, all_visits = [], {}, []
    for ax, (name, (p, q)) in zip(axes, settings.items()):
        n2v = Node2Vec(p=p, q=q, walk_length=walk_len, walks_per_node=ctx.epochs(10, 5),
                       embedder=Word2Vec(vector_size=32, window=5, min_count=1, epochs=ctx.epochs(5, 3)),
                       random_state=ctx.random_state)
        walks = n2v.generate_walks(G)
        hops = _hop_distances(G, walks)
        from_start = [v for w in walks if w[0] == start for v in w[1:]]
        visits = np.bincount(np.asarray(from_start, dtype=int), minlength=G.number_of_nodes())
        all_visits.append((ax, name, visits))
        axes[2].hist(hops, bins=np.arange(hops.max() + 2) - 0.5, alpha=0.6, density=True, label=name)
        models[name] = n2v.fit(G)
        rows.append({"walk": name, "mean hops from the start": float(hops.mean()),
                     "share of steps more than 2 hops away": float((hops > 2).mean()),
                     "distinct nodes per walk": float(np.mean([len(set(w)) for w in walks]))})
    top = max(v.max() for _, _, v in all_visits)
    for ax, name, visits in all_visits:   # one colour scale for both panels
        nx.draw_networkx_edges(G, pos, ax=ax, alpha=0.2)
        nodes = nx.draw_networkx_nodes(G, pos, ax=ax, node_size=45, node_color=visits[list(G)],
                                       cmap="magma_r", vmin=0, vmax=top)
        nx.draw_networkx_nodes(G, pos, nodelist=[start], ax=ax, node_size=120, node_color="tab:green")
        ax.set_title(f"{name}: visits of walks from node {start}", fontsize=10)
        ax.set_axis_off()
    fig.colorbar(nodes, ax=axes[:2], shrink=0.7, label="visits")
    axes[2].set(xlabel="hops from the walk's start", ylabel="share of walk steps",
                title="How far the walks go")
    axes[2].legend(fontsize=8, loc="upper right")
    bfs, dfs = rows
    section.figure(fig, ["Left and middle: the grid, each node coloured by how often "
                         f"{walk_len}-node walks from the green one visit it. Right: the hop "
                         "distance from the start over all walks. The DFS-like walks end up on "
                         "average ", compare(dfs["mean hops from the start"],
                                             bfs["mean hops from the start"], fmt="{:.2f}",
                                             words=("farther than", "as far as", "closer than"),
                                             tolerance=0.05), " the BFS-like ones."])
    # What the vectors keep: graph distance of each node's nearest embedding neighbours
    for row, (name, n2v) in zip(rows, models.items()):
        nodes_ = list(n2v.nodes_)
        S = _cosines(n2v.embedding_)
        np.fill_diagonal(S, -np.inf)
        dists = dict(nx.all_pairs_shortest_path_length(G))
        nn = np.argsort(-S, axis=1)[:, :5]
        row["graph distance to the 5 nearest vectors"] = float(np.mean(
            [dists[nodes_[i]][nodes_[j]] for i in range(len(nodes_)) for j in nn[i]]))
    section.table(pd.DataFrame(rows))
    section.text("In the vectors, a node's five nearest neighbours lie on average ",
                 compare(dfs["graph distance to the 5 nearest vectors"],
                         bfs["graph distance to the 5 nearest vectors"], fmt="{:.2f}",
                         words=("farther away in the graph with the DFS-like walks than",
                                "as far away in the graph with the DFS-like walks as",
                                "closer in the graph with the DFS-like walks than"),
                         tolerance=0.05),
                 " with the BFS-like ones.")
