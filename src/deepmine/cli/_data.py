"""Reading user tables for the CLI, with one-line errors (pandas is imported on first use)."""

import re
import zlib
from pathlib import Path

from deepmine.cli._main import CLIError

#: Column names that mean "identifier": id, ID, patient_id, patient-id, "patient id", patientId, PatientID.
_ID_NAME = re.compile(r"^(id|.*[ _\-.]id|unnamed: 0|index)$", re.IGNORECASE)
_CAMEL_ID = re.compile(r"^.*[a-z0-9]I[dD]$")


def read_table(path):
    """Read a CSV file (``.gz``/``.bz2``/``.zip``/``.xz`` ok) or raise :class:`CLIError` with one line.

    Commas separate the values; a file whose header has no comma but a semicolon,
    tab or ``|`` is read with that separator instead.
    """
    import pandas as pd

    p = Path(path)
    if not p.exists():
        raise CLIError(f"file not found: {path}")
    if p.is_dir():
        raise CLIError(f"{path} is a folder, not a CSV file")
    try:
        df = pd.read_csv(p)
        if len(df.columns) == 1:            # semicolon-, tab- or bar-separated files
            sep = next((c for c in ";\t|" if c in str(df.columns[0])), None)
            if sep:
                df = pd.read_csv(p, sep=sep)
    except pd.errors.EmptyDataError:
        raise CLIError(f"{path} is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise CLIError(f"{path} cannot be parsed as CSV: {str(exc).splitlines()[0]}") from None
    except (OSError, EOFError, zlib.error) as exc:  # a .gz/.bz2/.zip that is not one
        if isinstance(exc, (FileNotFoundError, PermissionError)):
            raise
        raise CLIError(f"{path} cannot be decompressed: {str(exc).splitlines()[0]}") from None
    except ValueError as exc:  # e.g. a .zip archive holding several files
        raise CLIError(f"{path} cannot be read as CSV: {str(exc).splitlines()[0]}") from None
    if df.empty:
        raise CLIError(f"{path} has a header but no rows")
    for col in df.columns:
        if pd.api.types.is_string_dtype(df[col]) or df[col].dtype == object:
            parsed = pd.to_numeric(df[col], errors="coerce")
            bad = parsed.isna() & df[col].notna()
            if parsed.notna().mean() >= 0.8 and bad.any():
                row = int(bad.to_numpy().nonzero()[0][0])
                raise CLIError(f"column {col!r} is numeric but line {row + 2} of {path} holds "
                               f"the unparseable value {df[col].iloc[row]!r}")
    return df


def date_columns(df):
    """Columns of dates or times (datetime dtypes, or ISO dates such as ``2024-01-31``).

    The models encode numbers, yes/no and categories, not dates: the commands set
    these columns aside with a note, for every model alike.
    """
    from deepmine.utils._table import _is_date_column

    return [c for c in df.columns if _is_date_column(df[c])]


DATE_NOTE = ("dates are not encoded; add numeric columns made from them, such as the year or "
             "the month, to use them")


def id_columns(df):
    """Identifier columns, useless as features, with the reason for each.

    A column is an identifier when it is named like one (``id``, ``ID``, ``*_id``, ``*Id``)
    or, with no such name, when every value is distinct and it holds text, or integers that
    count the rows (every value distinct and consecutive, such as a row number).
    """
    import pandas as pd

    found = {}
    n = len(df)
    for c in df.columns:
        col = df[c]
        distinct = col.nunique() == n > 2
        if isinstance(c, str) and (_ID_NAME.match(c.strip()) or _CAMEL_ID.match(c.strip())):
            found[c] = "named like an identifier"
        elif distinct and not pd.api.types.is_numeric_dtype(col):
            found[c] = "every value distinct"
        elif (distinct and pd.api.types.is_integer_dtype(col) and not pd.api.types.is_bool_dtype(col)
              and int(col.max()) - int(col.min()) == n - 1):
            found[c] = "one distinct integer per row"
    return found


def nan_report(df, path, columns=None, shown=5):
    """One sentence naming the columns with empty cells and their first CSV lines, or None."""
    cols = list(df.columns if columns is None else columns)
    mask = df[cols].isna()
    if not mask.to_numpy().any():
        return None
    bad_cols = [c for c in cols if mask[c].any()]
    lines = [i + 2 for i in mask.any(axis=1).to_numpy().nonzero()[0][:shown]]
    n_rows = int(mask.any(axis=1).sum())
    more = ", ..." if n_rows > shown else ""
    return (f"{path} has empty cells in column(s) {bad_cols} "
            f"({n_rows} row(s); CSV line(s) {', '.join(map(str, lines))}{more}); "
            f"fill them in, drop the column with --drop, or pass --dropna to skip those rows")
