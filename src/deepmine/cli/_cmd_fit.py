"""``deepmine fit`` and ``deepmine predict``: train a table model from a CSV file and apply it."""

import sys

import numpy as np
import pandas as pd

from deepmine.cli._data import id_columns, read_table
from deepmine.cli._main import CLIError


def register(sub):
    p = sub.add_parser("fit", help="cross-validate and train a perceptron/MLP on a CSV table")
    p.add_argument("data", help="CSV file with a header row")
    p.add_argument("--target", required=True, help="name of the column to predict")
    p.add_argument("--model", choices=["mlp", "perceptron"], default="mlp")
    p.add_argument("--task", choices=["auto", "classification", "regression"], default="auto")
    p.add_argument("--cv", type=int, default=5, help="number of cross-validation folds")
    p.add_argument("--hidden", type=int, nargs="+", default=[100], help="hidden layer sizes")
    p.add_argument("--epochs", type=int, default=200)
    p.add_argument("--drop", nargs="+", default=[], metavar="COLUMN", help="columns to ignore")
    p.add_argument("--out", default="model.dm", help="where to save the model (default model.dm)")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=run_fit)

    q = sub.add_parser("predict", help="apply a saved model to a CSV table")
    q.add_argument("model", help="model file written by 'deepmine fit'")
    q.add_argument("data", help="CSV file with the model's feature columns")
    q.add_argument("--out", help="write predictions here (default: standard output)")
    q.set_defaults(func=run_predict)


def _is_classification(y, task):
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


def run_fit(args):
    from sklearn.model_selection import KFold, StratifiedKFold, cross_val_score

    from deepmine.tabular import MLPClassifier, MLPRegressor, Perceptron

    df = read_table(args.data)
    if args.target not in df.columns:
        raise CLIError(f"target column {args.target!r} not in {args.data}; columns: {list(df.columns)}")
    unknown = [c for c in args.drop if c not in df.columns]
    if unknown:
        raise CLIError(f"--drop names unknown columns {unknown}")
    df = df[df[args.target].notna()]
    y = df[args.target]
    X = df.drop(columns=[args.target, *args.drop])
    ids = id_columns(X)
    if ids:
        print(f"ignoring identifier column(s) {ids} (every value distinct)", file=sys.stderr)
        X = X.drop(columns=ids)
    if X.shape[1] == 0:
        raise CLIError("no feature columns left besides the target")
    classification = _is_classification(y, args.task)
    if args.model == "perceptron":
        if not classification:
            raise CLIError("the perceptron is a classifier; use --model mlp for a numeric target")
        model = Perceptron(random_state=args.seed)
    elif classification:
        model = MLPClassifier(tuple(args.hidden), max_epochs=args.epochs, random_state=args.seed,
                              early_stopping=len(X) >= 200)
    else:
        model = MLPRegressor(tuple(args.hidden), max_epochs=args.epochs, random_state=args.seed,
                             early_stopping=len(X) >= 200)
    folds = args.cv
    if classification:
        smallest = int(y.value_counts().min())
        if smallest < 2:
            raise CLIError("every class needs at least 2 rows for cross-validation")
        folds = min(folds, smallest)
        splitter = StratifiedKFold(folds, shuffle=True, random_state=args.seed)
    else:
        folds = min(folds, len(X))
        splitter = KFold(folds, shuffle=True, random_state=args.seed)
    if folds < 2:
        raise CLIError("need at least 2 cross-validation folds")
    metric = "accuracy" if classification else "r2"
    rows = []
    for name, est in [(f"deepmine {args.model}", model), *_baselines(classification, args.seed).items()]:
        scores = cross_val_score(est, X, y, cv=splitter, scoring=metric)
        rows.append((name, scores.mean(), scores.std()))
    print(f"{folds}-fold cross-validated {metric} on {args.data} ({len(X)} rows, target {args.target!r})")
    width = max(len(r[0]) for r in rows)
    for name, mean, std in rows:
        print(f"  {name:<{width}}  {mean:.4f} +/- {std:.4f}")
    model.fit(X, y)
    model.save(args.out)
    print(f"model trained on all rows saved to {args.out}")
    return 0


def run_predict(args):
    import deepmine
    from deepmine.exceptions import DataError

    try:
        model = deepmine.load(args.model)
    except FileNotFoundError:
        raise CLIError(f"model file not found: {args.model}") from None
    df = read_table(args.data)
    names = getattr(model, "feature_names_in_", None)
    if names is not None:
        missing = [c for c in names if c not in df.columns]
        if missing:
            raise CLIError(f"{args.data} lacks the model's columns {missing}")
        X = df[list(names)]
    else:
        X = df.to_numpy(dtype=np.float32)
    try:
        out = pd.DataFrame({"prediction": model.predict(X)})
        if hasattr(model, "predict_proba") and not hasattr(model, "coef_"):
            proba = model.predict_proba(X)
            for i, c in enumerate(model.classes_):
                out[f"proba_{c}"] = proba[:, i]
    except DataError as exc:
        raise CLIError(str(exc)) from None
    if args.out:
        out.to_csv(args.out, index=False)
        print(f"{len(out)} predictions written to {args.out}", file=sys.stderr)
    else:
        out.to_csv(sys.stdout, index=False)
    return 0
