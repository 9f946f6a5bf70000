"""Where the node keeps its files, derived from configuration in one place."""
from __future__ import annotations

from pathlib import Path

from knoop_esb.config import Config

REPO_ROOT = Path(__file__).resolve().parents[1]
XSD_DIR = REPO_ROOT / "xsd"
WSDL_DIR = REPO_ROOT / "wsdl"


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
