"""Documented defaults are true: every ``name : type, default=value`` line of a public
class's or function's numpydoc Parameters section matches the signature."""

import ast
import importlib
import inspect
import re

import deepmine

_ENTRY = re.compile(r"^(?P<names>\*{0,2}\w+(?:\s*,\s*\*{0,2}\w+)*)\s*:\s*(?P<type>.*)$")
_DEFAULT = re.compile(r"default\s*[=:]\s*(?P<value>.+?)\s*$")


def _public_objects():
    """(qualified name, object) of every public class, method and function (``__all__`` lists)."""
    seen = {}
    for sub in ["", *deepmine.__all__]:
        if sub in ("__version__", "load"):
            continue
        mod = importlib.import_module("deepmine" + (f".{sub}" if sub else ""))
        for name in getattr(mod, "__all__", []):
            obj = getattr(mod, name)
            if not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue
            seen.setdefault(id(obj), (f"{obj.__module__}.{obj.__qualname__}", obj))
            if inspect.isclass(obj):  # and its public methods written in deepmine
                for attr, member in vars(obj).items():
                    if (not attr.startswith("_") and inspect.isfunction(member)
                            and member.__module__.startswith("deepmine")):
                        seen.setdefault(id(member), (f"{member.__module__}.{member.__qualname__}",
                                                     member))
    return sorted(seen.values(), key=lambda p: p[0])


def _parameters_section(doc):
    """Lines of the Parameters section, dedented, up to the next section header."""
    lines = inspect.cleandoc(doc).splitlines()
    underline = [bool(line.strip()) and set(line.strip()) == {"-"} for line in lines] + [False]
    for i in range(len(lines) - 1):
        if lines[i].strip() == "Parameters" and underline[i + 1]:
            end = next((j for j in range(i + 2, len(lines)) if underline[j + 1]), len(lines))
            return lines[i + 2:end]
    return []


def documented_defaults(doc):
    """{parameter: documented default string} of a numpydoc docstring."""
    found = {}
    for line in _parameters_section(doc or ""):
        if line.startswith(" ") or not line.strip():
            continue
        m = _ENTRY.match(line.strip())
        if not m:
            continue
        d = _DEFAULT.search(m["type"])
        if not d:
            continue
        for name in m["names"].split(","):
            found[name.strip().lstrip("*")] = d["value"]
    return found


def _normalize(value):
    if isinstance(value, list):
        return tuple(_normalize(v) for v in value)
    if isinstance(value, tuple):
        return tuple(_normalize(v) for v in value)
    if isinstance(value, dict):
        return {k: _normalize(v) for k, v in value.items()}
    return value


def same_default(documented, actual):
    """Whether the documented default string denotes the signature's default value."""
    try:
        value = ast.literal_eval(documented)
    except (ValueError, SyntaxError):
        text = documented.strip("`'\"")
        return text == repr(actual).strip("'\"") or text == getattr(actual, "__name__", None)
    if isinstance(value, bool) or isinstance(actual, bool):
        return type(value) is type(actual) and value == actual
    return _normalize(value) == _normalize(actual)


def _signature(obj):
    try:
        return inspect.signature(obj.__init__ if inspect.isclass(obj) else obj)
    except (TypeError, ValueError):
        return None


def mismatches():
    """One line per documented default that differs from the signature's."""
    out = []
    for qualname, obj in _public_objects():
        sig = _signature(obj)
        if sig is None:
            continue
        for name, documented in documented_defaults(obj.__doc__).items():
            param = sig.parameters.get(name)
            if param is None or param.default is inspect.Parameter.empty:
                continue
            if not same_default(documented, param.default):
                out.append(f"{qualname}: {name} documented default={documented}, "
                           f"signature default={param.default!r}")
    return out


def test_parser_reads_numpydoc_defaults():
    """The parser finds defaults in the forms the docstrings use (so the test below can fail)."""
    doc = """Summary.

    Parameters
    ----------
    a : int, default=3
        Text mentioning default=9.
    b, c : {"x", "y"}, default="x"
    d : tuple of int, default=(1, 2)

    Returns
    -------
    e : int, default=4
    """
    assert documented_defaults(doc) == {"a": "3", "b": '"x"', "c": '"x"', "d": "(1, 2)"}
    assert same_default("(1, 2)", [1, 2]) and same_default("'x'", "x") and same_default("None", None)
    assert same_default("1e-3", 0.001) and not same_default("200", 100)
    assert not same_default("1", True)


def test_documented_defaults_match_signatures():
    """Every documented default of a public class or function is its signature's default."""
    bad = mismatches()
    assert not bad, "\n".join(bad)


_BORDER = re.compile(r"^\s*=+(?:\s+=+)+\s*$")


def table_faults(doc):
    """Lines of reStructuredText simple tables that a text reflow would leave: border
    runs mixed with text, borders that disagree, text crossing a gap between columns."""
    lines = inspect.cleandoc(doc or "").splitlines()
    faults = [line for line in lines
              if line.lstrip().startswith("==") and not _BORDER.match(line)]
    borders = [i for i, line in enumerate(lines) if _BORDER.match(line)]
    if len(borders) % 3:
        return faults + [lines[borders[-1]]]
    for top, mid, bottom in zip(borders[::3], borders[1::3], borders[2::3]):
        border = lines[top].rstrip()
        if lines[mid].rstrip() != border or lines[bottom].rstrip() != border:
            faults.append(border)
            continue
        indent = len(border) - len(border.lstrip())
        gaps = [k for k in range(indent, len(border)) if border[k] == " "]
        for line in lines[top + 1:bottom]:
            if line.strip() and len(line) - len(line.lstrip()) != indent:
                faults.append(line)
            elif any(k < len(line) and line[k] != " " for k in gaps):
                faults.append(line)
    return faults


def test_table_check_finds_a_reflowed_table():
    good = """Summary.

    =====  ====
    a      b
    =====  ====
    1      2
    =====  ====
    """
    reflowed = """Summary.

    =====  ====
    ===== a      b
    =====  ====  =====  ==== 1      2
    =====  ====
    """
    crossing = good.replace("1      2", "123456 2")
    assert table_faults(good) == []
    assert table_faults(reflowed) and table_faults(crossing)


def test_docstring_tables_are_intact():
    """Every simple table in a public docstring keeps its columns (help() shows it as written)."""
    bad = [f"{name}: {line.strip()}" for name, obj in _public_objects()
           for line in table_faults(obj.__doc__)]
    assert not bad, "\n".join(bad)
