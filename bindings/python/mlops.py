"""Deprecated name of the :mod:`libmlops` package; removed in the next release.

``import mlops`` warns (:class:`DeprecationWarning`) and gives the
:mod:`libmlops` package itself: ``mlops is libmlops``, and ``mlops._lib`` and
the other submodules are the same module objects as ``libmlops._lib`` and so
on, so the library is loaded once and exceptions, classes and monkeypatches
are shared. Write ``import libmlops`` (or ``import libmlops as mlops``).

The import name changed because an unrelated distribution on PyPI ships a
top-level ``mlops`` package; installing both would break one of them.
"""

import importlib
import pkgutil
import sys
import warnings

warnings.warn(
    "the 'mlops' module is deprecated and will be removed in the next release; "
    "import 'libmlops' instead (e.g. `import libmlops as mlops`)",
    DeprecationWarning,
    stacklevel=2,
)

import libmlops  # noqa: E402  (after the warning, so a failing import still warns)

for _info in pkgutil.iter_modules(libmlops.__path__):
    sys.modules["mlops." + _info.name] = importlib.import_module("libmlops." + _info.name)
sys.modules[__name__] = libmlops
