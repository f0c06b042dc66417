# Learned similarity (README "Similarity"): two Siamese encoders with their learned distance, trained
# self-supervised on the training windows, one per view of ambs.catalogue.VIEWS. The rules run when
# hyperparameters.similarity is configured; the analog model needs them.
QUERY_MATCHES = 5  # training windows shown next to the query
SIMILARITY_OUTPUTS = (
    [
        f"{RESULTS}/similarity/scores.csv",
        f"{RESULTS}/similarity/scores.png",
        f"{RESULTS}/plots/similarity_query.png",
        *expand(f"{RESULTS}/evaluation/{{run}}/learned_distance.nc", run=RUNS),
    ]
    if SIMILARITY
    else []
)
SIMILARITY_MODEL = f"{RESULTS}/models/similarity/{{view}}/distance.keras"  # a LearnedDistance, encoder included


rule train_similarity:
    """Fit one view's encoder (SCE) and learned-distance weights on the training windows; resumes if interrupted."""
    input:
        train=f"{RESULTS}/sequences/train",
    output:
        distance=SIMILARITY_MODEL,
        history=f"{RESULTS}/models/similarity/{{view}}/history.csv",
    log:
        f"{RESULTS}/logs/train_similarity/{{view}}.log",
    wildcard_constraints:
        view="|".join(VIEWS),
    conda:
        "../../envs/ambs.yaml"
    container:
        GPU_IMAGE
    threads: workflow.cores or 1
    params:
        script=SCRIPTS / "train_similarity.py",
        hyper=lambda wc: json.dumps(SIMILARITY, sort_keys=True),
        seed=config["seed"],
        workdir=lambda wc: f"{RESULTS}/models/similarity/{wc.view}/work",
    shell:
        "python {params.script} --view {wildcards.view} --hyper {params.hyper:q} --seed {params.seed}"
        " --train {input.train} --out {output.distance} --history {output.history} --workdir {params.workdir} > {log} 2>&1"


rule build_analog:
    """The analog model: every training window's context embedded by the context encoder, with its successor."""
    input:
        train=f"{RESULTS}/sequences/train",
        distance=SIMILARITY_MODEL.format(view="context"),
    output:
        f"{RESULTS}/models/analog/model.keras",
    log:
        f"{RESULTS}/logs/build_analog.log",
    conda:
        "../../envs/ambs.yaml"
    params:
        script=SCRIPTS / "build_analog.py",
        k=lambda wc: config["hyperparameters"]["analog"]["k"],
    shell:
        "python {params.script} --distance {input.distance} --train {input.train} --k {params.k} --out {output} > {log} 2>&1"


rule evaluate_similarity:
    """The metric itself on the test windows: LSiM perturbation protocol (Spearman) and retrieval top-1/top-5."""
    input:
        test=f"{RESULTS}/sequences/test",
        context=SIMILARITY_MODEL.format(view="context"),
        target=SIMILARITY_MODEL.format(view="target"),
    output:
        table=report(
            f"{RESULTS}/similarity/scores.csv",
            caption="../report/similarity_scores.rst",
            category="Similarity",
        ),
        plot=report(
            f"{RESULTS}/similarity/scores.png",
            caption="../report/similarity_scores.rst",
            category="Similarity",
        ),
    log:
        f"{RESULTS}/logs/evaluate_similarity.log",
    conda:
        "../../envs/ambs.yaml"
    params:
        script=SCRIPTS / "evaluate_similarity.py",
        protocol=lambda wc: SIMILARITY["protocol_windows"],
        neighbour=lambda wc: SIMILARITY["neighbour_hours"],
        seed=config["seed"],
    shell:
        "python {params.script} --test {input.test} --context-distance {input.context} --target-distance {input.target}"
        " --protocol-windows {params.protocol} --neighbour-hours {params.neighbour} --seed {params.seed}"
        " --table {output.table} --plot {output.plot} > {log} 2>&1"


rule score_learned_distance:
    """The learned distance between one run's forecasts and the truth, per init time and lead hour."""
    input:
        **ANOMALY_REFERENCE,
        forecast=f"{RESULTS}/evaluation/{{run}}/forecast.nc",
        test=f"{RESULTS}/sequences/test",
        stats=f"{RESULTS}/statistics.json",
        distance=SIMILARITY_MODEL.format(view="target"),
    output:
        netcdf=f"{RESULTS}/evaluation/{{run}}/learned_distance.nc",
        table=f"{RESULTS}/evaluation/{{run}}/learned_distance.csv",
    log:
        f"{RESULTS}/logs/score_learned_distance/{{run}}.log",
    conda:
        "../../envs/ambs.yaml"
    params:
        script=SCRIPTS / "score_learned_distance.py",
        climatology=optional_args("climatology"),
        model=run_model,
    shell:
        "python {params.script} --model {params.model} --forecast {input.forecast} --test {input.test}"
        " --stats {input.stats} --distance {input.distance} --out {output.netcdf} --table {output.table}"
        " {params.climatology} > {log} 2>&1"


rule plot_query:
    """An S4-style query: the middle test window and its nearest training windows by the learned distance."""
    input:
        test=f"{RESULTS}/sequences/test",
        train=f"{RESULTS}/sequences/train",
        distance=SIMILARITY_MODEL.format(view="context"),
    output:
        report(
            f"{RESULTS}/plots/similarity_query.png",
            caption="../report/similarity_query.rst",
            category="Similarity",
        ),
    log:
        f"{RESULTS}/logs/plots/similarity_query.log",
    conda:
        "../../envs/ambs.yaml"
    params:
        script=SCRIPTS / "plot_query.py",
        matches=QUERY_MATCHES,
    shell:
        "python {params.script} --test {input.test} --train {input.train} --distance {input.distance}"
        " --matches {params.matches} --out {output} > {log} 2>&1"
