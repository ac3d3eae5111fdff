"""Base of the binding's result dataclasses: ``to_dict()`` and ``to_json()``."""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any, Dict


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, float) and math.isnan(value):
        return None  # not computed / not applicable, as the library writes NaN
    if isinstance(value, float) and math.isinf(value):
        # the library's spelling (docs/drift-contract.md): an infinite
        # divergence is a result and must not read as the null of a NaN
        return "Infinity" if value > 0 else "-Infinity"
    return value


class Result:
    """Mixin of every result dataclass."""

    def to_dict(self) -> Dict[str, Any]:
        """The fields as plain Python values (nested results as dicts; NaN
        as ``None``, infinities as the strings ``"Infinity"`` and
        ``"-Infinity"``, as the library's JSON writes them)."""
        out: Dict[str, Any] = _plain(self)
        return out

    def to_json(self, **kwargs: Any) -> str:
        """:meth:`to_dict` as JSON text; ``kwargs`` go to :func:`json.dumps`."""
        kwargs.setdefault("sort_keys", True)
        return json.dumps(self.to_dict(), **kwargs)
