"""The benchmark's vocabulary in one place: its metrics, models, forcings, splits, similarity views and example cases.

Adding a metric or a model is one entry here plus its implementation, keyed by the entry's name: a
metric's function in ``ambs.evaluation.scoring.METRIC_FUNCTIONS``, a network's builder in
``ambs.models.registry.BUILDERS``, a baseline's or reference's forecast in
``ambs.evaluation.scoring.BASELINE_FORECASTS``.
The rules, the config checks, evaluation, skill and plots read the entries; tests/test_catalogue.py
checks that every entry has its implementation. Snakemake imports this module while it parses the
workflow, so it imports the standard library only.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


@dataclass(frozen=True)
class Metric:
    """A score of one forecast field (one init time, one lead hour) against the truth.

    Both spellings of its units come from ``unit_power``: files keep CF's ASCII ('K2'), figures typeset it ('K²').
    """

    name: str
    label: str  # in figure titles and axis labels
    unit_power: int  # power of the target's unit the score carries: 2 for MSE, 1 for RMSE, 0 dimensionless
    perfect: float | None  # a perfect forecast's score, the s_perfect of skill; None: no skill (bias, PSNR, ...)
    geographic: bool = False  # needs the ERA5 climatology or latitudes, which generated datasets lack
    ensemble: bool = False  # needs a stochastic model's members
    plotted: bool = True  # drawn against lead time by rule plot_metric
    fixed_units: str | None = None  # units of its own instead of a power of the target's (PSNR: dB)

    def units(self, target: str) -> str:
        """CF units of the score of a target in ``target`` units, as metrics.nc and bands.nc store them ('K2')."""
        if self.fixed_units is not None:
            return self.fixed_units
        if self.unit_power == 0:
            return "1"
        if self.unit_power == 1:
            return target
        return f"{target}{self.unit_power}" if target.isalpha() else f"({target})**{self.unit_power}"

    def axis_label(self, target: str) -> str:
        """The label with the units of a target in ``target`` units as typeset in figures ('MSE [K²]')."""
        if self.fixed_units is not None:
            return f"{self.label} [{self.fixed_units}]"
        if self.unit_power == 0 or target in ("", "1"):  # "1": CF's dimensionless unit
            return self.label
        if self.unit_power == 1:
            return f"{self.label} [{target}]"
        base = target if target.isalpha() else f"({target})"
        return f"{self.label} [{base}{str(self.unit_power).translate(SUPERSCRIPT)}]"


# In the order of the columns of metrics.nc and metrics_table.csv.
METRICS: dict[str, Metric] = {
    m.name: m
    for m in (
        Metric("mse", "MSE", 2, 0.0),
        Metric("rmse", "RMSE", 1, 0.0),
        Metric("bias", "bias", 1, None),
        Metric("mae", "MAE", 1, 0.0),
        Metric("psnr", "PSNR", 0, None, fixed_units="dB"),
        Metric("ssim", "SSIM", 0, 1.0),
        Metric("gradient_ratio", "gradient ratio", 0, None),
        Metric("acc", "ACC", 0, 1.0, geographic=True),
        Metric("rmse_latw", "latitude-weighted RMSE", 1, 0.0, geographic=True),
        # only stochastic models have it, so a figure of it would be empty without one
        Metric("spread", "ensemble spread", 1, None, ensemble=True, plotted=False),
    )
}


class Kind(enum.Enum):
    """How a model comes to forecast."""

    NETWORK = "network"  # fitted by rule train
    ANALOG = "analog"  # built without gradient training by rule build_analog, with the context view's encoder
    BASELINE = "baseline"  # computed at evaluation from the context and the references, no model file
    # computed at evaluation like a baseline, but from what no forecaster is given (the source's own dynamics):
    # a bound on the scores, not a competitor
    REFERENCE = "reference"


@dataclass(frozen=True)
class Model:
    """A forecaster that the config's ``models`` may name."""

    name: str
    kind: Kind
    # Data beyond the test windows that its forecast reads (fields of ambs.evaluation.scoring.References):
    # "climatology" (the training months' month x hour-of-day mean), "history" (the cropped test months).
    needs: tuple[str, ...] = ()
    stochastic: bool = False  # forecasts an ensemble, scored by its mean and its spread

    @property
    def has_model_file(self) -> bool:
        """Evaluated from a models/<name>/model.keras, whose hyperparameters the config holds."""
        return self.kind not in (Kind.BASELINE, Kind.REFERENCE)

    @property
    def has_train_job(self) -> bool:
        """Fitted by rule train, which also writes its history.csv."""
        return self.kind is Kind.NETWORK

    @property
    def competes(self) -> bool:
        """Ranked by the benchmark: neither a baseline it is measured against nor a reference that bounds it."""
        return self.kind in (Kind.NETWORK, Kind.ANALOG)

    @property
    def seeded(self) -> bool:
        """Trained once per seed of the config's ``seeds``: its scores vary with the seed, the others' do not."""
        return self.kind is Kind.NETWORK

    @property
    def era5_only(self) -> bool:
        """Every reference a model needs is ERA5 data, which a generated dataset does not have."""
        return bool(self.needs)


MODELS: dict[str, Model] = {
    m.name: m
    for m in (
        Model("convlstm", Kind.NETWORK),
        Model("savp", Kind.NETWORK, stochastic=True),
        Model("mcnet", Kind.NETWORK),
        Model("pde", Kind.NETWORK),
        Model("analog", Kind.ANALOG),
        Model("persistence", Kind.BASELINE),  # the last observed hour
        Model("persistence24", Kind.BASELINE, needs=("history",)),  # yesterday's weather
        Model("climatology", Kind.BASELINE, needs=("climatology",)),
        # the embedded source's own forecast from all it knows at init (source: synthetic only)
        Model("oracle", Kind.REFERENCE, needs=("source_seed",)),
    )
}
BASELINES = tuple(name for name, model in MODELS.items() if model.kind is Kind.BASELINE)

# Forcings a config's ``forcings`` may name: what is known of every hour in advance, fed to the networks as
# channels after the variables. Their fields: ``ambs.sequences.forcings.FORCINGS`` (computed from the calendar
# and the position) and the ERA5 invariants ``ambs.extraction.variables.STATIC_FIELDS`` (raw/static.nc).
TIME_FORCINGS = (
    "toa_incident_solar_radiation",
    "cos_solar_zenith",
    "sin_local_time",
    "cos_local_time",
    "sin_day_of_year",
    "cos_day_of_year",
)
STATIC_FORCINGS = ("lsm", "z")  # land-sea mask, surface geopotential (orography)
FORCINGS = TIME_FORCINGS + STATIC_FORCINGS


@dataclass(frozen=True)
class Run:
    """One instance of a model that is trained or computed and then scored: a network once per seed."""

    model: str
    seed: int | None = None  # None: a model whose forecast does not depend on a seed

    @property
    def name(self) -> str:
        """Its folder under models/ and evaluation/: '<model>/seed<seed>', or '<model>' without a seed."""
        return self.model if self.seed is None else f"{self.model}/seed{self.seed}"


def runs(models: list[str], seeds: list[int]) -> list[Run]:
    """Every run of ``models``, in their order: a seeded model once per seed, every other model once."""
    return [Run(model, seed) for model in models for seed in (seeds if MODELS[model].seeded else [None])]


SPLITS = ("train", "val", "test")  # every split its own months (ERA5) or random stream (generated datasets)

# Parts of a window that a similarity encoder compares: "context" (the context hours of every variable;
# the analog search and the query plot) and "target" (the forecast hours of the target alone; the
# learned forecast metric).
VIEWS = ("context", "target")

# Side of a moving digit in pixels (scikit-learn's 8x8 digits drawn with 2x2 pixels): the config check of
# datasets.moving_digits.size needs it before any generator is imported.
DIGIT_SPRITE_SIZE = 16

# Example-map case name -> quantile of the per-init MSE it shows.
EXAMPLE_CASES = {"best": 0.0, "median": 0.5, "worst": 1.0}
