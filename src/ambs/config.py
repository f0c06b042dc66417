"""Configuration: schema validation plus the cross-field checks a JSON schema cannot express.

Every error names the offending key so a user can fix ``config/config.yaml`` directly.
"""

from __future__ import annotations

import calendar
import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from ambs.catalogue import DIGIT_SPRITE_SIZE, FORCINGS, MODELS, SPLITS, Kind

# Shipped inside the package, so an installed (non-editable) ambs validates configs too.
SCHEMA_FILE = "config.schema.yaml"
GRID_STEP = 0.25


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
    def from_mapping(cls, values: dict[str, float]) -> Area:
        return cls(*(float(values[k]) for k in ("north", "west", "south", "east")))

    def contains(self, other: Area) -> bool:
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
    """The config's JSON schema, which allows the names of ``ambs.catalogue.MODELS`` in ``models`` and of
    ``ambs.catalogue.FORCINGS`` in ``forcings``."""
    schema: dict[str, Any] = yaml.safe_load(files("ambs").joinpath(SCHEMA_FILE).read_text(encoding="utf-8"))
    schema["properties"]["models"]["items"]["enum"] = list(MODELS)
    schema["properties"]["forcings"]["items"]["enum"] = list(FORCINGS)
    return schema


def _fill_defaults(
    validator: jsonschema.protocols.Validator, properties: dict[str, Any], instance: Any, schema: dict[str, Any]
) -> Iterator[jsonschema.ValidationError]:
    """Validate ``properties`` after giving each absent key with a schema default that default (a copy)."""
    if validator.is_type(instance, "object"):
        for key, subschema in properties.items():
            if "default" in subschema:
                instance.setdefault(key, copy.deepcopy(subschema["default"]))
    yield from jsonschema.Draft202012Validator.VALIDATORS["properties"](validator, properties, instance, schema)


# The schema's validator that also fills in defaults, so every reader of the config sees them.
_DefaultingValidator = jsonschema.validators.extend(jsonschema.Draft202012Validator, {"properties": _fill_defaults})


def validate_config(config: Any) -> None:
    """Fill in the schema's defaults, then raise ConfigError naming the key if ``config`` breaks the schema or a
    cross-field rule."""
    if not isinstance(config, dict):
        raise ConfigError("config: the top level must be a mapping of keys to values")
    validator = _DefaultingValidator(load_schema())
    errors = sorted(validator.iter_errors(config), key=lambda e: list(e.absolute_path))
    if errors:
        raise ConfigError("\n".join(_describe(error) for error in errors))
    _check_semantics(config)


def _describe(error: jsonschema.ValidationError) -> str:
    key = ".".join(str(p) for p in error.absolute_path) or "<top level>"
    if error.validator == "enum" and isinstance(error.validator_value, list):
        allowed = ", ".join(repr(v) for v in error.validator_value)
        return f"config key '{key}': {error.instance!r} is not allowed; allowed values: {allowed}"
    if error.validator == "additionalProperties" and isinstance(error.schema, Mapping):
        allowed = ", ".join(sorted(error.schema.get("properties", {})))
        return f"config key '{key}': {error.message}; allowed keys: {allowed}"
    if error.validator == "required" and "then" in error.schema_path:
        return f"config key '{key}': {error.message} with the chosen 'dataset'"
    if error.validator == "oneOf":
        return f"config key '{key}': {error.instance!r} must be 'all' or a list of distinct integers in range"
    return f"config key '{key}': {error.message}"


def _check_era5(config: dict[str, Any]) -> None:
    """The ERA5 keys, which only dataset 'era5' uses (other datasets ignore them)."""
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
    references = [m for m in config["models"] if MODELS[m].kind is Kind.REFERENCE]
    if references and config["source"] != "synthetic":
        raise ConfigError(
            f"config key 'models': {references} is the embedded source's own forecast, which only source: synthetic"
            f" has; remove it for source: {config['source']}"
        )
    if config["target"] not in config["variables"]:
        raise ConfigError(f"config key 'target': {config['target']!r} must be one of 'variables' {config['variables']}")
    seen: dict[str, str] = {}
    for split in SPLITS:
        for month in config["months"][split]:
            if month in seen:
                raise ConfigError(f"config key 'months.{split}': {month} is already in months.{seen[month]}")
            seen[month] = split
    for split in SPLITS:
        window = config["context_hours"] + split_forecast_hours(config, split)
        longest = longest_hourly_run(config, config["months"][split])
        if longest < window:
            raise ConfigError(
                f"config key 'context_hours': a window needs context_hours + forecast_hours = {window} consecutive "
                f"hours, but 'days' and 'hours' give at most {longest} in months.{split}"
            )


def longest_hourly_run(config: dict[str, Any], months: list[str]) -> int:
    """The most consecutive hours the configured days and hours give over ``months`` (a run may cross months)."""
    stamps = sorted(
        datetime(int(month[:4]), int(month[5:]), day, hour)
        for month in months
        for day in days_of_month(config, month)
        for hour in hours_of_day(config)
    )
    longest = run = min(len(stamps), 1)
    for before, after in zip(stamps, stamps[1:]):
        run = run + 1 if after - before == timedelta(hours=1) else 1
        longest = max(longest, run)
    return longest


def _check_synthetic(config: dict[str, Any]) -> None:
    """The options of a generated dataset under ``datasets.<name>``, and models that need ERA5."""
    name = dataset_name(config)
    options = config["datasets"][name]
    for key in ("sources", "speed"):
        if key in options and options[key][0] > options[key][1]:
            raise ConfigError(
                f"config key 'datasets.{name}.{key}': minimum {options[key][0]} exceeds maximum {options[key][1]}"
            )
    if name == "moving_digits" and options["size"] <= DIGIT_SPRITE_SIZE:
        raise ConfigError(
            f"config key 'datasets.moving_digits.size': {options['size']} leaves no room to move a "
            f"{DIGIT_SPRITE_SIZE}-pixel digit; use at least {DIGIT_SPRITE_SIZE + 1}"
        )
    if config["forcings"]:
        raise ConfigError(
            f"config key 'forcings': {config['forcings']} need a calendar and geography; dataset {name!r} has "
            "neither, so its forcings must be empty ([] or no key)"
        )
    era5_only = [m for m in config["models"] if MODELS[m].era5_only]
    if era5_only:
        raise ConfigError(f"config key 'models': {era5_only} need ERA5 data; dataset {name!r} has none")


def _check_semantics(config: dict[str, Any]) -> None:
    if dataset_name(config) == "era5":
        _check_era5(config)
    else:
        _check_synthetic(config)
    evaluated = split_forecast_hours(config, "test")
    if evaluated < config["forecast_hours"]:
        raise ConfigError(
            f"config key 'eval_forecast_hours': {config['eval_forecast_hours']} is shorter than forecast_hours "
            f"({config['forecast_hours']}); the evaluation covers at least the trained horizon"
        )
    beyond = [lead for lead in config["plots"]["quantile_leads"] if lead > evaluated]
    if beyond:
        raise ConfigError(
            f"config key 'plots.quantile_leads': leads {beyond} are beyond the {evaluated} evaluated lead hours"
            " (eval_forecast_hours, by default forecast_hours)"
        )
    for model in config["models"]:
        if MODELS[model].has_model_file and model not in config["hyperparameters"]:
            raise ConfigError(f"config key 'hyperparameters.{model}': missing for model {model!r} in 'models'")
        if MODELS[model].kind is Kind.ANALOG and "similarity" not in config["hyperparameters"]:
            raise ConfigError(
                f"config key 'hyperparameters.similarity': missing; model {model!r} retrieves with its encoder"
            )


def dataset_name(config: dict[str, Any]) -> str:
    """The chosen dataset: 'era5' unless ``dataset`` names a generated one."""
    return config.get("dataset", "era5")


def split_forecast_hours(config: dict[str, Any], split: str) -> int:
    """Lead hours of a split's windows: ``eval_forecast_hours`` (default ``forecast_hours``) for the test split."""
    return config.get("eval_forecast_hours", config["forecast_hours"]) if split == "test" else config["forecast_hours"]


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
