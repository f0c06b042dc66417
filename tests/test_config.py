"""Config validation: shipped configs pass, wrong ones fail naming the key."""

from __future__ import annotations

from typing import Any

import pytest

from ambs.config import ConfigError, all_months, days_of_month, hours_of_day, load_config, validate_config
from conftest import ROOT


@pytest.mark.parametrize("name", ["config.yaml", "test.yaml"])
def test_shipped_configs_are_valid(name: str) -> None:
    load_config(ROOT / "config" / name)


def _set(config: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    for key in parents:
        config = config[key]
    if value is _DELETE:
        del config[last]
    else:
        config[last] = value


_DELETE = object()

WRONG = [
    ("source", "ftp", "source", "allowed values: 'synthetic', 'cds'"),
    ("regoin", {"north": 1}, "<top level>", "'regoin' was unexpected"),
    ("variables", ["t2m", "rain"], "variables.1", "allowed values"),
    ("target", "msl2", "target", "allowed values"),
    ("models", ["convlstm", "gpt"], "models.1", "allowed values"),
    ("months.train", ["2017-13"], "months.train.0", "does not match"),
    ("months.test", [], "months.test", "should be non-empty"),
    ("context_hours", 0, "context_hours", "less than the minimum"),
    ("forecast_hours", "12", "forecast_hours", "not of type 'integer'"),
    ("region.north", 95, "region.north", "greater than the maximum"),
    ("domain.west", _DELETE, "domain", "'west' is a required property"),
    ("days", [0], "days", "'all' or a list"),
    ("hours", "some", "hours", "'all' or a list"),
    ("hyperparameters.convlstm.kernel_size", 4, "hyperparameters.convlstm.kernel_size", "allowed values"),
    ("mpi_tasks", 0, "mpi_tasks", "less than the minimum"),
    ("experiment", "my run", "experiment", "does not match"),
]


@pytest.mark.parametrize(("key", "value", "named", "says"), WRONG, ids=[w[0] for w in WRONG])
def test_schema_errors_name_the_key(default_config: dict, key: str, value: Any, named: str, says: str) -> None:
    _set(default_config, key, value)
    with pytest.raises(ConfigError) as error:
        validate_config(default_config)
    assert f"config key '{named}'" in str(error.value)
    assert says in str(error.value)


SEMANTIC = [
    ("region.south", 57.0, "region", "north"),
    ("region.east", 20.0, "region", "inside 'domain'"),
    ("region.west", 4.1, "region.west", "0.25 degree"),
    ("target", "msl", "target", None),
    ("months.val", ["2017-06"], "months.val", "already in months.train"),
]


@pytest.mark.parametrize(("key", "value", "named", "says"), SEMANTIC, ids=[s[0] for s in SEMANTIC])
def test_cross_field_errors_name_the_key(default_config: dict, key: str, value: Any, named: str, says: str | None) -> None:
    if key == "target":
        default_config["variables"] = ["t2m", "z500"]
    _set(default_config, key, value)
    with pytest.raises(ConfigError) as error:
        validate_config(default_config)
    assert f"config key '{named}'" in str(error.value)
    if says:
        assert says in str(error.value)


def test_missing_hyperparameters_for_a_trained_model(default_config: dict) -> None:
    default_config["hyperparameters"] = {}
    with pytest.raises(ConfigError, match="hyperparameters.convlstm"):
        validate_config(default_config)


def test_month_helpers(default_config: dict) -> None:
    assert all_months(default_config)[0] == default_config["months"]["train"][0]
    assert all_months(default_config)[-1] == default_config["months"]["test"][-1]
    default_config["days"] = [1, 30, 31]
    assert days_of_month(default_config, "2017-06") == [1, 30]
    assert days_of_month(default_config, "2017-07") == [1, 30, 31]
    assert hours_of_day(default_config) == list(range(24))
