#!/usr/bin/env python3
"""Make the throw-away example PKI: ``python certs.example/make_pki.py --out var/pki [--force]``.

The maker is :mod:`knoop_esb.example_pki` (so an installed node has it as ``knoop-esb pki make``);
this script stays for the Makefile and for anyone who runs it from a checkout."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # a checkout without `pip install -e`

from knoop_esb.example_pki import EXPECTED, LEAVES, NOW, is_complete, main, make  # noqa: E402

__all__ = ["EXPECTED", "LEAVES", "NOW", "is_complete", "main", "make"]

if __name__ == "__main__":
    sys.exit(main())
