"""knoop-esb: a Digikoppeling StUF-BG 03.10 knooppunt for Handelsregister (KVK) data."""

__version__ = "0.1.0"
