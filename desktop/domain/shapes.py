"""Shape checks for input read from JSON: the right type at each key, or a bilingual error naming it.

`"personal": "x"`, `"gender": []` or a number where text is expected must be refused here, at
the service boundary, before any value reaches attribute access, SQLite or the rules.
"""

from __future__ import annotations

from typing import Any

from .errors import InvalidValue
from .limits import LIST_MAX_ITEMS

_TYPE_FA = {"dict": "شیء", "list": "فهرست", "str": "متن", "bool": "true/false", "int": "عدد"}


def _wrong(field: str, fa: str, expected: str, value: Any) -> InvalidValue:
    return InvalidValue(
        f"«{fa}» ({field}) باید {_TYPE_FA.get(expected, expected)} باشد.",
        f"{field} must be a JSON {_json_name(expected)}, not {_json_name(type(value).__name__)}",
        field=field,
    )


def _json_name(python: str) -> str:
    return {"dict": "object", "list": "array", "str": "string", "int": "number", "float": "number",
            "bool": "boolean", "NoneType": "null"}.get(python, python)


def obj(value: Any, field: str, fa: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _wrong(field, fa, "dict", value)
    return value


def optional_obj(value: Any, field: str, fa: str) -> dict[str, Any]:
    return {} if value is None else obj(value, field, fa)


def items(value: Any, field: str, fa: str) -> list[Any]:
    """A JSON array (None → empty), not longer than LIST_MAX_ITEMS."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise _wrong(field, fa, "list", value)
    if len(value) > LIST_MAX_ITEMS:
        raise InvalidValue(f"فهرست «{fa}» بیش از {LIST_MAX_ITEMS} مورد دارد.",
                           f"{field} has more than {LIST_MAX_ITEMS} items", field=field)
    return value


def text(data: dict[str, Any], key: str, fa: str, *, required: bool = False, field: str | None = None) -> str | None:
    """A string at `key`; None/"" when absent (refused if required). Numbers are not strings."""
    name = field or key
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidValue(f"«{fa}» لازم است.", f"{name} is required", field=name)
        return None
    if not isinstance(value, str):
        raise _wrong(name, fa, "str", value)
    return value


def required_text(data: dict[str, Any], key: str, fa: str, *, field: str | None = None) -> str:
    value = text(data, key, fa, required=True, field=field)
    assert value is not None
    return value


def flag(data: dict[str, Any], key: str, fa: str, default: bool = False) -> bool:
    value = data.get(key, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise _wrong(key, fa, "bool", value)
    return value


def choice(data: dict[str, Any], key: str, fa: str, allowed: Any, *, required: bool = False) -> str | None:
    value = text(data, key, fa, required=required)
    if value is not None and value not in allowed:
        raise InvalidValue(f"مقدار «{shown(value)}» برای «{fa}» مجاز نیست.",
                           f"{shown(value)!r} is not a valid {key}", field=key)
    return value


def shown(value: Any, width: int = 40) -> str:
    """A value as an error message may quote it: short, whatever was typed."""
    text_ = str(value) if not isinstance(value, str) else value
    return text_ if len(text_) <= width else text_[:width] + "…"
