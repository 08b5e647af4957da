# Rules of the report stage: activation-pattern figures, stage figures and key tables
# registered for `snakemake --report`, and the plain-text results/report/summary.md.


report: "../report/workflow.rst"


rule report_activation:
    input:
        spikes=activation_run_file("spikes.npz"),
        avalanches=activation_run_file("avalanches.parquet"),
        graph=L.network("graph.graphml"),
        references=criticality_reference_files(),
    output:
        raster=report(
            L.report("figures/activation_raster.png"),
            caption="../report/activation_raster.rst",
            category="1. Activation patterns",
        ),
        cascade=report(
            L.report("figures/activation_cascade.png"),
            caption="../report/activation_cascade.rst",
            category="1. Activation patterns",
        ),
        comparison=report(
            L.report("figures/model_comparison.png"),
            caption="../report/model_comparison.rst",
            category="1. Activation patterns",
        ),
    log:
        L.log("report", "activation"),
    benchmark:
        L.benchmark("report", "activation")
    params:
        code=CODE["report"],
        report=config["report"],
        reference_models=config["criticality"]["reference_models"],
        activation_run=activation_run(),
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/analysis.yaml"
    script:
        "../scripts/report_activation.py"


rule report_collect_figures:
    input:
        kinetics=L.kinetics("kinetics.json"),
        criticality=criticality_run_files("criticality", "criticality.json"),
        criticality_figures=criticality_run_files("criticality", "figures"),
        dynamic_range=L.criticality_sweep("dynamic_range.json"),
        alignment=L.criticality_sweep("alignment.json"),
    output:
        kinetics=report(
            directory(L.report("figures/kinetics")),
            patterns=["{name}.png"],
            caption="../report/kinetics_figures.rst",
            category="2. Kinetics",
        ),
        criticality=report(
            directory(L.report("figures/criticality")),
            patterns=["{regime,[^_]+}_{control,[^_]+}_{figure}.png"],
            caption="../report/criticality_figures.rst",
            category="3. Criticality",
            subcategory="{regime}",
            labels={"regime": "{regime}", "control": "{control}", "figure": "{figure}"},
        ),
    params:
        code=CODE["report"],
    log:
        L.log("report", "collect_figures"),
    resources:
        mem_mb=500,
        runtime=5,
    conda:
        "../../envs/analysis.yaml"
    script:
        "../scripts/report_collect_figures.py"


rule report_summary:
    input:
        kinetics=L.kinetics("kinetics.json"),
        synapse=L.network_synapse("synapse_response.json"),
        summaries=criticality_run_files("network", "summary.json"),
        criticality=criticality_run_files("criticality", "criticality.json"),
        dynamic_range=L.criticality_sweep("dynamic_range.json"),
        alignment=L.criticality_sweep("alignment.json"),
        figures=rules.report_activation.output,
        stage_figures=rules.report_collect_figures.output,
    output:
        summary=L.report("summary.md"),
        kinetics_table=report(
            L.report("tables/kinetics.csv"),
            caption="../report/kinetics_table.rst",
            category="4. Tables",
        ),
        criticality_table=report(
            L.report("tables/criticality.csv"),
            caption="../report/criticality_table.rst",
            category="4. Tables",
        ),
        alignment_table=report(
            L.report("tables/alignment.csv"),
            caption="../report/alignment_table.rst",
            category="4. Tables",
        ),
    log:
        L.log("report", "summary"),
    params:
        code=CODE["report"],
        runs=network_runs(),
    resources:
        mem_mb=500,
        runtime=5,
    conda:
        "../../envs/analysis.yaml"
    script:
        "../scripts/report_summary.py"


if VARIANTS:

    rule report_variants:
        input:
            kinetics=each_variant(L.kinetics("kinetics.json")),
            synapse=each_variant(L.network_synapse("synapse_response.json")),
            dynamic_range=each_variant(L.criticality_sweep("dynamic_range.json")),
            **variant_physical_runs("network", "summary.json"),
            **variant_physical_runs("criticality", "criticality.json"),
        output:
            json=TOP.report("variants/variants.json"),
            csv=report(
                TOP.report("variants/variants.csv"),
                caption="../report/variants_table.rst",
                category="0. Molecular variants",
            ),
            md=TOP.report("variants/variants.md"),
            png=report(
                TOP.report("variants/variants.png"),
                caption="../report/variants_figure.rst",
                category="0. Molecular variants",
            ),
            svg=TOP.report("variants/variants.svg"),
        log:
            TOP.log("report", "variants"),
        params:
            code=CODE["report"],
            variants={name: variant_md(config, name) for name in VARIANTS},
            regimes=config["network"]["sweep"]["regimes"],
        resources:
            mem_mb=500,
            runtime=5,
        conda:
            "../../envs/analysis.yaml"
        script:
            "../scripts/report_variants.py"
