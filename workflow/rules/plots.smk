COASTLINE = Path(workflow.basedir).parent / "resources" / "coastline_europe.geojson"
TABLE_TITLES = {
    "metrics_table": "Mean scores per model and lead hour, over the seeds",
    "skill": "Skill scores against the baselines",
    **({"significance": "Paired tests of the models against the best baseline and each other"} if SIGNIFICANCE else {}),
    **({"gap_closed": "Fraction of the gap from the best baseline to the oracle closed"} if GAP_CLOSED else {}),
}


wildcard_constraints:
    case="|".join(EXAMPLE_CASES),
    table="|".join(TABLE_TITLES),


rule plot_metric:
    """One metric against lead time, every model with the range over its seeds (one run: 5-95 % block bootstrap)."""
    input:
        expand(f"{RESULTS}/evaluation/{{run}}/bands.nc", run=RUNS),
    output:
        report(
            f"{RESULTS}/plots/{{metric}}_vs_lead.png",
            caption="../report/metric_vs_lead.rst",
            category="Scores",
            subcategory="Metric vs lead time",
            labels={"metric": "{metric}"},
        ),
    log:
        f"{RESULTS}/logs/plots/{{metric}}_vs_lead.log",
    conda:
        "../../envs/ambs.yaml"
    params:
        script=SCRIPTS / "plot_metric.py",
    shell:
        "python {params.script} --metric {wildcards.metric} --out {output} --bands {input} > {log} 2>&1"


rule plot_example:
    """Maps of context, truth, every model's forecast and its error for the best, median or worst test case."""
    input:
        forecasts=[f"{RESULTS}/evaluation/{run}/forecast.nc" for run in SHOWN_RUNS.values()],
        coastline=COASTLINE if ERA5 else [],  # generated datasets are not on the Earth: plain images
    output:
        report(
            f"{RESULTS}/plots/example_{{case}}.png",
            caption="../report/example_forecast.rst",
            category="Forecasts",
            subcategory="Example maps",
            labels={"case": "{case}"},
        ),
    log:
        f"{RESULTS}/logs/plots/example_{{case}}.log",
    conda:
        "../../envs/ambs.yaml"
    params:
        script=SCRIPTS / "plot_example.py",
        coastline=lambda wildcards, input: f"--coastline {input.coastline}" if input.coastline else "",
    shell:
        "python {params.script} --case {wildcards.case} {params.coastline} --out {output}"
        " {input.forecasts} > {log} 2>&1"


rule plot_quantiles:
    """Calibration-refinement and likelihood-base-rate diagrams of one model (its first seed) at the configured leads."""
    input:
        lambda wc: f"{RESULTS}/evaluation/{SHOWN_RUNS[wc.model]}/forecast.nc",
    output:
        report(
            f"{RESULTS}/plots/quantiles_{{model}}.png",
            caption="../report/quantiles.rst",
            category="Diagnostics",
            subcategory="Conditional quantiles",
            labels={"model": "{model}"},
        ),
    log:
        f"{RESULTS}/logs/plots/quantiles_{{model}}.log",
    conda:
        "../../envs/ambs.yaml"
    params:
        script=SCRIPTS / "plot_quantiles.py",
        leads=config["plots"]["quantile_leads"],
    shell:
        "python {params.script} --leads {params.leads} --out {output} {input} > {log} 2>&1"


rule plot_training:
    """Training and validation loss (and every other logged quantity) per epoch of one trained model, every seed."""
    input:
        expand(f"{RESULTS}/models/{{{{model}}}}/seed{{seed}}/history.csv", seed=SEEDS),
    output:
        report(
            f"{RESULTS}/plots/training_{{model}}.png",
            caption="../report/training.rst",
            category="Training",
            labels={"model": "{model}"},
        ),
    log:
        f"{RESULTS}/logs/plots/training_{{model}}.log",
    conda:
        "../../envs/ambs.yaml"
    params:
        script=SCRIPTS / "plot_training.py",
        seeds=SEEDS,
    shell:
        "python {params.script} --model {wildcards.model} --out {output} --seeds {params.seeds} --histories {input} > {log} 2>&1"


rule table_html:
    """A CSV table of the evaluation as an HTML page, so the report shows it rather than offering a download."""
    input:
        f"{RESULTS}/evaluation/{{table}}.csv",
    output:
        report(
            f"{RESULTS}/evaluation/{{table}}.html",
            caption="../report/table.rst",
            category="Scores",
            subcategory="Tables",
            labels={"table": "{table}"},
        ),
    log:
        f"{RESULTS}/logs/plots/{{table}}_html.log",
    conda:
        "../../envs/ambs.yaml"
    params:
        script=SCRIPTS / "table_html.py",
        title=lambda wildcards: TABLE_TITLES[wildcards.table],
    shell:
        "python {params.script} --title {params.title:q} --out {output} {input} > {log} 2>&1"
