"""Configuration: schema validation plus the cross-field checks a JSON schema cannot express.

Every error names the offending key so a user can fix ``config/config.yaml`` directly.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from ambs.models.kinds import is_trained

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "workflow" / "schemas" / "config.schema.yaml"
GRID_STEP = 0.25
SPLITS = ("train", "val", "test")


class ConfigError(ValueError):
    """A configuration value is wrong; the message names the key."""


@dataclass(frozen=True)
class Area:
    """A lat/lon box in the CDS convention (north, west, south, east), degrees."""

    north: float
    west: float
    south: float
    east: float

    @classmethod
    def from_mapping(cls, values: dict[str, float]) -> "Area":
        return cls(*(float(values[k]) for k in ("north", "west", "south", "east")))

    def contains(self, other: "Area") -> bool:
        return (
            self.south <= other.south
            and other.north <= self.north
            and self.west <= other.west
            and other.east <= self.east
        )

    def as_cds(self) -> list[float]:
        return [self.north, self.west, self.south, self.east]


def load_config(path: str | Path) -> dict[str, Any]:
    """Read a YAML config and validate it completely."""
    with open(path, encoding="utf-8") as handle:
        config = yaml.safe_load(handle)
    validate_config(config)
    return config


def load_schema() -> dict[str, Any]:
    with open(SCHEMA_PATH, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def validate_config(config: Any) -> None:
    """Raise ConfigError naming the key if ``config`` breaks the schema or a cross-field rule."""
    if not isinstance(config, dict):
        raise ConfigError("config: the top level must be a mapping of keys to values")
    validator = jsonschema.Draft202012Validator(load_schema())
    errors = sorted(validator.iter_errors(config), key=lambda e: list(e.absolute_path))
    if errors:
        raise ConfigError("\n".join(_describe(error) for error in errors))
    _check_semantics(config)


def _describe(error: jsonschema.ValidationError) -> str:
    key = ".".join(str(p) for p in error.absolute_path) or "<top level>"
    if error.validator == "enum":
        allowed = ", ".join(repr(v) for v in error.validator_value)
        return f"config key '{key}': {error.instance!r} is not allowed; allowed values: {allowed}"
    if error.validator == "additionalProperties":
        allowed = ", ".join(sorted(error.schema.get("properties", {})))
        return f"config key '{key}': {error.message}; allowed keys: {allowed}"
    if error.validator == "oneOf":
        return f"config key '{key}': {error.instance!r} must be 'all' or a list of distinct integers in range"
    return f"config key '{key}': {error.message}"


def _check_semantics(config: dict[str, Any]) -> None:
    for key in ("domain", "region"):
        area = Area.from_mapping(config[key])
        if area.north <= area.south:
            raise ConfigError(f"config key '{key}': north ({area.north}) must be greater than south ({area.south})")
        if area.east <= area.west:
            raise ConfigError(f"config key '{key}': east ({area.east}) must be greater than west ({area.west})")
        for side, value in zip(("north", "west", "south", "east"), area.as_cds()):
            if abs(value / GRID_STEP - round(value / GRID_STEP)) > 1e-9:
                raise ConfigError(f"config key '{key}.{side}': {value} is not on the {GRID_STEP} degree ERA5 grid")
    if not Area.from_mapping(config["domain"]).contains(Area.from_mapping(config["region"])):
        raise ConfigError("config key 'region': the region must lie inside 'domain' (the extracted area)")
    if config["target"] not in config["variables"]:
        raise ConfigError(
            f"config key 'target': {config['target']!r} must be one of 'variables' {config['variables']}"
        )
    seen: dict[str, str] = {}
    for split in SPLITS:
        for month in config["months"][split]:
            if month in seen:
                raise ConfigError(f"config key 'months.{split}': {month} is already in months.{seen[month]}")
            seen[month] = split
    for model in config["models"]:
        if is_trained(model) and model not in config["hyperparameters"]:
            raise ConfigError(f"config key 'hyperparameters.{model}': missing for model {model!r} in 'models'")


def all_months(config: dict[str, Any]) -> list[str]:
    """Every month of every split, in split order (train, val, test)."""
    return [m for split in SPLITS for m in config["months"][split]]


def days_of_month(config: dict[str, Any], month: str) -> list[int]:
    """The configured days that exist in ``month`` (YYYY-MM); day 31 is skipped in 30-day months."""
    year, mon = (int(p) for p in month.split("-"))
    ndays = calendar.monthrange(year, mon)[1]
    days = range(1, ndays + 1) if config["days"] == "all" else config["days"]
    return sorted(d for d in days if d <= ndays)


def hours_of_day(config: dict[str, Any]) -> list[int]:
    return list(range(24)) if config["hours"] == "all" else sorted(config["hours"])
