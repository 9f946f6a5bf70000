"""The spyne side: one Application per StUF portType, each with the single generic method that
:class:`~knoop_esb.endpoints.protocol.StufSoap11` routes every body element to.

The Application's tns is deliberately NOT a StUF namespace: with a StUF tns lxml would re-prefix
the payload to ``tns:`` and a body signed before it left would no longer verify.
"""
from __future__ import annotations

import logging

import spyne.const
from spyne import AnyXml, Application, ServiceBase, rpc
from spyne.server.wsgi import WsgiApplication

from knoop_esb.config import Config
from knoop_esb.endpoints import pipeline
from knoop_esb.endpoints.handlers import PORTTYPES
from knoop_esb.endpoints.protocol import GENERIC_METHOD, StufSoap11

TNS = "urn:knoop-esb:endpoints"
# spyne keeps a process-wide registry of applications by (tns, name) and warns when a second node
# in the same process (tests, a restart in-process) registers the same pair; nothing depends on it.
logging.getLogger("spyne.util.appreg").setLevel(logging.ERROR)
# spyne runs a full gc.collect() (tens of ms, holding the GIL) at most once a second when a request
# context closes, to release uploaded files early. We take no file uploads; under load those
# collections were the p99 latency. The ordinary generational collector still runs.
spyne.const.MIN_GC_INTERVAL = float("inf")
# Service address of each portType (Protocolbindingen: soap:address ends in /<PortTypeName>).
SERVICE_PATHS = {porttype: f"/stuf/bg0310/{porttype}" for porttype in PORTTYPES}


def _service_class(porttype: str, config: Config) -> type:
    def bericht(ctx, body):
        return pipeline.process(porttype, body, ctx.transport.req_env, ctx.udc or {}, config)

    method = rpc(AnyXml, _returns=AnyXml, _body_style="bare", _in_message_name=GENERIC_METHOD,
                 _operation_name=GENERIC_METHOD)(bericht)
    return type(porttype, (ServiceBase,), {GENERIC_METHOD: method})


def spyne_app(porttype: str, config: Config) -> WsgiApplication:
    application = Application(
        [_service_class(porttype, config)],
        tns=f"{TNS}:{porttype}",
        name=porttype,
        in_protocol=StufSoap11(),
        out_protocol=StufSoap11(cleanup_namespaces=False),
    )
    return WsgiApplication(application)


def spyne_apps(config: Config) -> dict[str, WsgiApplication]:
    """path → WSGI app, for every portType the node serves."""
    return {SERVICE_PATHS[p]: spyne_app(p, config) for p in PORTTYPES}
