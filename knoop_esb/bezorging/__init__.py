"""Delivery of kennisgevingen: the outbox rows helper code puts there (a schema-valid Lk01/Sa01 body
per afnemer endpoint) go out as SOAP 1.1 messages to the afnemers' endpoints, with the profile each
endpoint asks (the plain StUF binding, 2W-be, 2W-be-S, 2W-be-SE), retried until a Bv03 says they
are stored, in order per afnemer endpoint and object.

Modules: ``envelop`` (payload → envelope, WS-A from stuurgegevens; pure), ``antwoord`` (HTTP
answer → delivered / retry / dead; pure), ``verzender`` (one endpoint's HTTPS client: mTLS,
signing, encryption), ``worker`` (claims rows, sends them, records the outcome), ``beheer``
(operators' views and actions on the outbox), ``ontvanger`` (the demo gegevensmagazijn).
"""
