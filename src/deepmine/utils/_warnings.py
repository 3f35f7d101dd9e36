"""Warnings that point at the user's line, not at the deepmine line that raised them.

As pandas' ``find_stack_level``: the warning is attributed to the first frame
outside the deepmine package, however deep inside it the warning was raised
(an estimator's ``fit``, the engine, a callback), so the message shows the
call that caused it and the warnings filters see the user's module.
"""

import os
import sys

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def user_stacklevel():
    """The ``stacklevel`` that names the first frame outside deepmine, for a
    ``warnings.warn`` in the function that calls this one."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    return level

