"""Kennisgevingen: every stored Handelsregister change reaches the afnemers that follow it.

``verdeling`` (the listener at the store seam), ``abonnementen`` (object and area subscriptions),
``beginstand`` (a new subscription's current state, Sa01 or toevoeg-Lk01), ``berichten`` (the body
elements in the outbox), ``handlers`` (Sa03 on OntvangAsynchroon), ``refresh`` (an operator's fetch
from KVK). See docs/kennisgevingen.md.
"""
