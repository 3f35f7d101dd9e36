"""Tour chapters on tables: the perceptron, backpropagation and optimizers, ANNs vs SVMs."""

import numpy as np
import pandas as pd

from deepmine.report import compare
from deepmine.tour._registry import chapter


@chapter(110, "perceptron", "Credit rating with a perceptron, and the m-of-n argument")
def perceptron_chapter(section, ctx):
    from sklearn.tree import DecisionTreeClassifier

    from deepmine.datasets import load_credit, make_m_of_n
    from deepmine.tabular import Perceptron

    df = load_credit()
    section.text("The lecture's table: who gets credit? The label follows the rule 'at least two of "
                 "Employed, Owns House, Balanced Account'. A single perceptron, trained with the "
                 "classic rule from zero weights, learns it.")
    section.table(df, caption="The credit table")
    features = ["Employed", "Owns House", "Balanced Account"]
    p = Perceptron(random_state=ctx.random_state).fit(df[features], df["Get Credit"])
    weights = pd.DataFrame({"input": features + ["threshold (= -bias)"],
                            "weight": [*p.coef_.ravel(), -p.intercept_[0]]})
    section.table(weights, caption="Learned weights and threshold")
    section.text(f"Training accuracy {p.score(df[features], df['Get Credit']):.0%} after {p.n_iter_} "
                 f"epochs: the unit fires when the weighted count of 'yes' reaches the threshold.")

    n = 600 if ctx.quick else 5000
    X, y = make_m_of_n(n, 10, 5, random_state=ctx.random_state)
    Xt, yt = make_m_of_n(2000, 10, 5, random_state=ctx.random_state + 1)
    p = Perceptron(random_state=ctx.random_state, max_epochs=200, batch_size=1).fit(X, y)
    rows = [("perceptron", p.coef_.size + p.intercept_.size, p.score(X, y), p.score(Xt, yt))]
    tree = DecisionTreeClassifier(random_state=ctx.random_state).fit(X, y)
    rows.append(("decision tree (grown to purity)", tree.tree_.node_count, tree.score(X, y),
                 tree.score(Xt, yt)))
    for depth in (4, 6, 8):
        t = DecisionTreeClassifier(max_depth=depth, random_state=ctx.random_state).fit(X, y)
        rows.append((f"decision tree, depth {depth}", t.tree_.node_count, t.score(X, y), t.score(Xt, yt)))
    section.heading("'At least 5 of 10 attributes are yes'")
    section.table(pd.DataFrame(rows, columns=["model", "parameters / nodes", "train accuracy",
                                              "test accuracy"]))
    best_small = max(rows[2:], key=lambda r: r[3])
    section.text("The concept is one threshold unit: with 11 parameters the perceptron's test "
                 "accuracy is ", compare(rows[0][3], rows[1][3], fmt="{:.3f}"),
                 f" that of a tree grown to purity on the same {n} examples "
                 f"({tree.tree_.node_count} nodes), and ", compare(rows[0][3], best_small[3], fmt="{:.3f}"),
                 f" the best smaller tree ({best_small[0]}).")


def _digits(ctx):
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, stratify=y,
                                          random_state=ctx.random_state)
    if ctx.quick:
        Xtr, ytr = Xtr[:500], ytr[:500]
    return Xtr, Xte, ytr, yte


@chapter(120, "optimizers", "Backpropagation: optimizers, learning rates, sigmoid vs ReLU")
def optimizer_chapter(section, ctx):
    import matplotlib.pyplot as plt

    from deepmine.exceptions import DivergenceError
    from deepmine.tabular import MLPClassifier

    Xtr, Xte, ytr, yte = _digits(ctx)
    epochs = ctx.epochs(40, 10)
    batch = 32 if not ctx.quick else 50
    section.text("A 64-64-10 network on the 8x8 digits, trained by backpropagation with each "
                 "optimizer of the lecture at its customary learning rate.")
    fig, ax = plt.subplots(figsize=(7, 4))
    rows = []
    for name in ["sgd", "momentum", "adagrad", "rmsprop", "adadelta", "adam"]:
        clf = MLPClassifier((64,), optimizer=name, max_epochs=epochs, batch_size=batch,
                            random_state=ctx.random_state).fit(Xtr, ytr)
        ax.plot(clf.history_["epoch"], clf.history_["train_loss"], label=name)
        rows.append((name, clf.history_[-1]["train_loss"], clf.score(Xte, yte)))
    ax.set(xlabel="epoch", ylabel="training loss (cross-entropy)", yscale="log",
           title="Optimizers on the digits")
    ax.legend()
    section.figure(fig, "Training loss per epoch for six optimizers")
    section.table(pd.DataFrame(rows, columns=["optimizer", "final training loss", "test accuracy"]))

    section.heading("The learning rate")
    fig, ax = plt.subplots(figsize=(7, 4))
    rows, chance = [], float(np.log(10))
    for lr in (1e-4, 0.05, 5.0):
        clf = MLPClassifier((64,), optimizer="sgd", learning_rate=lr, max_epochs=epochs,
                            batch_size=batch, random_state=ctx.random_state)
        try:
            clf.fit(Xtr, ytr)
        except DivergenceError:
            rows.append((lr, float("nan"), float("nan"), float("nan"), "diverged (loss not finite)"))
            continue
        loss = np.asarray(clf.history_["train_loss"])
        ax.plot(clf.history_["epoch"], loss, label=f"learning rate {lr:g}")
        rows.append((lr, loss[0], loss[-1], clf.score(Xte, yte), _lr_outcome(loss, chance)))
    ax.axhline(chance, color="0.5", ls=":", label="chance level ln 10")
    ax.set(xlabel="epoch", ylabel="training loss", yscale="log", title="Plain SGD, three learning rates")
    ax.legend(loc="center right")
    section.figure(fig, "; ".join(f"learning rate {r[0]:g}: {r[4]}" for r in rows) + ".")
    section.table(pd.DataFrame(rows, columns=["learning rate", "loss after epoch 1",
                                              "final training loss", "test accuracy", "what happened"]))

    section.heading("Sigmoid vs ReLU in a deeper network")
    fig, ax = plt.subplots(figsize=(7, 4))
    rows = []
    for act in ["sigmoid", "relu"]:
        clf = MLPClassifier((64, 64, 64, 64), activation=act, optimizer="sgd", learning_rate=0.05,
                            max_epochs=epochs, batch_size=batch, random_state=ctx.random_state).fit(Xtr, ytr)
        ax.plot(clf.history_["epoch"], clf.history_["train_loss"], label=act)
        rows.append((act, clf.history_[-1]["train_loss"], clf.score(Xte, yte)))
    ax.set(xlabel="epoch", ylabel="training loss", title="Four hidden layers, plain SGD")
    ax.legend()
    section.figure(fig, ["After the last epoch the sigmoid network's training loss is ",
                         compare(rows[0][1], rows[1][1], fmt="{:.3f}", tolerance=0.01),
                         " the ReLU network's."])
    section.table(pd.DataFrame(rows, columns=["activation", "final training loss", "test accuracy"]))
    sig, relu = rows[0][1], rows[1][1]
    if min(sig, relu) > 0.9 * chance:
        why = (f"After {epochs} epochs neither network has left the chance level (ln 10 = "
               f"{chance:.2f}) yet" + ("; the full tour trains longer. " if ctx.quick else ". "))
    elif sig > relu + 0.05:
        why = ("Through four sigmoid layers the gradient is multiplied by at most 0.25 per layer "
               "(the sigmoid's largest slope), so the first layers barely move with plain SGD; "
               "ReLU passes the gradient unchanged wherever a unit is active. ")
    else:
        why = "Here the vanishing gradient does not show in the final loss. "
    section.text(why, "Test accuracy: sigmoid ", compare(rows[0][2], rows[1][2]), " ReLU.")


def _lr_outcome(loss, chance):
    """Describe a loss curve in words, from its numbers."""
    first, last = loss[0], loss[-1]
    wiggle = np.abs(np.diff(loss[len(loss) // 2:])).max() if len(loss) > 2 else 0.0
    if abs(last - chance) < 0.1 * chance and abs(first - last) < 0.05 * chance:
        return f"hardly leaves the chance level (loss {first:.2f} -> {last:.2f}, ln 10 = {chance:.2f})"
    if wiggle > 0.2 * last:
        return f"oscillates (loss jumps by up to {wiggle:.2f} between epochs)"
    if last > 0.5 * first:
        return f"learns slowly (loss {first:.2f} -> {last:.2f})"
    return f"learns (loss {first:.2f} -> {last:.3f})"


@chapter(130, "ann-vs-svm", "ANNs vs SVMs: decision boundaries")
def boundary_chapter(section, ctx):
    import matplotlib.pyplot as plt
    from sklearn.datasets import make_circles, make_moons
    from sklearn.model_selection import train_test_split
    from sklearn.svm import SVC

    from deepmine.tabular import MLPClassifier

    sets = {"moons": make_moons(400, noise=0.25, random_state=ctx.random_state),
            "circles": make_circles(400, noise=0.1, factor=0.5, random_state=ctx.random_state)}
    fig, axes = plt.subplots(2, 2, figsize=(9, 8), layout="constrained")
    rows = []
    for r, (name, (X, y)) in enumerate(sets.items()):
        Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=ctx.random_state)
        models = {"MLP (2x32 ReLU)": MLPClassifier((32, 32), max_epochs=ctx.epochs(300, 80), batch_size=32,
                                                   learning_rate=0.01, random_state=ctx.random_state),
                  "RBF SVM": SVC(gamma=2.0, C=1.0)}
        xx, yy = np.meshgrid(np.linspace(X[:, 0].min() - .5, X[:, 0].max() + .5, 150),
                             np.linspace(X[:, 1].min() - .5, X[:, 1].max() + .5, 150))
        grid = np.c_[xx.ravel(), yy.ravel()]
        for c, (label, model) in enumerate(models.items()):
            model.fit(Xtr, ytr)
            ax = axes[r, c]
            ax.contourf(xx, yy, model.predict(grid).reshape(xx.shape), alpha=0.3, cmap="coolwarm")
            ax.scatter(X[:, 0], X[:, 1], c=y, s=8, cmap="coolwarm")
            acc = model.score(Xte, yte)
            ax.set_title(f"{label} on {name}: test acc {acc:.2f}")
            ax.set_xticks([]), ax.set_yticks([])
            rows.append((name, label, acc))
    section.text("Both learn non-linear boundaries: the SVM through a kernel, the MLP through "
                 "hidden units that it learns itself. On the moons the MLP's test accuracy is ",
                 compare(rows[0][2], rows[1][2], tolerance=0.01), " the SVM's; on the circles it is ",
                 compare(rows[2][2], rows[3][2], tolerance=0.01), " the SVM's.")
    section.figure(fig, "Decision boundaries of an MLP and an RBF SVM")
    section.table(pd.DataFrame(rows, columns=["data", "model", "test accuracy"]))
