# Rules of the network stage (network/): synapse response, graph, sweep runs, response
# curves, reference models. Wildcards: {regime} in network.sweep.regimes, {control} =
# control_label(value) of network.sweep.control_values ("physical" or a target lambda),
# {model} a reference model.


wildcard_constraints:
    regime="|".join(REGIMES),
    control=r"physical|[0-9][0-9.eE+-]*",
    model="|".join(REFERENCE_MODELS),


rule network_synapse_response:
    input:
        kinetics=network_kinetics(),
    output:
        response=L.network_synapse("synapse_response.json"),
        png=L.network_synapse("synapse_response.png"),
        svg=L.network_synapse("synapse_response.svg"),
    log:
        L.log("network", "synapse_response"),
    params:
        code=CODE["network"],
        network=config["network"],
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        "../../envs/network.yaml"
    script:
        "../scripts/network_synapse_response.py"


rule network_graph:
    input:
        response=L.network_synapse("synapse_response.json"),
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
        response=L.network_synapse("synapse_response.json"),
    output:
        spikes=L.network_run("spikes.npz"),
        avalanches=L.network_run("avalanches.parquet"),
        cascades=L.network_run("cascades.parquet"),
        bin_scan=L.network_run("bin_scan.parquet"),
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
        response=L.network_synapse("synapse_response.json"),
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
        response=L.network_synapse("synapse_response.json"),
    output:
        spikes=L.network_reference("spikes.npz"),
        avalanches=L.network_reference("avalanches.parquet"),
        cascades=L.network_reference("cascades.parquet"),
        bin_scan=L.network_reference("bin_scan.parquet"),
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
