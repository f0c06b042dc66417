"""The reference of every config key (config/README.md), rendered from the config schema.

The schema is what validation enforces, so the reference is written from it and cannot drift from it:
tests/test_config_reference.py compares the committed file with this rendering. Regenerate it with
``python -m ambs.config_reference > config/README.md`` (or ``make config/README.md``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from ambs.config import load_schema

INTRO = """# Configuration keys

Every key of a configuration file such as `config/config.yaml`, as `src/ambs/config.schema.yaml` validates it
before any job runs. A key required inside a mapping is required whenever that mapping is given; a key with a
default takes it when left out. The cross-field checks the schema cannot express (the region inside the domain,
hyperparameters for every model in `models`, ...) are in `src/ambs/config.py`.

Generated from the schema by `python -m ambs.config_reference > config/README.md`: edit the schema, not this file.
"""


@dataclass(frozen=True)
class KeyDoc:
    """One config key as the reference shows it; ``key`` is dotted (``bootstrap.seed``)."""

    key: str
    kind: str
    default: str
    required: str
    description: str


def describe_keys(schema: dict[str, Any]) -> list[KeyDoc]:
    """Every key of the schema, depth first in schema order."""
    conditions = _conditional_requirements(schema)
    return list(_describe(schema, schema, "", conditions))


def render(schema: dict[str, Any]) -> str:
    """The Markdown reference: the introduction and one table row per key."""
    lines = [INTRO, "| key | value | default | required | description |", "|---|---|---|---|---|"]
    for doc in describe_keys(schema):
        cells = (f"`{doc.key}`", doc.kind, doc.default, doc.required, doc.description)
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def _describe(
    schema: dict[str, Any], node: dict[str, Any], prefix: str, conditions: dict[str, str]
) -> Iterator[KeyDoc]:
    required = set(node.get("required", []))
    for name, child in node.get("properties", {}).items():
        child = _resolved(schema, child)
        key = prefix + name
        default = f"`{_inline(child['default'])}`" if "default" in child else ""
        need = "yes" if name in required else conditions.get(key, "")
        yield KeyDoc(key, _kind(schema, child), default, need, child.get("description", ""))
        yield from _describe(schema, child, key + ".", conditions)


def _conditional_requirements(schema: dict[str, Any]) -> dict[str, str]:
    """Dotted key -> the values of the key under which the schema's ``allOf`` if/then rules require it."""
    values: dict[str, dict[str, list[str]]] = {}
    for rule in schema.get("allOf", []):
        ((name, condition),) = rule["if"]["properties"].items()
        for key in _required_keys(rule["then"], ""):
            values.setdefault(key, {}).setdefault(name, []).append(f"`{condition['const']}`")
    return {
        key: "; ".join(f"when `{name}` is {' or '.join(allowed)}" for name, allowed in by_name.items())
        for key, by_name in values.items()
    }


def _required_keys(node: dict[str, Any], prefix: str) -> Iterator[str]:
    yield from (prefix + name for name in node.get("required", []))
    for name, child in node.get("properties", {}).items():
        yield from _required_keys(child, prefix + name + ".")


def _resolved(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """``node`` with its local ``$ref`` merged in; the node's own keys (e.g. its description) win."""
    if "$ref" not in node:
        return node
    target: Any = schema
    for part in node["$ref"].removeprefix("#/").split("/"):
        target = target[part]
    return {**_resolved(schema, target), **{k: v for k, v in node.items() if k != "$ref"}}


def _kind(schema: dict[str, Any], node: dict[str, Any]) -> str:
    """The allowed values in words: type, bounds, choices, pattern."""
    if "oneOf" in node:
        return " or ".join(_kind(schema, _resolved(schema, option)) for option in node["oneOf"])
    if "enum" in node:
        return ", ".join(f"`{_inline(value)}`" for value in node["enum"])
    kind = node.get("type", "any")
    if kind == "array":
        size = f" {node['minItems']}" if node.get("minItems") == node.get("maxItems", -1) else ""
        distinct = " distinct" if node.get("uniqueItems") else ""
        return f"list of{size}{distinct}: {_kind(schema, _resolved(schema, node.get('items', {})))}"
    if kind == "object":
        return "mapping"
    words = [kind, *_bounds(node)]
    if "pattern" in node:
        words.append(f"matching `{node['pattern']}`")
    return " ".join(words)


def _bounds(node: dict[str, Any]) -> list[str]:
    if "minimum" in node and "maximum" in node:
        return [f"{node['minimum']} to {node['maximum']}"]
    signs = {"minimum": "≥", "exclusiveMinimum": ">", "maximum": "≤"}
    return [f"{sign} {node[name]}" for name, sign in signs.items() if name in node]


def _inline(value: Any) -> str:
    """A value as it is written in the config file (YAML flow style)."""
    return yaml.safe_dump(value, default_flow_style=True, width=1000).removesuffix("...\n").strip()


if __name__ == "__main__":
    print(render(load_schema()), end="")
