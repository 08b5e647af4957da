# Rules of the criticality stage (analysis/): per-run avalanche statistics, dynamic range
# across the sweep, alignment with the reference models. See docs/criticality.md.


rule criticality_run:
    input:
        avalanches=f"{RESULTS}/network/runs/{{regime}}/{{control}}/avalanches.parquet",
        spikes=f"{RESULTS}/network/runs/{{regime}}/{{control}}/spikes.npz",
    output:
        json=f"{RESULTS}/criticality/runs/{{regime}}/{{control}}/criticality.json",
        figures=directory(f"{RESULTS}/criticality/runs/{{regime}}/{{control}}/figures"),
    log:
        f"{RESULTS}/logs/criticality/runs/{{regime}}/{{control}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/criticality/runs/{{regime}}/{{control}}.tsv"
    params:
        config=config,
    resources:
        mem_mb=2000,
        runtime=15,
    conda:
        "../../envs/analysis.yaml"
    script:
        "../scripts/criticality_run.py"


rule criticality_dynamic_range:
    input:
        responses=criticality_response_files(),
    output:
        json=f"{RESULTS}/criticality/sweep/dynamic_range.json",
        png=f"{RESULTS}/criticality/sweep/dynamic_range.png",
        svg=f"{RESULTS}/criticality/sweep/dynamic_range.svg",
    log:
        f"{RESULTS}/logs/criticality/dynamic_range.log",
    params:
        config=config,
        runs=network_runs(),
    resources:
        mem_mb=1000,
        runtime=5,
    conda:
        "../../envs/analysis.yaml"
    script:
        "../scripts/criticality_dynamic_range.py"


rule criticality_alignment:
    input:
        avalanches=criticality_run_files("network", "avalanches.parquet"),
        criticality=criticality_run_files("criticality", "criticality.json"),
        references=criticality_reference_files(),
    output:
        json=f"{RESULTS}/criticality/sweep/alignment.json",
        csv=f"{RESULTS}/criticality/sweep/alignment.csv",
        exponents=f"{RESULTS}/criticality/sweep/exponents.csv",
        png=f"{RESULTS}/criticality/sweep/exponents.png",
        svg=f"{RESULTS}/criticality/sweep/exponents.svg",
    log:
        f"{RESULTS}/logs/criticality/alignment.log",
    benchmark:
        f"{RESULTS}/benchmarks/criticality/alignment.tsv"
    params:
        config=config,
        runs=network_runs(),
        models=config["criticality"]["reference_models"],
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/analysis.yaml"
    script:
        "../scripts/criticality_alignment.py"
