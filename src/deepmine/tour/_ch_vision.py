"""Tour chapters of the vision lecture: CNNs on digits, why convolutions, reusing a network."""

import time

import numpy as np

from deepmine.report import compare
from deepmine.tour import chapter
from deepmine.tour._common import DIGIT_CMAP, offline_note


def _split(ctx):
    from sklearn.model_selection import train_test_split

    from deepmine.datasets import load_digits_images

    X, y = load_digits_images(return_X_y=True)
    return train_test_split(X, y, test_size=0.2, stratify=y, random_state=ctx.random_state)


def _timed(model, X, y, Xte, yte, flat=False):
    f = (lambda A: A.reshape(len(A), -1)) if flat else (lambda A: A)
    tic = time.perf_counter()
    model.fit(f(X), y)
    return model.score(f(Xte), yte), time.perf_counter() - tic


@chapter(310, "cnn", "Convolutional networks on handwritten digits")
def cnn_digits(section, ctx):
    import matplotlib.pyplot as plt
    import pandas as pd
    from sklearn.neural_network import MLPClassifier
    from sklearn.svm import SVC

    from deepmine.vision import ConvNetClassifier, feature_maps, filters

    Xtr, Xte, ytr, yte = _split(ctx)
    section.text(
        "A convolutional network slides small learned kernels over the image, pools the "
        "responses, and classifies the resulting feature maps with a few dense layers. "
        f"Here: scikit-learn's 8x8 digits, {len(Xtr)} training and {len(Xte)} test images "
        "(stratified split), beside a multi-layer perceptron and an RBF support vector machine "
        "on the same pixels."
        + ("" if ctx.quick else " The CNN sees every training digit randomly shifted by up to "
           "10% and rotated by up to 10 degrees in each epoch (data augmentation)."))
    # full mode: random shifts (10%) and rotations (10 degrees) of every training image
    aug = ctx.epochs(0.1, 0.0)
    cnn = ConvNetClassifier(max_epochs=ctx.epochs(40, 6), shift=aug, rotation=100 * aug,
                            random_state=ctx.random_state)
    rows = []
    for name, model, flat in [
            ("ConvNetClassifier (deepmine)", cnn, False),
            ("MLPClassifier (scikit-learn)", MLPClassifier((100,), max_iter=ctx.epochs(500, 100),
                                                           random_state=ctx.random_state), True),
            ("SVC, RBF kernel (scikit-learn)", SVC(), True)]:
        import warnings

        from sklearn.exceptions import ConvergenceWarning
        from threadpoolctl import threadpool_limits

        # one BLAS thread: these matrices are small, and extra threads only wait on a busy machine
        with warnings.catch_warnings(), threadpool_limits(1, user_api="blas"):
            warnings.simplefilter("ignore", ConvergenceWarning)
            acc, sec = _timed(model, Xtr, ytr, Xte, yte, flat)
        rows.append({"model": name, "test accuracy": acc, "fit seconds": sec})
    section.table(pd.DataFrame(rows), caption="Held-out accuracy on the 8x8 digits")

    W = filters(cnn, 0)[:, 0]  # (32, 3, 3)
    fig, axes = plt.subplots(4, 8, figsize=(9, 4.6), layout="constrained")
    for ax, w in zip(axes.ravel(), W):
        ax.imshow(w, cmap="RdBu_r", vmin=-np.abs(W).max(), vmax=np.abs(W).max())
        ax.set_axis_off()
    section.figure(fig, "The 32 learned 3x3 kernels of the first convolution layer "
                        "(red: positive, blue: negative weights).")

    maps = feature_maps(cnn, Xte[:1], 0)[0]  # (32, 8, 8)
    fig, axes = plt.subplots(4, 9, figsize=(10, 4.8), layout="constrained")
    for ax in axes.ravel():
        ax.set_axis_off()
    axes[0, 0].imshow(Xte[0, 0], cmap=DIGIT_CMAP)
    axes[0, 0].set_title(f"digit {yte[0]}", fontsize=8)
    for ax, m in zip([a for i, a in enumerate(axes.ravel()) if i % 9], maps):
        ax.imshow(m, cmap="viridis")
    section.figure(fig, "One test digit (left) and the 32 feature maps of the first layer "
                        "(after ReLU): each kernel responds to strokes of one orientation or position.")


@chapter(320, "cnn_weights", "Why convolutions: counting weights")
def why_convolutions(section, ctx):
    import pandas as pd

    from deepmine.vision import count_weights

    shape = (2160, 3840)
    n = shape[0] * shape[1]
    rows = [
        {"layer on a 3840x2160 grey image": "fully connected, 8.3M inputs -> 8.3M hidden units",
         "weights": count_weights(("dense", n), shape), "lecture (rounded)": "64 trillion (8M x 8M)"},
        {"layer on a 3840x2160 grey image": "16x16 kernels, 256 features, no weight sharing",
         "weights": count_weights(("conv", 256, 16), shape, weight_sharing=False),
         "lecture (rounded)": "526 billion"},
        {"layer on a 3840x2160 grey image": "16x16 convolution, 256 features (shared kernels)",
         "weights": count_weights(("conv", 256, 16), shape), "lecture (rounded)": "65,536"},
    ]
    df = pd.DataFrame(rows)
    df["weights"] = df["weights"].map("{:,}".format)
    section.text(
        "A fully connected layer needs one weight per input-output pair; on a 4K image that is "
        "beyond any memory. A locally connected layer (one 16x16 kernel per position) is still "
        "half a trillion weights. A convolution shares one kernel over all positions: the count "
        "no longer depends on the image size. Computed with deepmine.vision.count_weights "
        "('same' padding, weights without biases).")
    section.table(df, caption="Weights of one layer on a 4K image")
    net = [("conv", 32, 3), ("pool", 2), ("conv", 64, 3), ("pool", 2), ("dense", 128),
           ("dense", 10)]
    table = count_weights(net, (8, 8), bias=True, per_layer=True)
    table["layer"] = table["layer"].astype(str)
    table["output_shape"] = table["output_shape"].astype(str)
    section.text("The same function over the default ConvNetClassifier on 8x8 digits "
                 "(biases included, as torch counts parameters):")
    section.table(table, caption=f"{table['weights'].sum():,} parameters in all")


@chapter(330, "transfer", "Reusing a trained network")
def transfer(section, ctx):
    import pandas as pd
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    from deepmine.datasets import load_digits_images
    from deepmine.vision import ConvNetClassifier, feature_maps

    X, y = load_digits_images(return_X_y=True)
    rng = np.random.RandomState(ctx.random_state)
    source = y < 5
    base = ConvNetClassifier(max_epochs=ctx.epochs(15, 8), random_state=ctx.random_state)
    base.fit(X[source], y[source])
    target_idx = np.flatnonzero(~source)

    def frozen(A):  # the last convolution block's maps of the CNN trained on 0-4, flattened
        return feature_maps(base, A, -1).reshape(len(A), -1)

    rows = []
    for per_class in ctx.epochs((1, 2, 5, 10), (2, 10)):
        train = np.concatenate([rng.choice(target_idx[y[target_idx] == c], per_class, replace=False)
                                for c in range(5, 10)])
        test = np.setdiff1d(target_idx, train)
        row = {"labels per class": per_class}
        with threadpool_limits(1, user_api="blas"):
            for name, f in [("logistic regression on pixels", lambda A: A.reshape(len(A), -1)),
                            ("frozen CNN(0-4) features + logistic regression", frozen)]:
                lr = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
                lr.fit(f(X[train]), y[train])
                row[name] = lr.score(f(X[test]), y[test])
        scratch = ConvNetClassifier(max_epochs=ctx.epochs(60, 20), random_state=ctx.random_state)
        row["CNN trained from scratch"] = scratch.fit(X[train], y[train]).score(X[test], y[test])
        rows.append(row)
    df = pd.DataFrame(rows)
    reused, pixels = "frozen CNN(0-4) features + logistic regression", "logistic regression on pixels"
    wins = int((df[reused] >= df["CNN trained from scratch"]).sum())
    mean = df[[pixels, reused, "CNN trained from scratch"]].mean()
    section.text(
        "A CNN trained on the digits 0-4 never saw a 5, 6, 7, 8 or 9. Its last convolution "
        "block's feature maps are used, frozen, as the input of a logistic regression that "
        "learns the digits 5-9 from a handful of labels per class.")
    section.table(df, caption="Accuracy on the remaining digits 5-9")
    section.table(mean.rename("mean accuracy").rename_axis("model").reset_index(),
                  caption="Mean over the label budgets above")
    section.text("Averaged over the label budgets, the reused features give an accuracy ",
                 compare(mean[reused], mean[pixels]), " the same logistic regression on raw "
                 "pixels, and ", compare(mean[reused], mean["CNN trained from scratch"]),
                 f" a CNN trained from scratch on the same few labels (the reused features match "
                 f"or beat it in {wins} of {len(df)} budgets).")
    if not _pretrained_part(section, ctx):
        offline_note(section, "a small CNN trained on the digits 0-4, reused for the digits 5-9",
                     "resnet18's ImageNet features reused to classify patches of photographs "
                     "(PretrainedImageFeatures('resnet18') + logistic regression)", ["resnet18"],
                     here=True)


def _pretrained_part(section, ctx, model="resnet18"):
    """With resnet18's ImageNet weights in torchvision's cache: classify photograph patches."""
    from deepmine.vision._zoo import _cached_weights

    try:
        _cached_weights(model, "DEFAULT", download=False)
    except (FileNotFoundError, OSError, RuntimeError):
        return False
    from sklearn.datasets import load_sample_images
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import make_pipeline

    from deepmine.vision import PretrainedImageFeatures

    rng = np.random.RandomState(ctx.random_state)
    patches, labels = [], []
    n = ctx.epochs(20, 6)
    for label, img in enumerate(load_sample_images().images):  # china, flower: (427, 640, 3)
        for _ in range(n):
            r, c = rng.randint(0, img.shape[0] - 96), rng.randint(0, img.shape[1] - 96)
            patches.append(img[r:r + 96, c:c + 96])
            labels.append(label)
    pipe = make_pipeline(PretrainedImageFeatures(model, resize=ctx.epochs(None, 64)),
                         LogisticRegression(max_iter=2000))
    scores = cross_val_score(pipe, np.stack(patches), np.asarray(labels), cv=3)
    section.text(f"{model}'s ImageNet features + logistic regression tell patches of the two "
                 f"sample photographs apart with {scores.mean():.1%} cross-validated accuracy "
                 f"({2 * n} patches of 96x96 pixels, 3 folds).")
    return True
