# Rules of the md stage: build -> restrained equilibration -> release replicas.
# A killed replica keeps its chunks and checkpoint in replica_{replica}/work/ (not an
# output, so Snakemake leaves it) and resumes on `snakemake --rerun-incomplete`.
# Every MD job uses one CPU thread: OpenMM's CPU platform sums forces in a thread-
# dependent order, so only single-threaded runs repeat bit for bit from the config's
# seeds (replicas run side by side as separate jobs instead).


rule md_build:
    output:
        topology=f"{RESULTS}/md/system/topology.pdb",
        system=f"{RESULTS}/md/system/system.xml",
        build=f"{RESULTS}/md/system/build.json",
    params:
        md=config["md"],
    log:
        f"{RESULTS}/logs/md/build.log",
    benchmark:
        f"{RESULTS}/benchmarks/md/build.tsv"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=20,
        gpu=md_gpus(),
    conda:
        "../../envs/md.yaml"
    script:
        "../scripts/md_build.py"


rule md_equilibrate:
    input:
        topology=f"{RESULTS}/md/system/topology.pdb",
        system=f"{RESULTS}/md/system/system.xml",
    output:
        state=f"{RESULTS}/md/system/equilibrated.xml",
    params:
        md=config["md"],
    log:
        f"{RESULTS}/logs/md/equilibrate.log",
    benchmark:
        f"{RESULTS}/benchmarks/md/equilibrate.tsv"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=60,
        gpu=md_gpus(),
    conda:
        "../../envs/md.yaml"
    script:
        "../scripts/md_equilibrate.py"


rule md_production:
    input:
        topology=f"{RESULTS}/md/system/topology.pdb",
        system=f"{RESULTS}/md/system/system.xml",
        state=f"{RESULTS}/md/system/equilibrated.xml",
    output:
        trajectory=f"{RESULTS}/md/replica_{{replica}}/trajectory.xtc",
        topology=f"{RESULTS}/md/replica_{{replica}}/topology.pdb",
        state_csv=f"{RESULTS}/md/replica_{{replica}}/state.csv",
        final_state=f"{RESULTS}/md/replica_{{replica}}/final_state.xml",
        checkpoint=f"{RESULTS}/md/replica_{{replica}}/checkpoint.chk",
        record=f"{RESULTS}/md/replica_{{replica}}/replica.json",
    wildcard_constraints:
        replica=r"\d+",
    params:
        md=config["md"],
    log:
        f"{RESULTS}/logs/md/replica_{{replica}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/md/replica_{{replica}}.tsv"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=240,
        gpu=md_gpus(),
    conda:
        "../../envs/md.yaml"
    script:
        "../scripts/md_production.py"
