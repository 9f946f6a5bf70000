"""Kennisgevingen in: nnpLk01 / macLk01 / vesLk01 on OntvangAsynchroon from chain partners.

A kennisgeving is read (``kennisgeving``), checked against what the node received before from that
zender (StUF016, StUF019: ``store.ontvangen``), authorised (``autorisatie``: chain partners per
entiteittype, StUF052), translated to the canonical model (``transform.stufbg``) and stored with
``handelsregister.save`` / ``.end`` in one transaction with the record of the message
(``verwerking``); only then is it answered with Bv03 (``handlers``). An indicatorOvername "I"
places (T) or removes (V) an afnemerindicatie for the zender instead. See docs/kennisgevingen.md.
"""
