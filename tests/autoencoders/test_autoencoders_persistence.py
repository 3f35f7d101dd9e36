"""save(path) / deepmine.load(path) round trips of the autoencoders."""

import numpy as np
import pandas as pd

import deepmine
from deepmine.autoencoders import AutoEncoder, AutoEncoderOutlierDetector, StackedAutoEncoder


def test_save_load_round_trip(tmp_path):
    """Loaded models give the same codes, errors, scores, threshold and explanations."""
    rng = np.random.RandomState(0)
    df = pd.DataFrame(rng.normal(size=(60, 3)), columns=["a", "b", "c"])
    df["kind"] = rng.choice(["u", "v"], 60)
    kw = dict(max_epochs=2, device="cpu", random_state=0)
    models = [AutoEncoder((4,), code_size=2, noise="salt_pepper", **kw),
              StackedAutoEncoder((4, 2), **kw),
              AutoEncoderOutlierDetector(n_estimators=2, max_samples=64, contamination=0.1,
                                         score_error="huber", **kw),
              # column subsets and dropped connections drawn unseeded: the file must carry them
              AutoEncoderOutlierDetector(n_estimators=2, max_samples=64, connection_keep=0.5,
                                         **{**kw, "random_state": None})]
    for i, model in enumerate(models):
        model.fit(df)
        path = tmp_path / f"m{i}.dm"
        model.save(path)
        loaded = deepmine.load(path)
        assert type(loaded) is type(model) and loaded.get_params() == model.get_params()
        if hasattr(model, "transform"):
            np.testing.assert_array_equal(loaded.transform(df), model.transform(df))
            np.testing.assert_array_equal(loaded.reconstruction_error(df), model.reconstruction_error(df))
        else:
            np.testing.assert_array_equal(loaded.score_samples(df), model.score_samples(df))
            np.testing.assert_array_equal(loaded.predict(df), model.predict(df))
            pd.testing.assert_frame_equal(loaded.explain(df), model.explain(df))
