# synsoc: synaptic MD -> first-passage kinetics -> threshold network -> criticality.
# Wiring only; the science lives in synapse_md/, analysis/ and network/, on the synsoc/ core.
from snakemake.utils import min_version

min_version("8.10")


configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/md.smk"
include: "workflow/rules/kinetics.smk"
include: "workflow/rules/network.smk"
include: "workflow/rules/criticality.smk"
include: "workflow/rules/report.smk"


rule all:
    input:
        final_targets(),
    default_target: True


# The end of a successful run: where summary.md and the figures are, the command that
# builds the HTML report for this configuration, and the headline numbers. Reads only
# what exists (partial targets) and never raises (analysis.report.headline).
onsuccess:
    from analysis.report.headline import end_of_run_message

    for root in each_variant(L.root):
        print(end_of_run_message(root, runs=network_runs(), workflow=workflow))
    if VARIANTS:
        print(f"synsoc: the variants {VARIANTS} are compared in {TOP.report('variants/variants.md')}")
