rule evaluate:
    """Forecast the test split with one run of a model; scores per init time and lead hour and their bootstrap bands."""
    input:
        unpack(evaluation_inputs),
    output:
        metrics=f"{RESULTS}/evaluation/{{run}}/metrics.nc",
        bands=f"{RESULTS}/evaluation/{{run}}/bands.nc",
        forecast=f"{RESULTS}/evaluation/{{run}}/forecast.nc",
        table=f"{RESULTS}/evaluation/{{run}}/metrics.csv",
    log:
        f"{RESULTS}/logs/evaluate/{{run}}.log",
    conda:
        "../../envs/ambs.yaml"
    params:
        script=SCRIPTS / "evaluate.py",
        model=run_model,
        optional=optional_args("weights", "climatology", "history"),
        # the embedded source's seed, for the forecast that the source itself makes (the oracle)
        source=lambda wc: (f"--source-seed {config['seed']}" if "source_seed" in MODELS[run_model(wc)].needs else ""),
        ensemble=lambda wc: config["hyperparameters"].get(run_model(wc), {}).get("ensemble_size", 1),
        seed=lambda wc: config["seed"] if RUNS[wc.run].seed is None else RUNS[wc.run].seed,
        bootstrap=config["bootstrap"],
    shell:
        "python {params.script} --model {params.model} {params.optional} {params.source} --test {input.test} --stats {input.stats}"
        " --metrics {output.metrics} --bands {output.bands} --forecast {output.forecast} --table {output.table}"
        " --ensemble-size {params.ensemble} --seed {params.seed} --block-hours {params.bootstrap[block_hours]}"
        " --resamples {params.bootstrap[resamples]} --bootstrap-seed {params.bootstrap[seed]} > {log} 2>&1"


rule summarize:
    """All models' mean scores per lead hour, over their seeds, in one table (CSV, and Markdown for the README)."""
    input:
        scores=expand(f"{RESULTS}/evaluation/{{run}}/metrics.csv", run=RUNS),
        learned=(expand(f"{RESULTS}/evaluation/{{run}}/learned_distance.csv", run=RUNS) if SIMILARITY else []),
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
    """Skill scores SS = (s - s_ref) / (s_perfect - s_ref) of every model (its seed mean) against every baseline."""
    input:
        expand(f"{RESULTS}/evaluation/{{run}}/metrics.nc", run=RUNS),
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


rule significance:
    """Paired tests of every model (per seed) against the best baseline and each other; the ranking they allow."""
    input:
        expand(f"{RESULTS}/evaluation/{{run}}/metrics.nc", run=RUNS),
    output:
        table=report(
            f"{RESULTS}/evaluation/significance.csv",
            caption="../report/significance.rst",
            category="Scores",
            subcategory="Significance",
        ),
        ranking=report(
            f"{RESULTS}/evaluation/ranking.md",
            caption="../report/ranking.rst",
            category="Scores",
            subcategory="Significance",
        ),
    log:
        f"{RESULTS}/logs/significance.log",
    conda:
        "../../envs/ambs.yaml"
    params:
        script=SCRIPTS / "significance.py",
        baselines=BASELINE_MODELS,
        lag_hours=config["bootstrap"]["block_hours"],  # the correlation time the bootstrap blocks also assume
    shell:
        "python {params.script} --out {output.table} --ranking {output.ranking} --baselines {params.baselines}"
        " --lag-hours {params.lag_hours} --metrics {input} > {log} 2>&1"


rule gap_closed:
    """Per model and lead, the fraction of the gap from the best baseline to the oracle that it closes."""
    input:
        expand(f"{RESULTS}/evaluation/{{run}}/metrics.csv", run=RUNS),
    output:
        f"{RESULTS}/evaluation/gap_closed.csv",
    log:
        f"{RESULTS}/logs/gap_closed.log",
    conda:
        "../../envs/ambs.yaml"
    params:
        script=SCRIPTS / "gap_closed.py",
        baselines=BASELINE_MODELS,
    shell:
        "python {params.script} --out {output} --baselines {params.baselines} --metrics {input} > {log} 2>&1"


rule forecasts:
    """Every model's and baseline's test forecasts (a network's first seed) in one CF netCDF file."""
    input:
        [f"{RESULTS}/evaluation/{run}/forecast.nc" for run in SHOWN_RUNS.values()],
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
