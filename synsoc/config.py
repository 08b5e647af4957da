"""Load and validate a synsoc configuration against its JSON schemas.

The schemas are package data (``synsoc/schemas/*.schema.yaml``, read with
:mod:`importlib.resources`), so a built wheel validates as well as a checkout. The same
function validates the configuration for Snakemake (called from
``workflow/rules/common.smk`` before any job is scheduled), for the ``synsoc`` command
line and for each stage's ``Config.from_section``, so all report the same clear error
naming the file, key and value, and every default lives once, in the schema.
"""

from __future__ import annotations

import copy
import functools
import os
from collections.abc import Mapping
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from synsoc.errors import ConfigError

__all__ = [
    "ConfigError",
    "SCHEMA_DIR",
    "SECTIONS",
    "variant_names",
    "variant_md",
    "load_config",
    "schema_default",
    "validate_config",
    "validate_section",
]

SCHEMA_DIR: Traversable = resources.files("synsoc") / "schemas"
"""The package's schema folder (``synsoc/schemas``), readable from a wheel or a checkout."""

SECTIONS = ("md", "kinetics", "network", "criticality", "report")
"""Top-level sections of a configuration, one schema file each."""


def _load_yaml(path: Path | Traversable, what: str) -> Any:
    try:
        with path.open(encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except FileNotFoundError as err:
        raise ConfigError(f"{what} not found: {path}") from err
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML: {err}") from err


def _registry(schema_dir: Path | Traversable) -> Registry:
    """All schema files of ``schema_dir``, so relative ``$ref``s resolve offline."""
    files = sorted(
        (f for f in schema_dir.iterdir() if f.name.endswith(".schema.yaml")), key=lambda f: f.name
    )
    if not files:
        raise ConfigError(f"no *.schema.yaml files in {schema_dir}")
    entries = []
    for file in files:
        contents = _load_yaml(file, "schema file")
        # A ``$schema`` key in a referenced file would make jsonschema switch to a
        # plain validator for that section, which fills no defaults; all synsoc
        # schemas are draft 2020-12, declared once, at the top level.
        contents.pop("$schema", None)
        entries.append((file.name, Resource.from_contents(contents, DRAFT202012)))
    return Registry().with_resources(entries)


def _with_defaults(validator_class):
    """Extend a validator class so that ``default`` values fill missing keys."""
    validate_properties = validator_class.VALIDATORS["properties"]

    def set_defaults(validator, properties, instance, schema):
        if isinstance(instance, dict):
            for name, subschema in properties.items():
                if "default" in subschema and name not in instance:
                    instance[name] = copy.deepcopy(subschema["default"])
        yield from validate_properties(validator, properties, instance, schema)

    return jsonschema.validators.extend(validator_class, {"properties": set_defaults})


_DefaultFillingValidator = _with_defaults(jsonschema.Draft202012Validator)


@functools.lru_cache(maxsize=4)
def _validator(schema_dir: Path | Traversable):
    """The default-filling validator of ``schema_dir`` (schemas parsed once per process)."""
    schema = _load_yaml(schema_dir / "config.schema.yaml", "schema file")
    return _DefaultFillingValidator(schema, registry=_registry(schema_dir))


def _key_path(error: jsonschema.ValidationError) -> str:
    return ".".join(str(part) for part in error.absolute_path) or "<top level>"


def validate_config(
    config: Mapping[str, Any],
    *,
    source: str = "config",
    schema_dir: str | os.PathLike | Traversable = SCHEMA_DIR,
    check_relations: bool = True,
) -> dict[str, Any]:
    """Validate a configuration and return a copy with schema defaults filled in.

    Parameters
    ----------
    config : Mapping
        The configuration as loaded from YAML.
    source : str
        Name used in error messages (usually the file path).
    schema_dir : path-like or Traversable
        Folder holding ``config.schema.yaml`` and the section schemas its ``$ref``s
        name; the package's own by default.
    check_relations : bool
        Also check the relations between keys the schemas cannot state (salt and
        solvent, binding cut-off and release clearance); off when one section is
        validated alone (:func:`validate_section`), since the others are then defaults.

    Returns
    -------
    dict
        Deep copy of ``config`` with every default applied.

    Raises
    ------
    ConfigError
        Listing every violation as ``source: key.path: message``.
    """
    if not isinstance(config, Mapping):
        raise ConfigError(f"{source}: expected a mapping at the top level, got {config!r}")
    if isinstance(schema_dir, str | os.PathLike):
        schema_dir = Path(schema_dir)
    validator = _validator(schema_dir)
    filled = copy.deepcopy(dict(config))
    errors = sorted(validator.iter_errors(filled), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        lines = [f"{source}: key '{_key_path(err)}': {err.message}" for err in errors]
        raise ConfigError("invalid configuration\n  " + "\n  ".join(lines))
    _check_variant_names(filled, source)
    if check_relations:
        _check_across_sections(filled, source)
        for name in variant_names(filled):
            _check_across_sections(
                {**filled, "md": variant_md(filled, name, source=source)},
                f"{source}: md.variants.{name}",
            )
    return filled


_FIXED_ACROSS_VARIANTS = ("variants", "replicas", "platform")


def _check_variant_names(config: Mapping[str, Any], source: str) -> None:
    """Variant names are strings: YAML reads a bare ``1:`` or ``yes:`` as a number or a
    boolean, which the schema's name pattern does not see (it applies to strings only)
    and which would fail only when a job builds its paths."""
    variants = (config.get("md") or {}).get("variants") or {}
    for name in variants:
        if not isinstance(name, str):
            raise ConfigError(
                f"{source}: key 'md.variants': variant name {name!r} was read as "
                f"{type(name).__name__}, not text; quote it in the YAML (e.g. "
                f"'\"{name}\"') and start it with a letter"
            )


def _merged(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``overrides`` merged in, mappings recursively (copies)."""
    out = copy.deepcopy(dict(base))
    for key, value in overrides.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merged(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def variant_names(config: Mapping[str, Any]) -> list[str]:
    """Names of the molecular variants (``md.variants``), in config order; [] for none."""
    return list((config.get("md") or {}).get("variants") or {})


def variant_md(
    config: Mapping[str, Any], variant: str | None, *, source: str = "config"
) -> dict[str, Any]:
    """The md section of one molecular variant: ``md`` with the variant's overrides merged
    in, without ``variants``, validated against the md schema.

    Parameters
    ----------
    config : Mapping
        A validated configuration.
    variant : str or None
        A name of ``md.variants``; None for a configuration without variants (the md
        section itself, without ``variants``).
    source : str
        Name used in error messages (usually the file path).

    Returns
    -------
    dict
        The complete md section of the variant.

    Raises
    ------
    ConfigError
        If the variant is unknown, overrides a key fixed across variants (replicas,
        platform) or the merged section violates the schema (naming
        ``md.variants.<name>``).
    """
    md = dict(config.get("md") or {})
    variants = md.pop("variants", None) or {}
    if variant is None:
        return md
    if variant not in variants:
        raise ConfigError(
            f"{source}: unknown molecular variant {variant!r} (md.variants: {list(variants)})"
        )
    overrides = variants[variant]
    fixed = sorted(set(overrides) & set(_FIXED_ACROSS_VARIANTS))
    if fixed:
        raise ConfigError(
            f"{source}: key 'md.variants.{variant}' may not override {fixed}: they are fixed "
            "across variants (the DAG's shape and resources)"
        )
    merged = validate_section(
        "md", _merged(md, overrides), source=f"{source}: md.variants.{variant}"
    )
    merged.pop("variants")  # the schema default ({}) of the section validated alone
    return merged


def _check_across_sections(config: Mapping[str, Any], source: str) -> None:
    """Relations between keys that the section schemas cannot state, checked before any
    job starts (the stages check them again when they build their config objects).

    * Salt needs a solvent that screens it: native OBC2 (``md.solvent: implicit``) has
      no Debye screening, so ``md.salt_molar`` must be 0 there.
    * Molecular variants are compared on their physical runs: ``md.variants`` needs
      ``"physical"`` among ``network.sweep.control_values``.
    * Released transmitters must start unbound: the binding cut-off
      ``kinetics.r_on_nm`` must lie below ``md.geometry.release_clearance_nm`` (the
      smallest distance between a released transmitter's atoms and a receptor's).
    """
    md, kinetics = config.get("md"), config.get("kinetics")
    if not isinstance(md, Mapping) or not isinstance(kinetics, Mapping):
        return
    if md.get("solvent") == "implicit" and (md.get("salt_molar") or 0) > 0:
        raise ConfigError(
            f"{source}: key 'md.salt_molar' ({md['salt_molar']}) is not honoured by "
            "md.solvent 'implicit' (native OBC2 has no salt screening): set md.salt_molar: 0, "
            "or md.solvent obc2, gbn2 or explicit"
        )
    controls = ((config.get("network") or {}).get("sweep") or {}).get("control_values") or []
    if md.get("variants") and "physical" not in controls:
        raise ConfigError(
            f"{source}: key 'network.sweep.control_values' ({controls}) needs 'physical' when "
            "md.variants is set: the variants are compared on their physical synapses"
        )
    clearance = (md.get("geometry") or {}).get("release_clearance_nm")
    r_on = kinetics.get("r_on_nm")
    if clearance is not None and r_on is not None and r_on >= clearance:
        raise ConfigError(
            f"{source}: key 'kinetics.r_on_nm' ({r_on}) must be below "
            f"'md.geometry.release_clearance_nm' ({clearance}): transmitters released "
            "inside the binding cut-off would start bound"
        )


def load_config(path: str | os.PathLike) -> dict[str, Any]:
    """Read a YAML configuration file and validate it.

    Parameters
    ----------
    path : path-like
        A file such as ``config/config.yaml``.

    Returns
    -------
    dict
        The validated configuration with defaults filled in.

    Raises
    ------
    ConfigError
        If the file is missing, is not YAML, or violates the schema.
    """
    path = Path(path)
    config = _load_yaml(path, "configuration file")
    if config is None:
        config = {}
    return validate_config(config, source=str(path))


def validate_section(
    name: str, section: Mapping[str, Any] | None = None, *, source: str | None = None
) -> dict[str, Any]:
    """Validate one top-level section and return it with every schema default filled in.

    This is how each stage's ``Config.from_section`` gets its defaults: from the
    schema, never from a copy in code. ``validate_section("network")`` is the whole
    default network section.

    Parameters
    ----------
    name : str
        One of :data:`SECTIONS`.
    section : Mapping, optional
        The section as given (possibly partial); empty when omitted.
    source : str, optional
        Name used in error messages; defaults to ``"<name> section"``.

    Returns
    -------
    dict
        The completed section.

    Raises
    ------
    ConfigError
        If ``name`` is not a section or the section violates its schema.
    """
    if name not in SECTIONS:
        raise ConfigError(f"unknown configuration section {name!r} (known: {SECTIONS})")
    section = {} if section is None else section
    filled = validate_config(
        {name: section}, source=source or f"{name} section", check_relations=False
    )
    return filled[name]


def schema_default(section: str, *keys: str) -> Any:
    """The schema's default for ``section.key1.key2...`` (used for CLI option defaults).

    Parameters
    ----------
    section : str
        Top-level section, one of :data:`SECTIONS`.
    *keys : str
        Path of keys inside the section.

    Returns
    -------
    object
        The default value the schema fills in.

    Raises
    ------
    ConfigError
        If the path names no key with a default.
    """
    value: Any = validate_section(section)
    for depth, key in enumerate(keys):
        if not isinstance(value, Mapping) or key not in value:
            path = ".".join((section, *keys[: depth + 1]))
            raise ConfigError(f"the schema gives no default for {path}")
        value = value[key]
    return value
