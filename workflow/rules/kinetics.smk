# Rules of the kinetics stage: per-replica events -> merged table, F/P surfaces ->
# censored fits, time calibration, binding rates, MSM -> kinetics.json + figures.


rule kinetics_events:
    input:
        trajectory=L.md_replica("trajectory.xtc"),
        topology=L.md_replica("topology.pdb"),
        build=L.md_system("build.json"),
    output:
        events=L.kinetics_replica("events", "parquet"),
        distances=L.kinetics_replica("distances", "npz"),
    wildcard_constraints:
        replica=r"\d+",
    params:
        code=CODE["kinetics"],
        kinetics=config["kinetics"],
    log:
        L.log("kinetics", "events_{replica}"),
    benchmark:
        L.benchmark("kinetics", "events_{replica}")
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
        events=L.kinetics("events.parquet"),
    params:
        code=CODE["kinetics"],
    log:
        L.log("kinetics", "merge"),
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
        surfaces=L.kinetics("surfaces.npz"),
    params:
        code=CODE["kinetics"],
        kinetics=config["kinetics"],
    log:
        L.log("kinetics", "surfaces"),
    benchmark:
        L.benchmark("kinetics", "surfaces")
    resources:
        mem_mb=4000,
        runtime=20,
    conda:
        "../../envs/analysis.yaml"
    script:
        "../scripts/kinetics_surfaces.py"


rule kinetics_fit:
    input:
        events=L.kinetics("events.parquet"),
        distances=kinetics_replica_files("distances", "npz"),
        surfaces=L.kinetics("surfaces.npz"),
        build=L.md_system("build.json"),
    output:
        kinetics=L.kinetics("kinetics.json"),
        figures=kinetics_figure_files(),
    params:
        code=CODE["kinetics"],
        kinetics=config["kinetics"],
    log:
        L.log("kinetics", "fit"),
    benchmark:
        L.benchmark("kinetics", "fit")
    resources:
        mem_mb=4000,
        runtime=60,
    conda:
        "../../envs/analysis.yaml"
    script:
        "../scripts/kinetics_fit.py"
