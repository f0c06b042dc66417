rule train:
    """Fit one video-prediction model with one training seed; resumes from its last epoch if interrupted; one worker per task."""
    input:
        train=f"{RESULTS}/sequences/train",
        val=f"{RESULTS}/sequences/val",
    output:
        model=f"{RESULTS}/models/{{model}}/seed{{seed}}/model.keras",
        history=f"{RESULTS}/models/{{model}}/seed{{seed}}/history.csv",
    log:
        f"{RESULTS}/logs/train/{{model}}/seed{{seed}}.log",
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
        workdir=lambda wc: f"{RESULTS}/models/{wc.model}/seed{wc.seed}/work",
    shell:
        "{params.launcher}python {params.script} --model {wildcards.model} --hyper {params.hyper:q} --seed {wildcards.seed}"
        " --train {input.train} --val {input.val} --out {output.model} --history {output.history} --workdir {params.workdir} > {log} 2>&1"
