"""Reading user tables for the CLI, with one-line errors."""

from pathlib import Path

import pandas as pd

from deepmine.cli._main import CLIError


def read_table(path):
    """Read a CSV file into a DataFrame or raise :class:`CLIError` with one line."""
    p = Path(path)
    if not p.exists():
        raise CLIError(f"file not found: {path}")
    if p.is_dir():
        raise CLIError(f"{path} is a folder, not a CSV file")
    try:
        df = pd.read_csv(p)
    except pd.errors.EmptyDataError:
        raise CLIError(f"{path} is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise CLIError(f"{path} cannot be parsed as CSV: {str(exc).splitlines()[0]}") from None
    if df.empty:
        raise CLIError(f"{path} has a header but no rows")
    for col in df.columns:
        if pd.api.types.is_string_dtype(df[col]) or df[col].dtype == object:
            parsed = pd.to_numeric(df[col], errors="coerce")
            bad = parsed.isna() & df[col].notna()
            if parsed.notna().mean() >= 0.8 and bad.any():
                row = int(bad.to_numpy().nonzero()[0][0])
                raise CLIError(f"column {col!r} is numeric but row {row + 2} of {path} holds "
                               f"the unparseable value {df[col].iloc[row]!r}")
    return df


def id_columns(df):
    """Text columns whose every value is distinct (names, ids): useless as features."""
    return [c for c in df.columns
            if not pd.api.types.is_numeric_dtype(df[c]) and df[c].nunique() == len(df) > 2]
