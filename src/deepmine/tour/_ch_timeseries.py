"""Tour chapters: sliding windows, memory (LSTM), and CNNs for time-series classification."""

import functools

import numpy as np

from deepmine.report import compare
from deepmine.tour import chapter


@functools.lru_cache(maxsize=2)
def _airline_window(quick, seed):
    """Airline split (last 24 months held out), baselines and the window MLP's forecast."""
    from deepmine.timeseries import (NaiveForecaster, WindowForecaster, load_airline,
                                     temporal_train_test_split)

    y = load_airline()
    y_train, y_test = temporal_train_test_split(y, test_size=24)
    forecasts = {
        "naive": NaiveForecaster().fit(y_train).predict(24),
        "seasonal naive": NaiveForecaster("seasonal", seasonal_period=12).fit(y_train).predict(24),
        "window MLP": WindowForecaster(window=12, seasonal_period=12, log=True, difference=0,
                                       random_state=seed).fit(y_train).predict(24),
    }
    return y_train, y_test, forecasts


def _plot_forecasts(y_train, y_test, forecasts, title):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 3.2))
    ax.plot(y_train.index.to_timestamp(), y_train.to_numpy(), color="0.3", label="training")
    ax.plot(y_test.index.to_timestamp(), y_test.to_numpy(), color="black", lw=2, label="held out")
    for name, f in forecasts.items():
        ax.plot(f.index.to_timestamp(), f.to_numpy(), label=name)
    ax.set_title(title)
    ax.legend(fontsize=8, ncol=3, loc="upper left")
    fig.tight_layout()
    return fig


def _mae_table(y_test, forecasts):
    import pandas as pd

    from deepmine.timeseries import mae, smape

    return pd.DataFrame([{"forecast": k, "MAE": mae(y_test, f), "sMAPE %": smape(y_test, f)}
                         for k, f in forecasts.items()])


@chapter(510, "ts-windows", "Time series I: sliding windows and an MLP forecast")
def sliding_windows_chapter(section, ctx):
    import pandas as pd

    from deepmine.timeseries import SlidingWindowTransformer

    section.text(
        "Forecasting becomes regression once every value is paired with the values before it: "
        "'use the last five values as features'. A sliding window turns one series into a "
        "table of (past values -> next value) rows that any regressor can learn.")
    short = pd.Series([112.0, 118, 132, 129, 121, 135, 148, 148],
                      index=pd.period_range("1949-01", periods=8, freq="M"))
    X, y = SlidingWindowTransformer(window=5).make_xy(short)
    table = X.assign(target=y)
    table.index = table.index.astype(str)
    section.table(table.reset_index(names="target month"),
                  caption="The window matrix of the first 8 airline months (window=5).")
    y_train, y_test, forecasts = _airline_window(ctx.quick, ctx.random_state)
    section.text(
        "Airline passengers 1949-1960, the last 24 months held out. The MLP sees the last 12 "
        "values of log(y) after a seasonal difference y[t] - y[t-12]: the logarithm turns the "
        "growing seasonal swings into constant ones and the difference removes the yearly "
        "pattern, so the network models what is left instead of extrapolating a level it "
        "never saw. Every forecast is compared with the naive (last value) and seasonal naive "
        "(same month last year) forecasts.")
    table = _mae_table(y_test, forecasts)
    section.table(table, caption="Errors on the 24 held-out months.")
    mae_of = dict(zip(table["forecast"], table["MAE"]))
    section.figure(_plot_forecasts(y_train.iloc[-48:], y_test, forecasts, "Airline: 24-month forecasts"),
                   ["The window MLP's mean absolute error is ",
                    compare(mae_of["window MLP"], mae_of["seasonal naive"], fmt="{:.1f}",
                            tolerance=0.5),
                    " the seasonal naive forecast's (same month last year) and ",
                    compare(mae_of["window MLP"], mae_of["naive"], fmt="{:.1f}", tolerance=0.5),
                    " the naive forecast's (a smaller error is a closer forecast)."])


@chapter(520, "ts-memory", "Time series II: memory with an LSTM forecaster")
def memory_chapter(section, ctx):
    import pandas as pd

    from deepmine.timeseries import LSTMForecaster, WindowForecaster, mae

    y_train, y_test, forecasts = _airline_window(ctx.quick, ctx.random_state)
    section.text(
        "A window model only sees its last k values. An LSTM carries a state through the whole "
        "history: it reads the series value by value and, at every step, predicts the next "
        "values from its memory (Hochreiter & Schmidhuber 1997). On the airline split it "
        "uses the same log and seasonal difference and predicts 12 months at once.")
    lstm = LSTMForecaster(hidden_size=16 if ctx.quick else 32, horizon=12, seasonal_period=12,
                          log=True, difference=0, sequence_length=None,
                          max_epochs=ctx.epochs(200, 40), random_state=ctx.random_state)
    forecasts = {**forecasts, "LSTM": lstm.fit(y_train).predict(24)}
    table = _mae_table(y_test, forecasts)
    section.table(table, caption="Errors on the 24 held-out months.")
    mae_of = dict(zip(table["forecast"], table["MAE"]))
    section.text("On the airline months the LSTM's mean absolute error is ",
                 compare(mae_of["LSTM"], mae_of["window MLP"], fmt="{:.1f}", tolerance=0.5),
                 " the window MLP's (a smaller error is a closer forecast).")
    section.heading("A signal further back than the window")
    rng = np.random.default_rng(ctx.random_state)
    t = np.arange(320)
    square = np.where((t // 10) % 2 == 0, 1.0, -1.0) + rng.normal(0, 0.1, len(t))
    train, test = square[:300], square[300:]
    plain = {"seasonal_period": None, "difference": 0, "log": False}
    window = (WindowForecaster(window=5, **plain, random_state=ctx.random_state)
              .fit(train).predict(20))
    memory = LSTMForecaster(hidden_size=16, horizon=5, sequence_length=40, batch_size=32, **plain,
                            learning_rate=0.01, max_epochs=ctx.epochs(60, 30),
                            random_state=ctx.random_state).fit(train).predict(20)
    section.text(
        "A square wave that flips every 10 steps: inside a flat stretch the last five values "
        "are all alike, so a 5-value window cannot know when the next flip comes. An LSTM "
        "can count the steps since the last flip in its state.")
    errors = {"MLP on the last 5 values": mae(test, window), "LSTM over the history": mae(test, memory)}
    section.table(pd.DataFrame({"forecast": list(errors), "MAE": list(errors.values())}),
                  caption="20-step forecasts of the square wave.")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 2.8))
    ax.plot(np.arange(260, 300), train[-40:], color="0.3", label="history")
    ax.plot(np.arange(300, 320), test, color="black", lw=2, label="held out")
    ax.plot(np.arange(300, 320), window, label="window=5 MLP")
    ax.plot(np.arange(300, 320), memory, label="LSTM")
    ax.legend(fontsize=8, ncol=4, loc="upper center", bbox_to_anchor=(0.5, -0.12))
    fig.tight_layout()
    section.figure(fig, ["The LSTM's mean absolute error on the 20 held-out steps is ",
                         compare(errors["LSTM over the history"], errors["MLP on the last 5 values"],
                                 fmt="{:.2f}", tolerance=0.02),
                         " the window model's."])


@chapter(530, "ts-cnn", "Time series III: CNNs for time-series classification")
def cnn_chapter(section, ctx):
    import matplotlib.pyplot as plt
    import pandas as pd

    from deepmine.timeseries import CNNTimeSeriesClassifier, load_basic_motions, load_gunpoint

    section.text(
        "A collection of labelled series is a panel (n_series, n_channels, n_timesteps). The "
        "fully convolutional network of Wang et al. 2017 slides three convolution blocks "
        "(128/256/128 filters, kernels 8/5/3, batch norm, ReLU) along time and averages over "
        "time before the softmax; MC-DCNN (Zheng et al. 2014) gives every channel its own "
        "convolution tower and joins them in an MLP. Training keeps the weights of the "
        "epoch with the lowest training loss, as the papers do, but measured in eval mode "
        "after the epoch, so that the batch-norm statistics belong to the kept weights.")
    rows, fcn_gp, Xgp = [], None, None
    filters = (32, 64, 32) if ctx.quick else None
    for name, loader in [("GunPoint", load_gunpoint), ("BasicMotions", load_basic_motions)]:
        X, y = loader(split="train")
        Xt, yt = loader(split="test")
        for arch in ("fcn", "mcdcnn"):
            clf = CNNTimeSeriesClassifier(arch, filters=filters if arch == "fcn" else None,
                                          max_epochs=ctx.epochs(150 if arch == "fcn" else 100,
                                                                20 if arch == "fcn" else 30),
                                          batch_size=16, random_state=ctx.random_state).fit(X, y)
            rows.append({"dataset": name, "channels x length": f"{X.shape[1]} x {X.shape[2]}",
                         "model": arch.upper(), "epochs": clf.n_iter_,
                         "test accuracy": clf.score(Xt, yt)})
            if name == "GunPoint" and arch == "fcn":
                fcn_gp, Xgp, ygp = clf, Xt, yt
    section.table(pd.DataFrame(rows), caption="Default train/test splits of the UCR/UEA archive.")
    if ctx.quick:
        section.text("Quick mode trains a narrower FCN for 20 epochs only; the papers train for "
                     "hundreds to thousands of epochs (see benchmarks/bench_timeseries.py).")
    section.text(
        "Global average pooling makes the last layer a weighted sum of feature maps over time, "
        "so the class activation map (Zhou et al. 2016) shows which time steps drove the "
        "decision.")
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.4), sharey=True, layout="constrained")
    for ax, label in zip(axes, fcn_gp.classes_):
        i = int(np.flatnonzero(ygp == label)[0])
        cam = fcn_gp.class_activation(Xgp[i:i + 1])[0]
        sc = ax.scatter(np.arange(Xgp.shape[2]), Xgp[i, 0], c=cam, cmap="coolwarm", s=8)
        ax.set_title(f"class {label}, predicted {fcn_gp.predict(Xgp[i:i + 1])[0]}")
    fig.colorbar(sc, ax=axes, shrink=0.8, label="class activation")
    section.figure(fig, "GunPoint test series coloured by the FCN's class activation map.")
