rule sequences:
    """Normalised sliding windows of one split, the forcings after the variables, as TFRecord shards."""
    input:
        unpack(sequences_inputs),
    output:
        directory(f"{RESULTS}/sequences/{{split}}"),
    log:
        f"{RESULTS}/logs/sequences/{{split}}.log",
    conda:
        "../../envs/ambs.yaml"
    params:
        script=SCRIPTS / "sequences.py",
        variables=" ".join(config["variables"]),
        target=config["target"],
        context=config["context_hours"],
        forecast=lambda wc: split_forecast_hours(config, wc.split),  # test: eval_forecast_hours
        stride=config["stride_hours"],
        normalisation=config["normalisation"],
        forcings=" ".join(config["forcings"]),
        optional=optional_args("static", "climatology"),
    shell:
        "python {params.script} --split {wildcards.split} --stats {input.stats} --out {output}"
        " --variables {params.variables} --target {params.target} --context {params.context}"
        " --forecast {params.forecast} --stride {params.stride} --normalisation {params.normalisation}"
        " --forcings {params.forcings} {params.optional} {input.months} > {log} 2>&1"
