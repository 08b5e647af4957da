"""Load and validate a synsoc configuration against the workflow's JSON schema.

The same function validates the configuration for Snakemake (called from
``workflow/rules/common.smk`` before any job is scheduled) and for the ``synsoc``
command line, so both report the same clear error naming the file, key and value.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

__all__ = ["ConfigError", "SCHEMA_PATH", "load_config", "validate_config"]

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "workflow" / "schemas" / "config.schema.yaml"


class ConfigError(ValueError):
    """A configuration file or value is invalid; the message names file and key."""


def _load_yaml(path: Path, what: str) -> Any:
    try:
        with open(path, encoding="utf-8") as handle:
            return yaml.safe_load(handle)
    except FileNotFoundError as err:
        raise ConfigError(f"{what} not found: {path}") from err
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML: {err}") from err


def _registry(schema_dir: Path) -> Registry:
    """All schema files of ``schema_dir``, so relative ``$ref``s resolve offline."""
    resources = []
    for file in sorted(schema_dir.glob("*.schema.yaml")):
        contents = _load_yaml(file, "schema file")
        # A ``$schema`` key in a referenced file would make jsonschema switch to a
        # plain validator for that section, which fills no defaults; all synsoc
        # schemas are draft 2020-12, declared once, at the top level.
        contents.pop("$schema", None)
        resources.append((file.name, Resource.from_contents(contents, DRAFT202012)))
    return Registry().with_resources(resources)


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


def _key_path(error: jsonschema.ValidationError) -> str:
    return ".".join(str(part) for part in error.absolute_path) or "<top level>"


def validate_config(
    config: Mapping[str, Any],
    source: str = "config",
    schema_path: str | os.PathLike = SCHEMA_PATH,
) -> dict[str, Any]:
    """Validate a configuration and return a copy with schema defaults filled in.

    Parameters
    ----------
    config : Mapping
        The configuration as loaded from YAML.
    source : str
        Name used in error messages (usually the file path).
    schema_path : path-like
        Top-level schema; sibling ``*.schema.yaml`` files resolve its ``$ref``s.

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
    schema_path = Path(schema_path)
    schema = _load_yaml(schema_path, "schema file")
    validator = _DefaultFillingValidator(schema, registry=_registry(schema_path.parent))
    filled = copy.deepcopy(dict(config))
    errors = sorted(validator.iter_errors(filled), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        lines = [f"{source}: key '{_key_path(err)}': {err.message}" for err in errors]
        raise ConfigError("invalid configuration\n  " + "\n  ".join(lines))
    return filled


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
