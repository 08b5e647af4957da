# Rules of the kinetics stage: per-replica events -> merged table, F/P surfaces ->
# censored fits, time calibration, cleft bridge -> kinetics.json + figures.


rule kinetics_events:
    input:
        trajectory=f"{RESULTS}/md/replica_{{replica}}/trajectory.xtc",
        topology=f"{RESULTS}/md/replica_{{replica}}/topology.pdb",
        build=f"{RESULTS}/md/system/build.json",
    output:
        events=f"{RESULTS}/kinetics/events/replica_{{replica}}.parquet",
        distances=f"{RESULTS}/kinetics/distances/replica_{{replica}}.npz",
    wildcard_constraints:
        replica=r"\d+",
    params:
        kinetics=config["kinetics"],
    log:
        f"{RESULTS}/logs/kinetics/events_{{replica}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/kinetics/events_{{replica}}.tsv"
    resources:
        mem_mb=2000,
        runtime=20,
    conda:
        "../../envs/analysis.yaml"
    script:
        "../scripts/kinetics_events.py"


rule kinetics_merge:
    input:
        events=kinetics_replica_files("events", "parquet"),
    output:
        events=f"{RESULTS}/kinetics/events.parquet",
    log:
        f"{RESULTS}/logs/kinetics/merge.log",
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        "../../envs/analysis.yaml"
    script:
        "../scripts/kinetics_merge.py"


rule kinetics_surfaces:
    input:
        distances=kinetics_replica_files("distances", "npz"),
    output:
        surfaces=f"{RESULTS}/kinetics/surfaces.npz",
    params:
        kinetics=config["kinetics"],
    log:
        f"{RESULTS}/logs/kinetics/surfaces.log",
    benchmark:
        f"{RESULTS}/benchmarks/kinetics/surfaces.tsv"
    resources:
        mem_mb=4000,
        runtime=20,
    conda:
        "../../envs/analysis.yaml"
    script:
        "../scripts/kinetics_surfaces.py"


rule kinetics_fit:
    input:
        events=f"{RESULTS}/kinetics/events.parquet",
        distances=kinetics_replica_files("distances", "npz"),
        surfaces=f"{RESULTS}/kinetics/surfaces.npz",
        build=f"{RESULTS}/md/system/build.json",
    output:
        kinetics=f"{RESULTS}/kinetics/kinetics.json",
        figures=kinetics_figure_files(),
    params:
        kinetics=config["kinetics"],
    log:
        f"{RESULTS}/logs/kinetics/fit.log",
    benchmark:
        f"{RESULTS}/benchmarks/kinetics/fit.tsv"
    resources:
        mem_mb=4000,
        runtime=60,
    conda:
        "../../envs/analysis.yaml"
    script:
        "../scripts/kinetics_fit.py"
