"""Per-epoch training history."""


class History(list):
    """A list of per-epoch dicts (``epoch``, ``train_loss``, ``valid_loss``, ``valid_score``, ``lr``).

    Examples
    --------
    >>> h = History([{"epoch": 1, "train_loss": 0.5}, {"epoch": 2, "train_loss": 0.25}])
    >>> h["train_loss"]
    [0.5, 0.25]
    """

    def __getitem__(self, key):
        if isinstance(key, str):
            return [row.get(key) for row in self]
        return list.__getitem__(self, key)

    def to_frame(self):
        """Return the history as a pandas DataFrame, one row per epoch."""
        import pandas as pd

        return pd.DataFrame(list(self))
