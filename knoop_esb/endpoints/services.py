"""The spyne side: one Application per StUF portType, each with the single generic method that
:class:`~knoop_esb.endpoints.protocol.StufSoap11` routes every body element to.

The Application's tns is deliberately NOT a StUF namespace: with a StUF tns lxml would re-prefix
the payload to ``tns:`` and a body signed before it left would no longer verify.
"""
from __future__ import annotations

# Before any spyne import: spyne 2.14.0 does not import on Python 3.12+ without it.
import knoop_esb.spyne_compat  # noqa: F401  # isort: skip

import logging

import spyne.const
from spyne import AnyXml, Application, ServiceBase, rpc
from spyne.server.wsgi import WsgiApplication

from knoop_esb.config import Config
from knoop_esb.endpoints import pipeline
from knoop_esb.endpoints.handlers import PORTTYPES
from knoop_esb.endpoints.protocol import GENERIC_METHOD, StufSoap11
from knoop_esb.stuf import xmlparse

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


# What a request context holds of the message: its trees, objects, bytes and the WSGI environ.
_MESSAGE_PARTS = ("in_string", "in_document", "in_header_doc", "in_body_doc", "in_object",
                  "out_object", "out_header_doc", "out_body_doc", "out_document", "out_string")


def _release_message(ctx) -> None:
    """spyne's request context is a reference cycle (a ProtocolContext's sub-context factory
    refers to itself, the transport context to the method context), so without this the request
    and answer trees it holds, and the WSGI environ with the raw body, stay in memory until the
    cycle collector runs, every few dozen requests. Fired by ``ctx.close()``, after the answer's
    bytes were handed to the server."""
    attributes = vars(ctx)  # MethodContext.__setattr__ refuses new names once frozen; these exist
    for name in _MESSAGE_PARTS:
        if name in attributes:
            attributes[name] = None
    for protocol_context in (attributes.get("inprot_ctx"), attributes.get("outprot_ctx")):
        if protocol_context is not None:
            protocol_context._subctx.default_factory = None
    if getattr(ctx, "transport", None) is not None:
        ctx.transport.req_env = None


def spyne_app(porttype: str, config: Config) -> WsgiApplication:
    application = Application(
        [_service_class(porttype, config)],
        tns=f"{TNS}:{porttype}",
        name=porttype,
        in_protocol=StufSoap11(config=config),
        out_protocol=StufSoap11(cleanup_namespaces=False, config=config),
    )
    application.event_manager.add_listener("method_context_closed", _release_message)
    # The envelope guard enforces node.max_message_bytes; spyne's own limit (2 MiB) must not be lower.
    return WsgiApplication(application, max_content_length=max(xmlparse.max_bytes_from(config), 2 * 1024 * 1024))


def spyne_apps(config: Config) -> dict[str, WsgiApplication]:
    """path → WSGI app, for every portType the node serves."""
    return {SERVICE_PATHS[p]: spyne_app(p, config) for p in PORTTYPES}
