rule preprocess:
    """Crop all months to the region and compute training statistics, in parallel with MPI."""
    input:
        [f"{RESULTS}/raw/{month}/{name}" for month in MONTHS for name in RAW_FILES],
    output:
        cropped=[f"{RESULTS}/cropped/{month}.nc" for month in MONTHS],
        stats=f"{RESULTS}/statistics.json",
    log:
        f"{RESULTS}/logs/preprocess.log",
    conda:
        "../../envs/ambs.yaml"
    threads: config["mpi_tasks"]
    resources:
        mpi="mpiexec",
        tasks=config["mpi_tasks"],
    params:
        script=SCRIPTS / "preprocess.py",
        variables=" ".join(config["variables"]),
        region=area_args(config["region"]),
        months=" ".join(MONTHS),
        train=" ".join(config["months"]["train"]),
        raw_root=lambda wc, input: Path(input[0]).parents[1],
        out_root=lambda wc, output: Path(output.cropped[0]).parent,
    shell:
        "{resources.mpi} -n {resources.tasks} python {params.script} --variables {params.variables}"
        " --region {params.region} --months {params.months} --train-months {params.train}"
        " --raw-root {params.raw_root} --out-root {params.out_root} --stats {output.stats} > {log} 2>&1"


rule climatology:
    """Month x hour-of-day climatology of the target over the training months (baseline and ACC reference)."""
    input:
        cropped("train"),
    output:
        f"{RESULTS}/climatology.nc",
    log:
        f"{RESULTS}/logs/climatology.log",
    conda:
        "../../envs/ambs.yaml"
    params:
        script=SCRIPTS / "climatology.py",
        target=config["target"],
    shell:
        "python {params.script} --variable {params.target} --out {output} {input} > {log} 2>&1"
