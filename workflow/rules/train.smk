rule train:
    """Fit one video-prediction model; resumes from its last epoch if interrupted; one worker per task."""
    input:
        train=f"{RESULTS}/sequences/train",
        val=f"{RESULTS}/sequences/val",
    output:
        model=f"{RESULTS}/models/{{model}}/model.keras",
        history=f"{RESULTS}/models/{{model}}/history.csv",
    log:
        f"{RESULTS}/logs/train/{{model}}.log",
    wildcard_constraints:
        model="|".join(TRAINED_MODELS),
    conda:
        "../../envs/ambs.yaml"
    container:
        GPU_IMAGE
    threads: workflow.cores or 1
    params:
        launcher=lambda wc, resources: worker_launcher(resources.get("tasks", 1), resources.get("mpi")),
        script=SCRIPTS / "train.py",
        hyper=lambda wc: json.dumps(config["hyperparameters"][wc.model], sort_keys=True),
        seed=config["seed"],
        workdir=lambda wc: f"{RESULTS}/models/{wc.model}/work",
    shell:
        "{params.launcher}python {params.script} --model {wildcards.model} --hyper {params.hyper:q} --seed {params.seed}"
        " --train {input.train} --val {input.val} --out {output.model} --history {output.history} --workdir {params.workdir} > {log} 2>&1"
