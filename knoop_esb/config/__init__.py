"""Configuration of the node: ``load()`` returns a :class:`Config` with one attribute per section."""
from knoop_esb.config.loader import Config, ConfigError, doc, load, render_docs, section, sections

__all__ = ["Config", "ConfigError", "doc", "load", "render_docs", "section", "sections"]
