# Rules of the criticality stage (analysis/criticality/): per-run and per-control-model avalanche
# statistics, dynamic range across the sweep, alignment scores. See docs/criticality.md.


rule criticality_run:
    input:
        avalanches=L.network_run("avalanches.parquet"),
        cascades=L.network_run("cascades.parquet"),
        bin_scan=L.network_run("bin_scan.parquet"),
        spikes=L.network_run("spikes.npz"),
        summary=L.network_run("summary.json"),
    output:
        json=L.criticality_run("criticality.json"),
        figures=directory(L.criticality_run("figures")),
    log:
        L.log("criticality", "runs/{regime}/{control}"),
    benchmark:
        L.benchmark("criticality", "runs/{regime}/{control}")
    params:
        code=CODE["criticality"],
        config=config,
    resources:
        mem_mb=2000,
        runtime=15,
    conda:
        "../../envs/analysis.yaml"
    script:
        "../scripts/criticality_run.py"


rule criticality_reference:
    input:
        avalanches=L.network_reference("avalanches.parquet"),
        cascades=L.network_reference("cascades.parquet"),
        bin_scan=L.network_reference("bin_scan.parquet"),
        spikes=L.network_reference("spikes.npz"),
        summary=L.network_reference("summary.json"),
    output:
        json=L.criticality_reference("criticality.json"),
        figures=directory(L.criticality_reference("figures")),
    log:
        L.log("criticality", "reference/{model}"),
    benchmark:
        L.benchmark("criticality", "reference/{model}")
    params:
        code=CODE["criticality"],
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
        json=L.criticality_sweep("dynamic_range.json"),
        png=L.criticality_sweep("dynamic_range.png"),
        svg=L.criticality_sweep("dynamic_range.svg"),
    log:
        L.log("criticality", "dynamic_range"),
    params:
        code=CODE["criticality"],
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
        criticality=criticality_run_files("criticality", "criticality.json"),
        controls=criticality_reference_files("criticality.json", "criticality"),
    output:
        json=L.criticality_sweep("alignment.json"),
        csv=L.criticality_sweep("alignment.csv"),
        exponents=L.criticality_sweep("exponents.csv"),
        png=L.criticality_sweep("exponents.png"),
        svg=L.criticality_sweep("exponents.svg"),
    log:
        L.log("criticality", "alignment"),
    benchmark:
        L.benchmark("criticality", "alignment")
    params:
        code=CODE["criticality"],
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
