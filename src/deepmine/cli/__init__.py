"""Command-line interface: ``deepmine <command>``.

Commands live in modules named ``deepmine/cli/_cmd_<name>.py``, each with a
``register(subparsers)`` function that adds its sub-parser and sets ``func``.
"""

from deepmine.cli._main import CLIError, main

__all__ = ["CLIError", "main"]
