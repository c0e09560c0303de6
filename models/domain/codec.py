"""Domain dataclasses <-> JSON-ready dicts (dates as ISO strings, tuples as lists).

Used to persist analysis results in JSON columns and to rebuild the very same
frozen objects from the store, so the compliance engine sees what nlp produced.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from functools import cache
from typing import Any, TypeVar, cast

T = TypeVar("T")


def to_jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: to_jsonable(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if not isinstance(getattr(value, f.name), bytes)
        }
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    return value


@cache
def _hints(cls: Any) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def from_jsonable(cls: type[T], data: dict[str, Any]) -> T:
    """Rebuild dataclass `cls` from `to_jsonable` output; unknown keys are ignored."""
    hints = _hints(cast(Any, cls))
    kwargs = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.name in data:
            kwargs[f.name] = _convert(hints[f.name], data[f.name])
    return cls(**kwargs)


def _convert(tp: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(tp) if a is not type(None)]
        for arg in members:
            try:
                return _convert(arg, value)
            except (TypeError, ValueError):
                continue
        return value
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(args[0], v) for v in value)
        return tuple(_convert(a, v) for a, v in zip(args, value, strict=False))
    if origin is typing.Literal:
        return value
    if tp is dt.date:
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)
    if tp is float and isinstance(value, (int, float)):
        return float(value)
    if dataclasses.is_dataclass(tp) and isinstance(value, dict):
        return from_jsonable(tp, value)  # type: ignore[arg-type]
    return value
