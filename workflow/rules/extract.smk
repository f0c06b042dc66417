# Every CDS extract job holds one `cds` slot while its requests queue and download, and the workflow has
# `cds_parallel` slots (a global resource, counted over all jobs, local or on the cluster) unless the
# command line gives `--resources cds=N`.
workflow.global_resources.setdefault("cds", config["cds_parallel"])


rule extract:
    """Download (cds) or generate (synthetic) one month of ERA5 exactly as the CDS delivers it.

    With the CDS it runs on the submitting host, which has internet where compute nodes often do not.
    """
    output:
        [f"{RESULTS}/raw/{{month}}/{name}" for name in RAW_FILES],
    log:
        f"{RESULTS}/logs/extract/{{month}}.log",
    localrule: config["source"] == "cds"
    conda:
        "../../envs/ambs.yaml"
    resources:
        cds=1 if config["source"] == "cds" else 0,
    params:
        script=SCRIPTS / "extract.py",
        source=config["source"],
        seed=config["seed"],
        variables=" ".join(config["variables"]),
        area=area_args(config["domain"]),
        days=lambda wc: " ".join(map(str, days_of_month(config, wc.month))),
        hours=" ".join(map(str, hours_of_day(config))),
        outdir=lambda wc: f"{RESULTS}/raw/{wc.month}",
    shell:
        "python {params.script} --source {params.source} --seed {params.seed} --month {wildcards.month}"
        " --variables {params.variables} --area {params.area} --days {params.days} --hours {params.hours}"
        " --outdir {params.outdir} > {log} 2>&1"


rule extract_static:
    """Download (cds) or generate (synthetic) ERA5's invariants over the domain: the fields of the static forcings."""
    output:
        f"{RESULTS}/raw/{STATIC_FILENAME}",
    log:
        f"{RESULTS}/logs/extract/static.log",
    localrule: config["source"] == "cds"
    conda:
        "../../envs/ambs.yaml"
    params:
        script=SCRIPTS / "extract_static.py",
        source=config["source"],
        seed=config["seed"],
        area=area_args(config["domain"]),
        outdir=lambda wc, output: Path(output[0]).parent,
    shell:
        "python {params.script} --source {params.source} --seed {params.seed} --area {params.area}"
        " --outdir {params.outdir} > {log} 2>&1"
