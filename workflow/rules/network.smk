# Rules of the network stage (network/): graph, sweep runs, response curves, reference models.
# Wildcards: {regime} in network.sweep.regimes, {control} = f"{value:g}" of
# network.sweep.control_values (the branching ratio sigma0), {model} a reference model.


wildcard_constraints:
    regime="static|depressing|homeostatic",
    control=r"[0-9][0-9.eE+-]*",
    model="branching|kinouchi_copelli|levina",


rule network_graph:
    input:
        kinetics=network_kinetics(),
    output:
        graph=f"{RESULTS}/network/graph.graphml",
    log:
        f"{RESULTS}/logs/network/graph.log",
    params:
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
        spikes=f"{RESULTS}/network/runs/{{regime}}/{{control}}/spikes.npz",
        avalanches=f"{RESULTS}/network/runs/{{regime}}/{{control}}/avalanches.parquet",
        summary=f"{RESULTS}/network/runs/{{regime}}/{{control}}/summary.json",
    log:
        f"{RESULTS}/logs/network/runs/{{regime}}/{{control}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/network/runs/{{regime}}/{{control}}.tsv"
    params:
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
        response=f"{RESULTS}/network/response/{{regime}}/{{control}}.parquet",
    log:
        f"{RESULTS}/logs/network/response/{{regime}}/{{control}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/network/response/{{regime}}/{{control}}.tsv"
    params:
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
        avalanches=f"{RESULTS}/network/reference/{{model}}/avalanches.parquet",
        summary=f"{RESULTS}/network/reference/{{model}}/summary.json",
    log:
        f"{RESULTS}/logs/network/reference/{{model}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/network/reference/{{model}}.tsv"
    params:
        network=config["network"],
    resources:
        mem_mb=4000,
        runtime=60,
    conda:
        "../../envs/network.yaml"
    script:
        "../scripts/network_reference.py"
