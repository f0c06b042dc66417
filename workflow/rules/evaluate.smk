rule evaluate:
    """Forecast the test split with one model; scores per init time and lead hour and their bootstrap bands."""
    input:
        unpack(evaluation_inputs),
    output:
        metrics=f"{RESULTS}/evaluation/{{model}}/metrics.nc",
        bands=f"{RESULTS}/evaluation/{{model}}/bands.nc",
        forecast=f"{RESULTS}/evaluation/{{model}}/forecast.nc",
        table=f"{RESULTS}/evaluation/{{model}}/metrics.csv",
    log:
        f"{RESULTS}/logs/evaluate/{{model}}.log",
    conda:
        "../../envs/ambs.yaml"
    params:
        script=SCRIPTS / "evaluate.py",
        optional=optional_args("weights", "climatology", "history"),
        ensemble=lambda wc: config["hyperparameters"].get(wc.model, {}).get("ensemble_size", 1),
        seed=config["seed"],
        bootstrap=config["bootstrap"],
    shell:
        "python {params.script} --model {wildcards.model} {params.optional} --test {input.test} --stats {input.stats}"
        " --metrics {output.metrics} --bands {output.bands} --forecast {output.forecast} --table {output.table}"
        " --ensemble-size {params.ensemble} --seed {params.seed} --block-hours {params.bootstrap[block_hours]}"
        " --resamples {params.bootstrap[resamples]} --bootstrap-seed {params.bootstrap[seed]} > {log} 2>&1"


rule summarize:
    """All models' mean scores per lead hour in one table (CSV, and Markdown for the README)."""
    input:
        scores=expand(f"{RESULTS}/evaluation/{{model}}/metrics.csv", model=config["models"]),
        learned=(
            expand(f"{RESULTS}/evaluation/{{model}}/learned_distance.csv", model=config["models"])
            if SIMILARITY
            else []
        ),
    output:
        csv=report(
            f"{RESULTS}/evaluation/metrics_table.csv",
            caption="../report/metrics_table.rst",
            category="Scores",
        ),
        markdown=f"{RESULTS}/evaluation/metrics_table.md",
    log:
        f"{RESULTS}/logs/summarize.log",
    conda:
        "../../envs/ambs.yaml"
    params:
        script=SCRIPTS / "summarize.py",
    shell:
        "python {params.script} --csv {output.csv} --markdown {output.markdown} --learned {input.learned} -- {input.scores} > {log} 2>&1"


rule skill:
    """Skill scores SS = (s - s_ref) / (s_perfect - s_ref) of every model against every configured baseline."""
    input:
        expand(f"{RESULTS}/evaluation/{{model}}/metrics.nc", model=config["models"]),
    output:
        f"{RESULTS}/evaluation/skill.csv",
    log:
        f"{RESULTS}/logs/skill.log",
    conda:
        "../../envs/ambs.yaml"
    params:
        script=SCRIPTS / "skill.py",
        baselines=BASELINE_MODELS,
    shell:
        "python {params.script} --out {output} --baselines {params.baselines} --metrics {input} > {log} 2>&1"


rule forecasts:
    """Every model's and baseline's test forecasts in one CF netCDF file with a model dimension."""
    input:
        expand(f"{RESULTS}/evaluation/{{model}}/forecast.nc", model=config["models"]),
    output:
        f"{RESULTS}/evaluation/forecasts.nc",
    log:
        f"{RESULTS}/logs/forecasts.log",
    conda:
        "../../envs/ambs.yaml"
    params:
        script=SCRIPTS / "forecasts.py",
    shell:
        "python {params.script} --out {output} {input} > {log} 2>&1"


COMPARED_RESULTS = config.get("compare", [RESULTS])  # result folders of finished experiments


rule compare:
    """Skill of finished experiments side by side: snakemake compare --config compare='[results/a, results/b]'."""
    input:
        [f"{folder}/evaluation/skill.csv" for folder in COMPARED_RESULTS],
    output:
        csv="results/comparison/skill.csv",
        markdown="results/comparison/skill.md",
    log:
        "results/comparison/compare.log",
    conda:
        "../../envs/ambs.yaml"
    params:
        script=SCRIPTS / "compare.py",
        folders=COMPARED_RESULTS,
    shell:
        "python {params.script} --csv {output.csv} --markdown {output.markdown} {params.folders} > {log} 2>&1"
