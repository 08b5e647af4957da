# Rules of the md stage: one shared build (receptor patch, walls, solvent) -> per replica:
# its own transmitter placement, minimization and restrained equilibration -> its release.
# A killed replica keeps its chunks and checkpoint in replica_{replica}/work/ (not an
# output, so Snakemake leaves it) and resumes on `snakemake --rerun-incomplete`.
# Every MD job uses one CPU thread: OpenMM's CPU platform sums forces in a thread-
# dependent order, so only single-threaded runs repeat bit for bit from the config's
# seeds (replicas run side by side as separate jobs instead).


rule md_build:
    output:
        topology=L.md_system("topology.pdb"),
        system=L.md_system("system.xml"),
        build=L.md_system("build.json"),
    params:
        code=CODE["md"],
        md=variant_md_section,
    log:
        L.log("md", "build"),
    benchmark:
        L.benchmark("md", "build")
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
        topology=L.md_system("topology.pdb"),
        system=L.md_system("system.xml"),
        build=L.md_system("build.json"),
    output:
        state=L.md_replica("equilibrated.xml"),
    wildcard_constraints:
        replica=r"\d+",
    params:
        code=CODE["md"],
        md=variant_md_section,
    log:
        L.log("md", "equilibrate_{replica}"),
    benchmark:
        L.benchmark("md", "equilibrate_{replica}")
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
        topology=L.md_system("topology.pdb"),
        system=L.md_system("system.xml"),
        build=L.md_system("build.json"),
        state=L.md_replica("equilibrated.xml"),
    output:
        trajectory=L.md_replica("trajectory.xtc"),
        topology=L.md_replica("topology.pdb"),
        state_csv=L.md_replica("state.csv"),
        final_state=L.md_replica("final_state.xml"),
        checkpoint=L.md_replica("checkpoint.chk"),
        record=L.md_replica("replica.json"),
    wildcard_constraints:
        replica=r"\d+",
    params:
        code=CODE["md"],
        md=variant_md_section,
    log:
        L.log("md", "replica_{replica}"),
    benchmark:
        L.benchmark("md", "replica_{replica}")
    threads: 1
    resources:
        mem_mb=2000,
        runtime=240,
        gpu=md_gpus(),
    conda:
        "../../envs/md.yaml"
    script:
        "../scripts/md_production.py"
