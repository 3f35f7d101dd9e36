"""``deepmine fit`` and ``deepmine predict``: train a table model from a CSV file and apply it."""

import sys

from deepmine.cli._common import (add_long_options, check_output, final_fit, fit_interrupted,
                                  int_range, load_model, next_step, note, progress, save_model,
                                  write_csv)
from deepmine.cli._main import CLIError, Interrupted


def register(sub):
    p = sub.add_parser(
        "fit", help="cross-validate and train a perceptron/MLP on a CSV table",
        description="Cross-validate deepmine's model beside scikit-learn baselines on a CSV table, "
                    "then train it on all rows and save it. Every model sees the same columns; "
                    "identifier columns (named id, *_id, ...; distinct text; row numbers) are "
                    "dropped with a note.")
    p.add_argument("data", help="CSV file with a header row (.gz ok)")
    p.add_argument("--target", help="name of the column to predict (required; without it the "
                                     "error lists the columns)")
    p.add_argument("--model", choices=["mlp", "perceptron"], default="mlp")
    p.add_argument("--task", choices=["auto", "classification", "regression"], default="auto")
    p.add_argument("--cv", type=int_range(2, 100), default=5,
                   help="number of cross-validation folds, 2-100 (default: 5)")
    p.add_argument("--hidden", type=int_range(1, 100_000), nargs="+", default=[100],
                   help="hidden layer sizes (default: 100)")
    p.add_argument("--epochs", type=int_range(1, 1_000_000), default=200,
                   help="most training epochs (default: 200)")
    p.add_argument("--drop", nargs="+", default=[], metavar="COLUMN", help="columns to ignore")
    p.add_argument("--dropna", action="store_true",
                   help="skip rows with empty cells (default: refuse them, naming the CSV lines)")
    p.add_argument("--out", default="model.dm", help="where to save the model (default: model.dm)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--jobs", type=int_range(-1, 1024), default=None, metavar="N",
                   help="processes that run the cross-validation fits (-1: every core; the "
                        "scores are the same)")
    add_long_options(p, keep_partial=True)
    p.set_defaults(func=run_fit)

    q = sub.add_parser("predict", help="apply a saved model to a CSV table")
    q.add_argument("model", help="model file written by 'deepmine fit'")
    q.add_argument("data", help="CSV file with the model's feature columns (.gz ok)")
    q.add_argument("--out", help="write predictions here (default: standard output)")
    q.set_defaults(func=run_predict)


def _is_classification(y, task):
    import pandas as pd

    if task != "auto":
        return task == "classification"
    if not pd.api.types.is_numeric_dtype(y) or pd.api.types.is_bool_dtype(y):
        return True
    return pd.api.types.is_integer_dtype(y) and y.nunique() <= max(2, min(20, len(y) // 5))


def _baselines(classification, seed):
    from sklearn.compose import make_column_selector, make_column_transformer
    from sklearn.dummy import DummyClassifier, DummyRegressor
    from sklearn.linear_model import LinearRegression, LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
    from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

    def prep():
        return make_column_transformer(
            (OneHotEncoder(handle_unknown="ignore"), make_column_selector(dtype_exclude="number")),
            (StandardScaler(), make_column_selector(dtype_include="number")))

    if classification:
        return {"majority class": make_pipeline(prep(), DummyClassifier()),
                "decision tree": make_pipeline(prep(), DecisionTreeClassifier(random_state=seed)),
                "logistic regression": make_pipeline(prep(), LogisticRegression(max_iter=1000))}
    return {"mean": make_pipeline(prep(), DummyRegressor()),
            "decision tree": make_pipeline(prep(), DecisionTreeRegressor(random_state=seed)),
            "linear regression": make_pipeline(prep(), LinearRegression())}


def _features(args, df):
    """The target and the feature table every model gets (the same columns for all)."""
    from deepmine.cli._data import DATE_NOTE, date_columns, id_columns, nan_report

    if args.target is None:
        raise CLIError(f"name the column to predict with --target; columns of {args.data}: "
                       f"{list(df.columns)}")
    if args.target not in df.columns:
        raise CLIError(f"target column {args.target!r} not in {args.data}; columns: {list(df.columns)}")
    unknown = [c for c in args.drop if c not in df.columns]
    if unknown:
        raise CLIError(f"--drop names unknown columns {unknown}")
    if args.target in args.drop:
        raise CLIError(f"--drop names the target column {args.target!r}")
    X = df.drop(columns=[args.target, *args.drop])
    dates = date_columns(X)
    if dates:
        note(args, f"ignoring date column(s) {dates} ({DATE_NOTE})")
        X = X.drop(columns=dates)
    ids = id_columns(X)
    if ids:
        reasons = "; ".join(f"{c!r}: {why}" for c, why in ids.items())
        note(args, f"ignoring identifier column(s) {list(ids)} ({reasons})")
        X = X.drop(columns=list(ids))
    if X.shape[1] == 0:
        raise CLIError("no feature columns left besides the target")
    used = [args.target, *X.columns]
    problem = nan_report(df, args.data, used)
    if problem:
        if not args.dropna:
            raise CLIError(problem)
        keep = df[used].notna().all(axis=1).to_numpy()
        note(args, f"--dropna: skipping {int((~keep).sum())} of {len(df)} rows with empty cells")
        if not keep.any():
            raise CLIError(f"every row of {args.data} has an empty cell in the columns used")
        df, X = df[keep], X[keep]
    return X, df[args.target]


def _model(args, classification):
    from deepmine.tabular import MLPClassifier, MLPRegressor, Perceptron

    if args.model == "perceptron":
        if not classification:
            raise CLIError("the perceptron is a classifier; use --model mlp for a numeric target")
        model = Perceptron(random_state=args.seed)
    else:
        cls = MLPClassifier if classification else MLPRegressor
        model = cls(tuple(args.hidden), max_epochs=args.epochs, random_state=args.seed)
    model._check_params()  # a bad parameter fails here, with one line, not inside every fold
    return model


def _fold_score(est, X, y, train, test, scorer):
    """A clone of ``est`` fitted on the ``train`` rows and scored on ``test``."""
    from sklearn.base import clone

    fold = clone(est)
    if fit_interrupted(lambda: fold.fit(X.iloc[train], y.iloc[train])):
        raise Interrupted
    return scorer(fold, X.iloc[test], y.iloc[test])


def _fold_score_in_worker(*task):
    """``_fold_score`` in a joblib process; its warnings come back to be shown by the CLI."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", message=".* stopped at max_epochs=")
        score = _fold_score(*task)
    return score, [(str(w.message), w.category) for w in caught]


def _fold_scores(tasks, X, y, scorer, n_jobs):
    """(score, warnings) of every (name, model, train, test) task, in order; in ``n_jobs``
    joblib processes (same seeds, so the same scores) unless it is None or 1."""
    if n_jobs in (None, 1):
        return ((_fold_score(est, X, y, train, test, scorer), []) for _, est, train, test in tasks)
    from joblib import Parallel, delayed

    return Parallel(n_jobs=n_jobs, return_as="generator")(
        delayed(_fold_score_in_worker)(est, X, y, train, test, scorer)
        for _, est, train, test in tasks)


def run_fit(args):
    import warnings

    import numpy as np
    from sklearn.metrics import get_scorer
    from sklearn.model_selection import KFold, StratifiedKFold

    from deepmine.cli._data import read_table

    if args.jobs == 0:
        raise CLIError("--jobs must be a positive number of processes or -1 (every core); got 0")
    check_output(args.out)
    df = read_table(args.data)
    X, y = _features(args, df)
    classification = _is_classification(y, args.task)
    model = _model(args, classification)
    folds = args.cv
    if classification:
        counts = y.value_counts()
        if len(counts) < 2:
            raise CLIError(f"target {args.target!r} holds one value only ({counts.index[0]!r}): "
                           f"there is nothing to predict")
        if int(counts.max()) < 2:
            raise CLIError(f"target {args.target!r} has a different value in every row, like an "
                           f"identifier; name a column of labels that repeat (or a numeric "
                           f"target for regression)")
        smallest = int(counts.min())
        if smallest < 2:
            rare = [str(c) for c in counts.index[counts < 2]]
            raise CLIError(f"class(es) {', '.join(map(repr, rare[:5]))} of target {args.target!r} "
                           f"have a single row; cross-validation needs at least 2 rows per class "
                           f"(drop those rows or add more)")
        folds = min(folds, smallest)
        splitter = StratifiedKFold(folds, shuffle=True, random_state=args.seed)
    else:
        folds = min(folds, len(X))
        splitter = KFold(folds, shuffle=True, random_state=args.seed)
    if folds < 2:
        raise CLIError("need at least 2 rows for cross-validation")
    metric = "accuracy" if classification else "r2"
    scorer = get_scorer(metric)
    splits = list(splitter.split(X, y))
    models = [(f"deepmine {args.model}", model), *_baselines(classification, args.seed).items()]
    note(args, f"cross-validating {len(models)} models over {folds} folds (Ctrl-C stops)")
    scores = {name: [] for name, _ in models}
    tasks = [(name, est, train, test) for name, est in models for train, test in splits]
    with progress(args, total=len(tasks), desc="cross-validation", unit="fit") as bar:
        results = _fold_scores(tasks, X, y, scorer, args.jobs)
        for (name, *_), (score, caught) in zip(tasks, results):
            for message, category in caught:  # a worker's warnings, one line each as here
                warnings.warn(message, category, stacklevel=2)
            scores[name].append(score)
            bar.update()
    rows = [(name, float(np.mean(s)), float(np.std(s))) for name, s in scores.items()]
    print(f"{folds}-fold cross-validated {metric} on {args.data} ({len(X)} rows, "
          f"{X.shape[1]} feature columns, target {args.target!r})")
    width = max(len(r[0]) for r in rows)
    for name, mean, std in rows:
        print(f"  {name:<{width}}  {mean:.4f} +/- {std:.4f}")
    sys.stdout.flush()
    note(args, f"training deepmine {args.model} on all {len(X)} rows")
    code = final_fit(args, "fit", model, X, y)
    if code is not None:
        return code
    save_model(model, args.out)
    print(f"model trained on all rows saved to {args.out}")
    next_step(f"deepmine predict {args.out} NEW.csv   (NEW.csv: the same feature columns)")
    return 0


def run_predict(args):
    import numpy as np
    import pandas as pd

    from deepmine.cli._data import read_table

    check_output(args.out)
    model = load_model(args.model)
    df = read_table(args.data)
    names = getattr(model, "feature_names_in_", None)
    if names is not None:
        missing = [c for c in names if c not in df.columns]
        if missing:
            raise CLIError(f"{args.data} lacks the model's columns {missing}")
        extra = [c for c in df.columns if c not in set(names)]
        if extra:
            print(f"ignoring column(s) {extra} (not among the model's columns)", file=sys.stderr)
        _note_unseen_categories(getattr(model, "encoder_", None), df)
        X = df[list(names)]
    else:
        try:
            X = df.to_numpy(dtype=np.float32)
        except ValueError:
            raise CLIError(f"{args.data} holds non-numeric columns, but {args.model} was "
                           f"trained on numbers only") from None
    out = pd.DataFrame({"prediction": model.predict(X)})
    if hasattr(model, "predict_proba") and not hasattr(model, "coef_"):
        proba = model.predict_proba(X)
        for i, c in enumerate(model.classes_):
            out[f"proba_{c}"] = proba[:, i]
    write_csv(out, args.out, index=False)
    if args.out:
        print(f"{len(out)} predictions written to {args.out}", file=sys.stderr)
    return 0


def _note_unseen_categories(encoder, df):
    """Say on stderr which text columns hold categories the model never saw (encoded as none)."""
    if encoder is None:
        return
    for name, kind, cats in zip(encoder.columns_, encoder.kinds_, encoder.categories_):
        if kind != "cat":
            continue
        values = df[name].dropna().astype(str)
        unseen = ~values.isin(set(cats))
        if unseen.any():
            new = sorted(set(values[unseen]))
            print(f"column {name!r}: {int(unseen.sum())} row(s) hold categories unseen in "
                  f"training ({new[:5]}{', ...' if len(new) > 5 else ''}); they count as none "
                  f"of the known ones", file=sys.stderr)
