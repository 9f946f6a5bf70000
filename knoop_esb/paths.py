"""Where the node keeps its files, derived from configuration in one place."""
from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from knoop_esb.config import Config

# The node's own files are package data (in a checkout: symlinks to the top-level sources), so an
# installed wheel finds them as a checkout does. The package is always a directory on disk.
PACKAGE_DIR = Path(str(files("knoop_esb")))
XSD_DIR = PACKAGE_DIR / "xsd"
WSDL_DIR = PACKAGE_DIR / "wsdl"
EXAMPLE_CONFIG = PACKAGE_DIR / "knoop.example.toml"
# Only for defaults that exist in a source checkout beside /work/shared (the NHR mapping CSVs).
REPO_ROOT = Path(__file__).resolve().parents[1]


def data_dir(config: Config) -> Path:
    return Path(config.node.data_dir)


def schemas_dir(config: Config) -> Path:
    return Path(config.schemas.dir) if config.schemas.dir else data_dir(config) / "schemas"


def pki_dir(config: Config) -> Path:
    return data_dir(config) / "pki"


def database_url(config: Config) -> str:
    if config.database.url:
        return config.database.url
    return f"sqlite:///{(data_dir(config) / 'knoop.db').resolve()}"
