"""Molecular variants in the configuration: merged and validated md sections, and errors
that name the variant and key (the DAG they open: tests/workflow/test_wf_variants.py)."""

from __future__ import annotations

import pytest
import yaml

from synsoc.config import ConfigError, load_config, validate_config, variant_md, variant_names


def _config(**variants):
    return validate_config({"md": {"variants": variants}})


def test_variant_sections_are_the_md_section_with_overrides():
    config = _config(
        RR={}, QQ={"receptor": {"sequence": "QQ"}}, salt={"solvent": "obc2", "salt_molar": 0.5}
    )
    assert variant_names(config) == ["RR", "QQ", "salt"]
    rr, qq, salt = (variant_md(config, name) for name in variant_names(config))
    assert "variants" not in rr and rr["receptor"]["sequence"] == "RR"
    # a nested override keeps the keys it does not name
    assert qq["receptor"] == {**rr["receptor"], "sequence": "QQ"}
    assert {k: v for k, v in qq.items() if k != "receptor"} == {
        k: v for k, v in rr.items() if k != "receptor"
    }
    assert (salt["solvent"], salt["salt_molar"]) == ("obc2", 0.5)
    # no variants: the md section itself, one unnamed tree
    plain = validate_config({})
    assert variant_names(plain) == [] and "variants" not in variant_md(plain, None)


@pytest.mark.parametrize(
    ("variants", "message"),
    [
        ({"S": {"salt_molar": 0.5}}, r"md\.variants\.S: key 'md\.salt_molar'"),
        ({"S": {"replicas": 2}}, r"md\.variants\.S' may not override \['replicas'\]"),
        ({"S": {"receptor": {"sequence": "ZZ"}}}, r"md\.variants\.S: key 'md\.receptor\.sequence'"),
        ({"S": {"frobnicate": 1}}, r"md\.variants\.S.*frobnicate"),
        ({"0bad": {}}, r"md\.variants"),
    ],
)
def test_bad_variants_name_the_variant_and_key(variants, message):
    with pytest.raises(ConfigError, match=message):
        validate_config({"md": {"variants": variants}})


@pytest.mark.parametrize(("text", "read_as"), [("1: {}", "int"), ("yes: {}", "bool")])
def test_variant_names_yaml_reads_as_numbers_or_booleans_are_refused(tmp_path, text, read_as):
    path = tmp_path / "c.yaml"
    path.write_text(f"md:\n  variants:\n    {text}\n")
    with pytest.raises(ConfigError, match=rf"c\.yaml: key 'md\.variants'.*read as {read_as}"):
        load_config(path)


def test_variants_need_a_physical_run_and_a_known_name():
    with pytest.raises(ConfigError, match="network.sweep.control_values.*physical"):
        validate_config(
            {"md": {"variants": {"A": {}}}, "network": {"sweep": {"control_values": [1.0]}}}
        )
    with pytest.raises(ConfigError, match="unknown molecular variant 'B'"):
        variant_md(_config(A={}), "B")


def test_default_config_compares_two_variants_and_the_study_more():
    default = load_config("config/config.yaml")
    assert len(variant_names(default)) >= 2
    extra = yaml.safe_load(open("config/variants.yaml"))["md"]["variants"]
    study = validate_config(
        {**default, "md": {**default["md"], "variants": {**default["md"]["variants"], **extra}}}
    )
    assert len(variant_names(study)) >= 4


def test_synsoc_md_runs_one_named_variant(tmp_path, capsys):
    from synsoc.cli import main

    argv = ["md", "--config", "config/config.yaml", "-o", str(tmp_path / "md")]
    assert main(argv) == 2
    assert "defines md.variants ['RR', 'QQ']: choose one with --variant" in capsys.readouterr().err
    assert main([*argv, "--variant", "KK"]) == 2
    assert "unknown molecular variant 'KK'" in capsys.readouterr().err
    assert not (tmp_path / "md").exists()
