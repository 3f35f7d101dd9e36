"""Tour chapters on generalisation: over-fitting and dropout, early stopping, and what the
hidden units of a trained network detect."""

import numpy as np

from deepmine.report import compare
from deepmine.tour import chapter
from deepmine.tour._common import DIGIT_CMAP


def _small_digits(ctx):
    """400 digits to learn from (half become the validation set: over-fitting is the point),
    and the rest to test on."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    return train_test_split(X, y, train_size=400, stratify=y, random_state=ctx.random_state)


def _net(ctx, **kw):
    """A wide network without weight decay: enough capacity to memorise 200 digits."""
    from deepmine.tabular import MLPClassifier

    return MLPClassifier((256, 256), weight_decay=0.0, learning_rate=1e-3, batch_size=32,
                         max_epochs=ctx.epochs(150, 60), random_state=ctx.random_state, **kw)


@chapter(140, "dropout", "Over-fitting and dropout")
def dropout_chapter(section, ctx):
    import matplotlib.pyplot as plt
    import pandas as pd

    X2, Xte, y2, yte = _small_digits(ctx)
    section.text(
        "A network with more weights than examples can learn the training set by heart: the "
        "training loss keeps falling while the loss on unseen data turns up again. Here a "
        "256-256 ReLU network (about 83,000 weights) learns 200 of the 8x8 digits; "
        "validation_fraction=0.5 holds half of a 400-digit set out of training and records its "
        "loss after every epoch. Dropout (Srivastava et al. 2014) switches off each hidden unit "
        "with probability alpha in every training step, so no unit can rely on a particular "
        "other unit being there.")
    fig, ax = plt.subplots(figsize=(8, 4.2))
    rows, curves = [], {}
    for rate in (0.0, 0.5):
        clf = _net(ctx, dropout=rate, validation_fraction=0.5).fit(X2, y2)
        h = clf.history_.to_frame()
        curves[rate] = h
        label = "no dropout" if rate == 0 else f"dropout {rate}"
        line, = ax.plot(h["epoch"], h["train_loss"], ls="--", label=f"{label}: training")
        ax.plot(h["epoch"], h["valid_loss"], color=line.get_color(), label=f"{label}: validation")
        best = int(h["valid_loss"].idxmin())
        rows.append({"network": label, "lowest validation loss": h["valid_loss"].min(),
                     "at epoch": int(h["epoch"][best]), "final validation loss": h["valid_loss"].iloc[-1],
                     "final training loss": h["train_loss"].iloc[-1], "test accuracy": clf.score(Xte, yte)})
    ax.set(xlabel="epoch", ylabel="cross-entropy", yscale="log",
           title="200 training digits, 256-256 ReLU network")
    ax.legend(fontsize=8, loc="lower left", ncol=2)
    table = pd.DataFrame(rows)
    plain, drop = rows
    section.figure(fig, ["Dashed: training loss (with dropout active), solid: validation loss. "
                         "Without dropout the validation loss ends ",
                         compare(plain["final validation loss"], plain["lowest validation loss"],
                                 fmt="{:.3f}", tolerance=0.01),
                         f" its lowest value (epoch {plain['at epoch']})."])
    section.table(table)
    section.text("With dropout 0.5 the final validation loss is ",
                 compare(drop["final validation loss"], plain["final validation loss"], fmt="{:.3f}",
                         tolerance=0.01),
                 " without, and the test accuracy is ",
                 compare(drop["test accuracy"], plain["test accuracy"], tolerance=0.005),
                 " without dropout.")
    _elephant(section, ctx)
    _test_time(section, ctx, X2, y2, Xte)


def _elephant(section, ctx):
    """The lecture's story: a network that leans on one feature fails when that feature is missing."""
    import pandas as pd

    from deepmine.tabular import MLPClassifier

    rng = np.random.default_rng(ctx.random_state)
    n = 2000
    y = rng.integers(0, 2, n)
    sign = 2.0 * y - 1
    trunk = sign + rng.normal(0, 0.3, n)                       # one strong cue
    others = 0.5 * sign[:, None] + rng.normal(0, 1, (n, 6))    # six weak ones (ears, skin, ...)
    X = np.c_[trunk, others].astype(np.float32)
    tr, te = slice(0, 1500), slice(1500, None)
    hidden = X[te].copy()
    hidden[:, 0] = 0.0                                         # the trunk is hidden behind a tree
    section.heading("The elephant's trunk")
    section.text(
        "The lecture's story: if a network recognises elephants by their trunk alone, it fails "
        "on a photograph where the trunk is hidden; dropout makes it use ears and skin as well. "
        "A small experiment: 2,000 animals, label 'elephant', one strong feature (the trunk: "
        "the label plus a little noise) and six weak ones (each the label at half strength plus "
        "as much noise). Test animals are shown twice, as they are and with the trunk feature "
        "set to 0 (not visible).")
    rows = []
    copies = np.repeat(X[tr], 5, axis=0)   # dropout on the inputs: 5 copies, 30% of features masked
    masked = copies * (rng.random(copies.shape) >= 0.3)
    for name, rate, (Xfit, yfit), epochs in [
            ("no dropout", 0.0, (X[tr], y[tr]), ctx.epochs(60, 30)),
            ("dropout 0.5 on the hidden units", 0.5, (X[tr], y[tr]), ctx.epochs(60, 30)),
            ("30% of the inputs masked", 0.0, (masked, np.repeat(y[tr], 5)), ctx.epochs(12, 6))]:
        clf = MLPClassifier((32,), dropout=rate, max_epochs=epochs,
                            random_state=ctx.random_state).fit(Xfit, yfit)
        w = np.abs(clf.coefs_[0]).sum(axis=1)
        rows.append({"network": name, "test accuracy": clf.score(X[te], y[te]),
                     "trunk hidden": clf.score(hidden, y[te]),
                     "weight on the six weak features (share)": float(w[1:].sum() / w.sum())})
    section.table(pd.DataFrame(rows), caption="Accuracy of a 32-unit network on 500 test animals")
    section.text("With the trunk hidden, the accuracy with dropout on the hidden units is ",
                 compare(rows[1]["trunk hidden"], rows[0]["trunk hidden"]),
                 " the plain network's; the share of first-layer weight on the weak features is ",
                 compare(rows[1]["weight on the six weak features (share)"],
                         rows[0]["weight on the six weak features (share)"], fmt="{:.2f}",
                         tolerance=0.01), " without dropout.")
    section.text("Masking 30% of the inputs at random in training (dropout on the inputs) gives "
                 "a trunk-hidden accuracy ", compare(rows[2]["trunk hidden"], rows[0]["trunk hidden"]),
                 " no dropout.")
    if max(abs(r["trunk hidden"] - rows[0]["trunk hidden"]) for r in rows[1:]) <= 0.01:
        section.text(
            "So the story is not reproduced on this data: trained with Adam and weight decay, "
            f"the plain network already puts {rows[0]['weight on the six weak features (share)']:.0%} "
            "of its first-layer weight on the weak features, and dropout has little left to "
            "spread.", note=True)


def _test_time(section, ctx, Xtr, ytr, Xte):
    """The lecture's test-time correction beside PyTorch's inverted dropout, on a trained layer."""
    import pandas as pd
    import torch

    from deepmine.tabular import MLPClassifier

    alpha = 0.4
    clf = MLPClassifier((64, 64), dropout=alpha, max_epochs=ctx.epochs(60, 30),
                        random_state=ctx.random_state).fit(Xtr, ytr)
    net = clf.module_.eval()
    with torch.no_grad():
        h = net[:3](torch.as_tensor(Xte))           # standardize, first layer, ReLU
        W, b = net[4].weight, net[4].bias            # the layer after the dropped units
        gen = torch.Generator().manual_seed(ctx.random_state)
        keep = (torch.rand((50, *h.shape), generator=gen) >= alpha).float()
        z_full = (h @ W.T + b).mean().item()                           # all units on, no correction
        z_drop = ((keep * h) @ W.T + b).mean().item()                  # lecture: drop, no rescale
        z_inv = ((keep * h / (1 - alpha)) @ W.T + b).mean().item()     # PyTorch: drop and rescale
        z_lecture = (h @ (W.T / (1 + alpha)) + b).mean().item()        # test weights * 1/(1+alpha)
        z_exact = (h @ (W.T * (1 - alpha)) + b).mean().item()          # test weights * (1-alpha)
    section.heading("At test time: the lecture's correction and PyTorch's inverted dropout")
    section.text(
        f"With alpha={alpha} a unit is missing in {alpha:.0%} of the training steps, so the next "
        "layer learns to expect inputs that are smaller on average than at test time, when all "
        "units are on. The lecture corrects the weights after training by 1/(1+alpha); the "
        "factor that matches the training average exactly is (1-alpha). PyTorch's "
        "torch.nn.Dropout, which deepmine uses, does 'inverted dropout' instead: during "
        "training it divides the kept units by (1-alpha), so at test time nothing changes. "
        "Below, the mean input of the second hidden layer over the test digits of a 64-64 "
        "network trained with dropout 0.4, each way (50 random masks for the training rows).")
    rows = [
        ("training, units dropped, no rescaling (the lecture's training)", z_drop),
        ("test, all units, weights x 1/(1+alpha) (the lecture's correction)", z_lecture),
        ("test, all units, weights x (1-alpha)", z_exact),
        ("training, units dropped and divided by (1-alpha) (PyTorch)", z_inv),
        ("test, all units, no correction (PyTorch at test time)", z_full),
    ]
    section.table(pd.DataFrame(rows, columns=["setting", "mean input of the next layer"]))
    section.text(f"1/(1+alpha) = {1 / (1 + alpha):.3f} against 1-alpha = {1 - alpha:.3f}: the "
                 "lecture's factor is the first-order approximation of the exact one and leaves "
                 "the test-time inputs ",
                 compare(z_lecture, z_drop, fmt="{:.3f}", tolerance=0.002),
                 " their training average; PyTorch's training average is ",
                 compare(z_inv, z_full, fmt="{:.3f}", tolerance=0.002),
                 " its test-time input.")


@chapter(150, "early-stopping", "Early stopping")
def early_stopping_chapter(section, ctx):
    import matplotlib.pyplot as plt
    import pandas as pd

    X2, Xte, y2, yte = _small_digits(ctx)
    section.text(
        "The other cure for over-fitting: watch the validation loss and stop when it has not "
        "improved for `patience` epochs, keeping the weights of the best epoch. "
        "MLPClassifier(early_stopping=True, validation_fraction=0.5, patience=10) does it "
        "inside the one training engine. The same 256-256 network and 200 training digits as "
        "in the previous chapter.")
    full = _net(ctx, validation_fraction=0.5).fit(X2, y2)
    early = _net(ctx, validation_fraction=0.5, early_stopping=True, patience=10).fit(X2, y2)
    h = full.history_.to_frame()
    he = early.history_.to_frame()
    best = int(he["epoch"][he["valid_loss"].idxmin()])
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.plot(h["epoch"], h["train_loss"], ls="--", color="0.4", label="training loss")
    ax.plot(h["epoch"], h["valid_loss"], color="tab:blue", label="validation loss")
    ax.axvline(best, color="tab:red", ls=":", label=f"best epoch ({best}), weights kept")
    ax.axvline(early.n_iter_, color="tab:red", alpha=0.4, label=f"stopped after epoch {early.n_iter_}")
    ax.set(xlabel="epoch", ylabel="cross-entropy", yscale="log")
    ax.legend(fontsize=8, loc="lower left")
    rows = [{"training": f"{full.n_iter_} epochs, no stopping", "epochs run": full.n_iter_,
             "test accuracy": full.score(Xte, yte)},
            {"training": "early stopping (patience 10)", "epochs run": early.n_iter_,
             "test accuracy": early.score(Xte, yte)}]
    section.figure(fig, f"Early stopping ran {early.n_iter_} of {full.n_iter_} epochs and kept the "
                        f"weights of epoch {best}.")
    section.table(pd.DataFrame(rows))
    section.text("The early-stopped network's test accuracy is ",
                 compare(rows[1]["test accuracy"], rows[0]["test accuracy"]),
                 f" that of the network trained for all {full.n_iter_} epochs, after "
                 f"{early.n_iter_ / full.n_iter_:.0%} of the training time.")


@chapter(160, "hidden-units", "What happens at the hidden layer: units as feature detectors")
def hidden_units_chapter(section, ctx):
    import matplotlib.pyplot as plt
    import pandas as pd
    import torch
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    from deepmine.tabular import MLPClassifier

    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, stratify=y, random_state=ctx.random_state)
    # scale=False: pixels are already in [0, 1], so the weights are on the pixels' own scale
    clf = MLPClassifier((16,), scale=False, max_epochs=ctx.epochs(100, 40),
                        random_state=ctx.random_state).fit(Xtr, ytr)
    with torch.no_grad():
        H = torch.relu(clf.module_[0](torch.as_tensor(Xte))).numpy()   # first Linear, ReLU
    section.text(
        "Each hidden unit computes a weighted sum of the 64 pixels and fires when the sum is "
        "positive: its weights, drawn as an 8x8 image, are the pattern it detects. A network "
        f"with one hidden layer of 16 ReLU units reaches {clf.score(Xte, yte):.1%} test accuracy; "
        "below, each unit's incoming weights (red: ink there makes it fire, blue: ink there "
        "stops it) and the test digit that excites it most.")
    W = clf.coefs_[0].T.reshape(16, 8, 8)
    lim = float(np.percentile(np.abs(W), 99))
    # two units to a row: every panel about 270 px wide in the 1100 px report
    fig, axes = plt.subplots(8, 4, figsize=(8.4, 8 * 2.3), layout="constrained")
    for j in range(16):
        ax_w, ax_d = axes[j // 2, 2 * (j % 2)], axes[j // 2, 2 * (j % 2) + 1]
        ax_w.imshow(W[j], cmap="RdBu_r", vmin=-lim, vmax=lim)
        ax_w.set_title(f"unit {j}: weights", fontsize=9)
        ax_d.imshow(Xte[H[:, j].argmax()].reshape(8, 8), cmap=DIGIT_CMAP)
        ax_d.set_title("its top digit", fontsize=9)
        ax_w.set_axis_off(), ax_d.set_axis_off()
    section.figure(fig, "The incoming weights of each of the 16 hidden units (colour limits at "
                        "the 99th percentile), beside the test digit that activates it most.")
    act = pd.DataFrame(H).groupby(yte).mean()               # digit x unit
    share = act / act.sum(axis=0).replace(0, np.nan)
    fig, ax = plt.subplots(figsize=(8, 4.2))
    im = ax.imshow(act.to_numpy(), cmap="viridis", aspect="auto")
    ax.set(xlabel="hidden unit", ylabel="digit", xticks=range(16), yticks=range(10),
           title="Mean activation of each hidden unit per digit")
    fig.colorbar(im, ax=ax)
    section.figure(fig, "A column is one unit: most units fire for a few digits and stay silent "
                        "for the others." if (share.max() > 0.25).mean() > 0.5 else
                   "A column is one unit: its mean activation on the test digits of each class.")
    best_digit = act.idxmax(axis=0)                            # per unit: the digit it likes most
    contrast = {u: act.loc[best_digit[u], u] - act.loc[act.index != best_digit[u], u].mean()
                for u in act.columns}
    j = int(max(contrast, key=contrast.get))                  # the unit with the clearest preference
    d = int(best_digit[j])
    others = float(act.loc[act.index != d, j].mean())
    section.table({"unit": [j], f"mean activation on {d}s": [float(act.loc[d, j])],
                   "mean activation on other digits": [others]})
    detector = float(act.loc[d, j]) > 2 * others
    section.text(f"The most selective unit, unit {j}, has a mean activation on test {d}s ",
                 compare(float(act.loc[d, j]), others, fmt="{:.2f}", tolerance=0.01),
                 " on the other digits" + (f": a detector of {d}s that nobody told what a {d} "
                                           "is; the output layer combines the 16 units' "
                                           "responses into ten classes." if detector else "."))
