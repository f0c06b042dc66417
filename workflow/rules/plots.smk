rule plot_metric:
    """One metric against lead time, every model on one axis."""
    input:
        expand(f"{RESULTS}/evaluation/{{model}}/metrics.nc", model=config["models"]),
    output:
        report(
            f"{RESULTS}/plots/{{metric}}_vs_lead.png",
            caption="../report/metric_vs_lead.rst",
            category="Scores",
            subcategory="Metric vs lead time",
            labels={"metric": "{metric}"},
        ),
    params:
        script=SCRIPTS / "plot_metric.py",
    log:
        f"{RESULTS}/logs/plots/{{metric}}_vs_lead.log",
    conda:
        "../../envs/ambs.yaml"
    container:
        CPU_IMAGE
    shell:
        "python {params.script} --metric {wildcards.metric} --out {output} {input} > {log} 2>&1"


rule plot_example:
    """Maps of truth and every model's forecast over the lead hours for one test case."""
    input:
        expand(f"{RESULTS}/evaluation/{{model}}/forecast.nc", model=config["models"]),
    output:
        report(
            f"{RESULTS}/plots/example_forecast.png",
            caption="../report/example_forecast.rst",
            category="Forecasts",
        ),
    params:
        script=SCRIPTS / "plot_example.py",
    log:
        f"{RESULTS}/logs/plots/example_forecast.log",
    conda:
        "../../envs/ambs.yaml"
    container:
        CPU_IMAGE
    shell:
        "python {params.script} --out {output} {input} > {log} 2>&1"
