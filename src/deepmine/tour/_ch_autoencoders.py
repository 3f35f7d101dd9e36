"""Tour chapters: autoencoders against PCA, denoising, stacked pretraining, outlier detection."""

import functools
import time

import numpy as np

from deepmine.report import compare
from deepmine.tour import chapter
from deepmine.tour._common import DIGIT_CMAP, scatter_2d


@functools.lru_cache(maxsize=2)
def _digits(quick, seed):
    """scikit-learn's 8x8 digits, pixel values 0..16, split 70/30 (stratified)."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    return train_test_split(X, y, test_size=0.3, stratify=y, random_state=seed)


def _pca_error(Xtr, Xte, k, ae):
    """Held-out squared error of PCA on the autoencoder's scale, so both errors are comparable."""
    from sklearn.decomposition import PCA

    Str, Ste = (Xtr - ae.mean_) / ae.scale_, (Xte - ae.mean_) / ae.scale_
    pca = PCA(k).fit(Str)
    return (float(((pca.inverse_transform(pca.transform(Ste)) - Ste) ** 2).mean()),
            pca.transform(Str), pca.transform(Ste))


def _knn_accuracy(codes_train, ytr, codes_test, yte):
    """How well the 2-D codes separate the digits: 5-nearest-neighbour accuracy on held-out codes."""
    from sklearn.neighbors import KNeighborsClassifier

    return KNeighborsClassifier(5).fit(codes_train, ytr).score(codes_test, yte)


@chapter(210, "autoencoder", "Autoencoders: non-linear dimensionality reduction vs PCA")
def autoencoder_vs_pca(section, ctx):
    import matplotlib.pyplot as plt
    import pandas as pd

    from deepmine.autoencoders import AutoEncoder

    Xtr, Xte, ytr, yte = _digits(ctx.quick, ctx.random_state)
    section.text(
        "An autoencoder is a network trained to output its own input through a narrow code "
        "layer (Hinton & Salakhutdinov 2006): the encoder compresses, the decoder "
        "reconstructs, and the loss is the squared reconstruction error. With linear units it "
        "learns the PCA subspace; with non-linear units it can follow curved structure. "
        "AutoEncoder is a scikit-learn transformer: transform gives the codes, "
        "inverse_transform the reconstruction. Data: the 8x8 digits, 1257 training and 540 "
        "held-out images, columns standardized inside the model.")
    epochs = ctx.epochs(150, 20)
    sizes = (2, 8, 32) if ctx.quick else (2, 4, 8, 16, 32)
    rows, models = [], {}
    for k in sizes:
        tic = time.perf_counter()
        ae = AutoEncoder((128,), code_size=k, max_epochs=epochs, batch_size=128, learning_rate=3e-3,
                         random_state=ctx.random_state).fit(Xtr)
        models[k] = ae
        pca_err = _pca_error(Xtr, Xte, k, ae)[0]
        rows.append({"code size": k, "PCA": pca_err, "autoencoder": ae.reconstruction_error(Xte).mean(),
                     "autoencoder fit s": time.perf_counter() - tic})
    table = pd.DataFrame(rows)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.6), layout="constrained")
    _, pca_tr, pca_te = _pca_error(Xtr, Xte, 2, models[2])
    ae_tr, ae_te = models[2].transform(Xtr), models[2].transform(Xte)
    knn = {"PCA": _knn_accuracy(pca_tr, ytr, pca_te, yte),
           "autoencoder": _knn_accuracy(ae_tr, ytr, ae_te, yte)}
    for ax, codes, name in [(axes[0], pca_te, "PCA"), (axes[1], ae_te, "autoencoder")]:
        sc = scatter_2d(ax, codes, yte)
        ax.set_title(f"{name}: 5-NN accuracy {knn[name]:.1%}", fontsize=10)
    fig.colorbar(sc, ax=axes, ticks=range(10), label="digit")
    fig.suptitle("2-D codes of the held-out digits")
    section.figure(fig, ["Held-out digits in two dimensions, coloured by digit (labels unused in "
                         "training; axes hold the 1st-99th percentiles). How well the codes "
                         "separate the digits, measured by a 5-nearest-neighbour classifier "
                         "trained on the training digits' codes: the autoencoder's codes score ",
                         compare(knn["autoencoder"], knn["PCA"], tolerance=0.01),
                         " the first two principal components."])
    section.table({"2-D code": list(knn), "5-NN accuracy on held-out codes": list(knn.values())})
    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.plot(table["code size"], table["PCA"], "o-", label="PCA")
    ax.plot(table["code size"], table["autoencoder"], "s-", label="autoencoder (128 hidden, ReLU)")
    ax.set_xscale("log", base=2)
    ax.set_xlabel("code size")
    ax.set_ylabel("held-out squared error (standardized)")
    ax.legend()
    section.figure(fig, "Reconstruction error on held-out digits against the code size.")
    section.table(table, caption="Held-out mean squared reconstruction error per pixel (standardized)")
    small, large = table.iloc[0], table.iloc[-1]
    section.text(
        f"With {int(small['code size'])} code units the autoencoder's held-out error is ",
        compare(small["autoencoder"], small["PCA"], fmt="{:.3f}", tolerance=0.005,
                words=("higher than", "about the same as", "lower than")),
        f" PCA's; with {int(large['code size'])} it is ",
        compare(large["autoencoder"], large["PCA"], fmt="{:.3f}", tolerance=0.005),
        " PCA's." + (" With many components the linear subspace already holds almost all the "
                     "variance, and the network must still learn it from 1257 images."
                     if large["autoencoder"] > large["PCA"] + 0.005 else ""))


@chapter(220, "denoising", "Denoising autoencoders")
def denoising(section, ctx):
    import matplotlib.pyplot as plt
    import pandas as pd

    from deepmine.autoencoders import AutoEncoder
    from deepmine.autoencoders._base import corrupt

    Xtr, Xte, _, _ = _digits(ctx.quick, ctx.random_state)
    level = 1.0
    section.text(
        "A denoising autoencoder (Vincent et al. 2008) gets a corrupted input and the clean "
        "input as target: add random noise to the input, keep the output clean. It cannot "
        "simply copy its input, so it has to learn what digits look like. "
        f"AutoEncoder(noise='gaussian', noise_level={level}) adds Gaussian noise with the "
        "pixel's own standard deviation to each training batch (the inputs are standardized "
        "inside); prediction sees the data as given. Both models below have the same wide code "
        "(64 units for 64 pixels), which lets the plain autoencoder learn to copy. Other "
        "corruptions: noise='masking' (pixels set to their mean) and 'salt_pepper'.")
    kw = dict(code_size=64, max_epochs=ctx.epochs(100, 20), batch_size=64, learning_rate=3e-3,
              random_state=ctx.random_state)
    plain = AutoEncoder((128,), **kw).fit(Xtr)
    dae = AutoEncoder((128,), noise="gaussian", noise_level=level, **kw).fit(Xtr)
    import torch

    with torch.random.fork_rng():
        torch.manual_seed(ctx.random_state)
        S = torch.as_tensor((Xte - plain.mean_) / plain.scale_, dtype=torch.float32)
        noisy_s = corrupt(S, "gaussian", level).numpy().astype(np.float64)
    noisy = noisy_s * plain.scale_ + plain.mean_
    recs = {"plain": plain.inverse_transform(plain.transform(noisy)),
            "denoising": dae.inverse_transform(dae.transform(noisy))}

    def err(A):
        return float((((A - Xte) / plain.scale_) ** 2).mean())

    table = pd.DataFrame([{"input": "noisy digits", "squared error to the clean digits": err(noisy)},
                          *[{"input": f"reconstruction by the {k} autoencoder",
                             "squared error to the clean digits": err(v)} for k, v in recs.items()]])
    fig, axes = plt.subplots(4, 8, figsize=(10, 5.4), layout="constrained")
    for j in range(8):
        for i, (name, img) in enumerate([("clean", Xte), ("noisy", noisy), ("plain AE", recs["plain"]),
                                         ("denoising AE", recs["denoising"])]):
            axes[i, j].imshow(img[j].reshape(8, 8), cmap=DIGIT_CMAP, vmin=0, vmax=16)
            axes[i, j].set_xticks([]), axes[i, j].set_yticks([])
            if j == 0:
                axes[i, j].set_ylabel(name, fontsize=10)
    section.figure(fig, "Held-out digits, the same with Gaussian noise, and the reconstructions "
                        "of the noisy digits by the two autoencoders.")
    section.table(table, caption="Mean squared error per pixel against the clean held-out digits "
                                 "(standardized units)")
    section.text("On the noisy digits the denoising autoencoder's reconstruction error is ",
                 compare(err(recs["denoising"]), err(recs["plain"]), fmt="{:.3f}", tolerance=0.01),
                 " the plain autoencoder's, and ",
                 compare(err(recs["denoising"]), err(noisy), fmt="{:.3f}", tolerance=0.01),
                 " the error of the noisy input itself.")


@chapter(230, "pretraining", "Stacked autoencoders: unsupervised pretraining, then few labels")
def pretraining(section, ctx):
    import pandas as pd
    from sklearn.model_selection import train_test_split

    from deepmine.autoencoders import StackedAutoEncoder
    from deepmine.tabular import MLPClassifier

    Xtr, Xte, ytr, yte = _digits(ctx.quick, ctx.random_state)
    layers = (64, 32)
    section.text(
        "Greedy layer-wise pretraining (Bengio et al. 2007): train a one-hidden-layer "
        "autoencoder on the inputs, then a second one on its codes, and so on; stack the "
        "encoders and fine-tune end to end. The stacked encoder then initialises a "
        "classifier trained on few labels: MLPClassifier(hidden_layer_sizes=(64, 32)).fit(X, y, "
        "init=stacked). Here the autoencoder sees all 1257 training images without labels, the "
        "classifiers only 1% or 5% of them with labels; both classifiers of a row have the same "
        "units, network and epochs.")
    settings = [("tanh", 0.05), ("sigmoid", 0.05)] if ctx.quick else [
        ("tanh", 0.05), ("tanh", 0.01), ("sigmoid", 0.05), ("sigmoid", 0.01)]
    stacked = {act: StackedAutoEncoder(layers, activation=act, max_epochs=ctx.epochs(60, 15),
                                       batch_size=64, random_state=ctx.random_state).fit(Xtr)
               for act in dict(settings)}
    rng = np.random.RandomState(ctx.random_state)
    rows = []
    for act, share in settings:
        for draw in range(2 if ctx.quick else 5):
            _, idx = train_test_split(np.arange(len(ytr)), test_size=max(share, 10 / len(ytr)),
                                      stratify=ytr, random_state=rng.randint(1 << 30))
            for name, init in [("random init", None), ("pretrained init", stacked[act])]:
                clf = MLPClassifier(layers, activation=act, max_epochs=ctx.epochs(100, 40),
                                    random_state=ctx.random_state + draw)
                clf.fit(Xtr[idx], ytr[idx], init=init)
                rows.append({"units": act, "labels": len(idx), "network": name,
                             "test accuracy": clf.score(Xte, yte)})
    df = pd.DataFrame(rows)
    table = df.pivot_table(index=["units", "labels"], columns="network", values="test accuracy",
                           sort=False).reset_index()[["units", "labels", "random init",
                                                       "pretrained init"]]
    table["gain"] = table["pretrained init"] - table["random init"]
    n_draws = df.groupby(["units", "labels", "network"]).size().iloc[0]
    section.table(table, caption=f"Mean test accuracy over {n_draws} random draws of the labels")
    parts = []
    for _, r in table.iterrows():
        parts += [f"With {r['units']} units and {r['labels']} labels pretraining gives a mean "
                  "test accuracy ", compare(r["pretrained init"], r["random init"], tolerance=0.01),
                  " random initialisation. "]
    section.text(*parts)
    helped = table[table["gain"] > 0.01]
    section.text(
        "Where pretraining helps, the encoder has already organised the images by their "
        "shapes, so the few labels only have to name the groups; this is the lecture's claim, "
        f"and here it holds with {' and '.join(sorted(set(helped['units'])))} units. "
        if len(helped) else "Pretraining does not help in any of these settings. ",
        "The lecture's setting is the one where it shows: saturating units that random "
        "initialisation trains poorly from few labels. With tanh units and Adam, random "
        "initialisation already trains well, and pretraining then brings little."
        if set(helped["units"]) == {"sigmoid"} else "")


@chapter(240, "outliers", "Outlier detection with autoencoders")
def outliers(section, ctx):
    import matplotlib.pyplot as plt
    import pandas as pd
    from sklearn.decomposition import PCA
    from sklearn.ensemble import IsolationForest
    from sklearn.metrics import roc_auc_score, roc_curve

    from deepmine.autoencoders import AutoEncoderOutlierDetector
    from deepmine.datasets import make_cancer_outliers

    X, y = make_cancer_outliers(10, random_state=ctx.random_state)
    defaults = AutoEncoderOutlierDetector()
    section.text(
        "Rows an autoencoder cannot reconstruct are unusual. AutoEncoderOutlierDetector trains "
        f"a bag of {defaults.n_estimators} small autoencoders at once (one batched network, "
        "each member with its own initialisation, bootstrap weights and random "
        f"{defaults.max_features:.0%} of the columns, which it sees and reconstructs) and scores "
        "each row by its mean squared reconstruction error on standardized columns. To keep "
        "the outliers from being learned, each member leaves the worst-reconstructed 15% of "
        "every mini-batch out of its loss. It has scikit-learn's outlier API (score_samples, "
        "decision_function, predict, contamination, offset_). Data: scikit-learn's breast "
        f"cancer biopsies, the {int((y == 0).sum())} benign ones and {int(y.sum())} malignant "
        "ones as outliers (make_cancer_outliers), 30 named measurements. No method sees y.")
    tic = time.perf_counter()
    det = AutoEncoderOutlierDetector(contamination=0.03, max_epochs=ctx.epochs(20, 20),
                                     random_state=ctx.random_state).fit(X)
    fit_s = time.perf_counter() - tic
    Z = ((X - X.mean()) / X.std()).to_numpy()
    pca = PCA(n_components=0.9, random_state=ctx.random_state).fit(Z)
    scores = {
        "autoencoder ensemble": -det.score_samples(X),
        "IsolationForest": -IsolationForest(random_state=ctx.random_state).fit(X).score_samples(X),
        "PCA reconstruction error": ((pca.inverse_transform(pca.transform(Z)) - Z) ** 2).sum(1),
    }
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    rows = []
    for name, s in scores.items():
        fpr, tpr, _ = roc_curve(y, s)
        auc = roc_auc_score(y, s)
        ax.plot(fpr, tpr, label=f"{name} (AUC {auc:.3f})")
        rows.append({"method": name, "ROC-AUC": auc})
    ax.plot([0, 1], [0, 1], ":", color="grey")
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    ax.legend(fontsize=8, loc="lower right")
    section.figure(fig, "ROC curves: malignant biopsies as outliers among benign ones.")
    section.table(pd.DataFrame(rows), caption=f"ROC-AUC (the autoencoder ensemble trained in {fit_s:.1f} s)")
    section.heading("Why is a row an outlier?")
    section.text(
        "explain(X) splits each row's reconstruction error over the columns: the share of the "
        "error each measurement causes. Below, the five rows with the highest scores, their "
        "label and their three most unusual measurements.")
    top = np.argsort(scores["autoencoder ensemble"])[::-1][:5]
    shares = det.explain(X.iloc[top])
    out = []
    for i, r in zip(top, shares.index):
        best = shares.loc[r].sort_values(ascending=False)[:3]
        out.append({"row": int(i), "malignant": bool(y[i]), "flagged": bool(det.predict(X.iloc[[i]])[0] == -1),
                    "top features (share of error)": "; ".join(f"{k} ({v:.0%})" for k, v in best.items())})
    section.table(pd.DataFrame(out))
    n_mal = sum(r["malignant"] for r in out)
    base = float(y.mean())
    section.text(
        f"{n_mal} of these {len(out)} top-scored rows are malignant (the data hold "
        f"{base:.1%} malignant rows). A high reconstruction error says a row is unusual, not "
        "that it is malignant: " + (f"here {len(out) - n_mal} benign biopsies are among the "
                                    f"{len(out)} most unusual rows, and their explanations name "
                                    "the measurements that make them so." if n_mal < len(out) else
                                    "here the most unusual rows are all malignant."))
