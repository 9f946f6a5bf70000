"""Configuration: one TOML file, every key overridable as ``KNOOP_<SECTION>_<KEY>``.

Each section is a frozen dataclass registered with :func:`section`; its fields are the keys,
their defaults the defaults, and ``field(metadata={"doc": ...})`` the documentation that
``knoop-esb config docs`` renders into ``docs/configuration.md``. Keeping the schema as data
means the loader, the env overrides and the documentation can never drift apart.
"""
from __future__ import annotations

import dataclasses
import difflib
import json
import os
import re
import tomllib
import types
import typing
from datetime import timedelta
from pathlib import Path
from typing import Any, Mapping

from knoop_esb.config import secrets

_SECTIONS: dict[str, type] = {}


class ConfigError(Exception):
    """An invalid configuration value; ``str()`` is the one line the CLI prints."""

    def __init__(self, key: str, message: str):
        self.key = key
        super().__init__(f"configuration error: {key}: {message}")


def section(name: str):
    """Register a frozen dataclass as the ``[name]`` section of knoop.toml."""

    def register(cls: type) -> type:
        if not dataclasses.is_dataclass(cls):
            raise TypeError(f"{cls!r} must be a dataclass")
        setattr(cls, "__config_section__", name)
        _SECTIONS[name] = cls
        return cls

    return register


def sections() -> dict[str, type]:
    """The registered sections in the order of ``registry.py`` (import order varies in tests)."""
    _import_sections()
    from knoop_esb.config.registry import ORDER

    return {name: _SECTIONS[name] for name in sorted(_SECTIONS, key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n))}


def doc(text: str, **kwargs: Any) -> Any:
    """A dataclass field carrying its documentation line."""
    metadata = {"doc": text, **kwargs.pop("metadata", {})}
    return dataclasses.field(metadata=metadata, **kwargs)


class Config:
    """The loaded configuration: ``config.kvk``, ``config.database`` … one attribute per section."""

    def __init__(self, values: dict[str, Any], source: Path | None, warnings: tuple[str, ...] = ()):
        self._values = values
        self.source = source
        # What the loader noticed but need not stop on (a probable typo in a KNOOP_* variable).
        self.warnings = warnings

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def replace(self, section_name: str, **changes: Any) -> "Config":
        values = dict(self._values)
        values[section_name] = dataclasses.replace(values[section_name], **changes)
        return Config(values, self.source, self.warnings)

    def as_dict(self) -> dict[str, Any]:
        """Every value, secrets (fields marked ``secrets.SECRET``) masked: for showing, never for use."""
        return {name: _to_plain(value, masked=True) for name, value in self._values.items()}


def _to_plain(value: Any, masked: bool = False) -> Any:
    if dataclasses.is_dataclass(value):
        return {f.name: secrets.masked(f, getattr(value, f.name)) if masked and secrets.secret_kind(f)
                else _to_plain(getattr(value, f.name), masked) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [_to_plain(v, masked) for v in value]
    if isinstance(value, Path):
        return str(value)
    return value


def load(path: str | Path | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Read ``path`` (or ``$KNOOP_CONFIG``, or ``./knoop.toml`` when present) plus env overrides."""
    environ = os.environ if environ is None else environ
    _import_sections()
    source: Path | None = None
    raw: dict[str, Any] = {}
    candidate = path or environ.get("KNOOP_CONFIG") or None  # an empty KNOOP_CONFIG = not set
    # A wrong path is blamed on where it came from: the --config option or the variable.
    named_by = "--config" if path else "KNOOP_CONFIG"
    if candidate is None and Path("knoop.toml").exists():
        candidate, named_by = "knoop.toml", "knoop.toml"
    if candidate is not None:
        source = Path(candidate)
        try:
            raw = tomllib.loads(source.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(named_by, f"file {source} does not exist") from None
        except IsADirectoryError:
            raise ConfigError(named_by, f"{source} is a directory, not a configuration file") from None
        except OSError as exc:
            raise ConfigError(named_by, f"cannot read {source}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise ConfigError(named_by, f"{source} is not UTF-8 text") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(str(source), f"not valid TOML ({exc})") from None
    unknown = sorted(set(raw) - set(_SECTIONS))
    if unknown:
        raise ConfigError(unknown[0], f"unknown section; known sections: {', '.join(sorted(_SECTIONS))}")
    values = {}
    for name, cls in sections().items():
        table = raw.get(name, {})
        if not isinstance(table, dict):
            raise ConfigError(name, "must be a table")
        values[name] = _build(name, cls, table, environ)
    # Remembered before validation: a validation error naming a value must not show a secret either.
    for value in values.values():
        secrets.remember(secrets.secret_values(value))
    config = Config(values, source, tuple(unknown_variables(environ)))
    for name, value in values.items():
        check = getattr(value, "validate", None)
        if check is not None:
            check(config)
    return config


# KNOOP_* variables that are not configuration keys but read by the CLI itself.
OTHER_VARIABLES = frozenset({"KNOOP_CONFIG", "KNOOP_MAPPING_DIR"})


def known_variables() -> dict[str, str]:
    """Every ``KNOOP_<SECTION>_<KEY>`` variable and the dotted key it sets."""
    return {f"KNOOP_{name.upper()}_{f.name.upper()}": f"{name}.{f.name}"
            for name, cls in sections().items() for f in dataclasses.fields(cls)}


def unknown_variables(environ: Mapping[str, str]) -> list[str]:
    """One line per ``KNOOP_*`` variable that looks meant for the configuration but sets nothing:
    its section exists but not its key, or it is one letter or so from a real variable. A typo there
    silently leaves the default in place (an operator's API key or database never used)."""
    known = known_variables()
    section_prefixes = tuple(f"KNOOP_{name.upper()}_" for name in sections())
    lines = []
    for name in sorted(environ):
        if not name.startswith("KNOOP_") or name in known or name in OTHER_VARIABLES:
            continue
        close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.8)
        if close:
            lines.append(f"{name}: not a configuration variable; probable typo of {close[0]} ({known[close[0]]})")
        elif name.startswith(section_prefixes):
            section_name = name[len("KNOOP_"):].split("_", 1)[0].lower()
            keys = ", ".join(f.name for f in dataclasses.fields(sections()[section_name]))
            lines.append(f"{name}: [{section_name}] has no such key (keys: {keys})")
    return lines


def _import_sections() -> None:
    # The section modules register themselves on import.
    from knoop_esb.config import registry as _  # noqa: F401


def _build(name: str, cls: type, table: dict[str, Any], environ: Mapping[str, str]) -> Any:
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(table) - set(fields))
    if unknown:
        raise ConfigError(f"{name}.{unknown[0]}", f"unknown key; known keys: {', '.join(fields)}")
    kwargs = {}
    for key, f in fields.items():
        env_name = f"KNOOP_{name.upper()}_{key.upper()}"
        dotted = f"{name}.{key}"
        if env_name in environ:
            kwargs[key] = _from_env(env_name, environ[env_name], hints[key])
        elif key in table:
            kwargs[key] = _coerce(dotted, table[key], hints[key])
    try:
        return cls(**kwargs)
    except ConfigError:
        raise
    except (TypeError, ValueError) as exc:
        raise ConfigError(name, str(exc)) from None


def _from_env(env_name: str, text: str, hint: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin in (list, tuple) and not _is_dataclass_list(hint):
        items = [item.strip() for item in text.split(",") if item.strip()]
        return _coerce(env_name, items, hint)
    if _is_dataclass_list(hint):
        try:
            return _coerce(env_name, json.loads(text), hint)
        except json.JSONDecodeError:
            raise ConfigError(env_name, "must be a JSON array of tables") from None
    return _coerce(env_name, text, hint)


def _is_dataclass_list(hint: Any) -> bool:
    args = typing.get_args(hint)
    return typing.get_origin(hint) in (list, tuple) and bool(args) and dataclasses.is_dataclass(args[0])


def _coerce(key: str, value: Any, hint: Any) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None or value == "":
            if type(None) in args:
                return None
        inner = [a for a in args if a is not type(None)]
        return _coerce(key, value, inner[0])
    if origin in (list, tuple):
        if not isinstance(value, list):
            raise ConfigError(key, f"must be a list, got {value!r}")
        items = [_coerce(f"{key}[{i}]", item, args[0] if args else str) for i, item in enumerate(value)]
        return tuple(items) if origin is tuple else items
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(key, f"must be a table, got {value!r}")
        return {str(k): _coerce(f"{key}.{k}", v, args[1] if args else str) for k, v in value.items()}
    if dataclasses.is_dataclass(hint):
        if not isinstance(value, dict):
            raise ConfigError(key, "must be a table")
        return _build(key, typing.cast(type, hint), value, {})
    if hint is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("1", "true", "yes", "on", "0", "false", "no", "off"):
            return value.lower() in ("1", "true", "yes", "on")
        raise ConfigError(key, f"must be true or false, got {value!r}")
    if hint is int:
        try:
            if isinstance(value, bool):
                raise ValueError
            return int(value)
        except (TypeError, ValueError):
            raise ConfigError(key, f"must be a whole number, got {value!r}") from None
    if hint is float:
        try:
            return float(value)
        except (TypeError, ValueError):
            raise ConfigError(key, f"must be a number, got {value!r}") from None
    if hint is Path:
        if not isinstance(value, str):
            raise ConfigError(key, f"must be a path, got {value!r}")
        return Path(value)
    if hint is str:
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise ConfigError(key, f"must be text, got {value!r}")
        return str(value)
    if hint is Any:
        return value
    raise ConfigError(key, f"unsupported type {hint!r}")


def render_docs() -> str:
    """Markdown for docs/configuration.md, generated from the registered sections."""
    _import_sections()
    lines = [
        "# Configuration",
        "",
        "One TOML file (`knoop.toml`; another with `--config FILE` or `KNOOP_CONFIG`). Every key can be",
        "overridden by an environment variable `KNOOP_<SECTION>_<KEY>` (lists: comma-separated; arrays",
        "of tables: JSON). An invalid value stops the node with one line naming the key, exit code 2.",
        "",
        "This page is generated by `knoop-esb config docs` from the code; a test keeps it current.",
        "",
    ]
    for name, cls in sections().items():
        lines += [f"## [{name}]", ""]
        if cls.__doc__:
            lines += [" ".join(cls.__doc__.split()), ""]
        lines += ["| key | env | default | meaning |", "|---|---|---|---|"]
        for f in dataclasses.fields(cls):
            default = f.default if f.default is not dataclasses.MISSING else (
                f.default_factory() if f.default_factory is not dataclasses.MISSING else "(required)")
            shown = json.dumps(_to_plain(default), ensure_ascii=False) if default != "(required)" else default
            if len(shown) > 60:
                shown = "(see example)"
            env = f"`KNOOP_{name.upper()}_{f.name.upper()}`"
            meaning = f.metadata.get('doc', '')
            if secrets.secret_kind(f):
                meaning += " Secret: masked in `config show`, logs and errors."
            lines.append(f"| `{f.name}` | {env} | `{shown}` | {meaning} |")
        lines.append("")
    return "\n".join(lines)


_DUUR = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")
_EENHEID = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def duur(tekst: str, sleutel: str) -> timedelta:
    """``30d``, ``12h``, ``15m``, ``90s`` or ``0`` as a timedelta; ConfigError naming ``sleutel``.
    Here, not in routing: sections validate durations without importing the domain."""
    match = _DUUR.match(tekst)
    if not match:
        raise ConfigError(sleutel, f"must be a duration like 30d, 12h, 15m, 90s or 0, got {tekst!r}")
    return timedelta(seconds=int(match.group(1)) * _EENHEID[match.group(2)])
