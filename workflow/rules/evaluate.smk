rule evaluate:
    """Forecast the test split with one model and score it per init time and lead hour."""
    input:
        unpack(evaluation_inputs),
    output:
        metrics=f"{RESULTS}/evaluation/{{model}}/metrics.nc",
        forecast=f"{RESULTS}/evaluation/{{model}}/forecast.nc",
        table=f"{RESULTS}/evaluation/{{model}}/metrics.csv",
    params:
        script=SCRIPTS / "evaluate.py",
        weights=lambda wc, input: f"--weights {input.weights}" if "weights" in input.keys() else "",
        ensemble=lambda wc: config["hyperparameters"].get(wc.model, {}).get("ensemble_size", 1),
        seed=config["seed"],
    log:
        f"{RESULTS}/logs/evaluate/{{model}}.log",
    conda:
        "../../envs/ambs.yaml"
    container:
        CPU_IMAGE
    shell:
        "python {params.script} --model {wildcards.model} {params.weights} --test {input.test}"
        " --stats {input.stats} --climatology {input.climatology} --metrics {output.metrics}"
        " --forecast {output.forecast} --table {output.table} --ensemble-size {params.ensemble}"
        " --seed {params.seed} > {log} 2>&1"


rule summarize:
    """All models' mean scores per lead hour in one table (CSV, and Markdown for the README)."""
    input:
        expand(f"{RESULTS}/evaluation/{{model}}/metrics.csv", model=config["models"]),
    output:
        csv=report(
            f"{RESULTS}/evaluation/metrics_table.csv",
            caption="../report/metrics_table.rst",
            category="Scores",
        ),
        markdown=f"{RESULTS}/evaluation/metrics_table.md",
    params:
        script=SCRIPTS / "summarize.py",
    log:
        f"{RESULTS}/logs/summarize.log",
    conda:
        "../../envs/ambs.yaml"
    container:
        CPU_IMAGE
    shell:
        "python {params.script} --csv {output.csv} --markdown {output.markdown} {input} > {log} 2>&1"
