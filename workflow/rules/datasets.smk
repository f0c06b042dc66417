# Generated datasets (dataset: waveeq | moving_digits) in place of ERA5's extract -> preprocess -> sequences:
# generate (per split) -> dataset_statistics (training split) -> dataset_sequences (per split), whose
# windows feed the same train and evaluate rules.
DATASET_OPTIONS = config["datasets"][DATASET]


rule generate:
    """Generate one split with the dataset's solver (waveeq, numba) or generator (moving_digits)."""
    output:
        f"{RESULTS}/raw/{{split}}.nc",
    log:
        f"{RESULTS}/logs/generate/{{split}}.log",
    conda:
        "../../envs/ambs.yaml"
    params:
        script=SCRIPTS / "generate_dataset.py",
        dataset=DATASET,
        sequences=lambda wc: DATASET_OPTIONS["sequences"][wc.split],
        frames=lambda wc: config["context_hours"] + split_forecast_hours(config, wc.split),
        seed=config["seed"],
        options=json.dumps({k: v for k, v in DATASET_OPTIONS.items() if k != "sequences"}, sort_keys=True),
    shell:
        "python {params.script} --dataset {params.dataset} --split {wildcards.split} --count {params.sequences}"
        " --frames {params.frames} --seed {params.seed} --options {params.options:q} --out {output} > {log} 2>&1"


rule dataset_statistics:
    """Mean, std, min and max of the generated training split, for normalising every split."""
    input:
        f"{RESULTS}/raw/train.nc",
    output:
        f"{RESULTS}/statistics.json",
    log:
        f"{RESULTS}/logs/dataset_statistics.log",
    conda:
        "../../envs/ambs.yaml"
    params:
        script=SCRIPTS / "dataset_statistics.py",
    shell:
        "python {params.script} --train {input} --out {output} > {log} 2>&1"


rule dataset_sequences:
    """One generated split as normalised windows, in the format of the ERA5 sequences rule."""
    input:
        raw=f"{RESULTS}/raw/{{split}}.nc",
        stats=f"{RESULTS}/statistics.json",
    output:
        directory(f"{RESULTS}/sequences/{{split}}"),
    log:
        f"{RESULTS}/logs/sequences/{{split}}.log",
    conda:
        "../../envs/ambs.yaml"
    params:
        script=SCRIPTS / "dataset_sequences.py",
        normalisation=config["normalisation"],
        context=config["context_hours"],
        forecast=lambda wc: split_forecast_hours(config, wc.split),
    shell:
        "python {params.script} --raw {input.raw} --stats {input.stats} --normalisation {params.normalisation}"
        " --context {params.context} --forecast {params.forecast} --out {output} > {log} 2>&1"
