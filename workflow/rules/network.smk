# Rules of the network stage (network/): graph, sweep runs, response curves, reference models.
# Wildcards: {regime} in network.sweep.regimes, {control} = control_label(value) of
# network.sweep.control_values (the branching ratio sigma0), {model} a reference model.


wildcard_constraints:
    regime="|".join(REGIMES),
    control=r"[0-9][0-9.eE+-]*",
    model="|".join(REFERENCE_MODELS),


rule network_graph:
    input:
        kinetics=network_kinetics(),
    output:
        graph=L.network("graph.graphml"),
    log:
        L.log("network", "graph"),
    params:
        code=CODE["network"],
        network=config["network"],
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        "../../envs/network.yaml"
    script:
        "../scripts/network_graph.py"


rule network_run:
    input:
        kinetics=network_kinetics(),
    output:
        spikes=L.network_run("spikes.npz"),
        avalanches=L.network_run("avalanches.parquet"),
        summary=L.network_run("summary.json"),
    log:
        L.log("network", "runs/{regime}/{control}"),
    benchmark:
        L.benchmark("network", "runs/{regime}/{control}")
    params:
        code=CODE["network"],
        network=config["network"],
    resources:
        mem_mb=4000,
        runtime=60,
    conda:
        "../../envs/network.yaml"
    script:
        "../scripts/network_run.py"


rule network_response:
    input:
        kinetics=network_kinetics(),
    output:
        response=L.network_response(),
    log:
        L.log("network", "response/{regime}/{control}"),
    benchmark:
        L.benchmark("network", "response/{regime}/{control}")
    params:
        code=CODE["network"],
        network=config["network"],
    resources:
        mem_mb=4000,
        runtime=60,
    conda:
        "../../envs/network.yaml"
    script:
        "../scripts/network_response.py"


rule network_reference:
    input:
        kinetics=network_kinetics(),
    output:
        avalanches=L.network_reference("avalanches.parquet"),
        summary=L.network_reference("summary.json"),
    log:
        L.log("network", "reference/{model}"),
    benchmark:
        L.benchmark("network", "reference/{model}")
    params:
        code=CODE["network"],
        network=config["network"],
    resources:
        mem_mb=4000,
        runtime=60,
    conda:
        "../../envs/network.yaml"
    script:
        "../scripts/network_reference.py"
