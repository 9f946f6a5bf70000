"""WSGI layer that establishes the TLS peer (``environ["knoop.peer"]``) before any SOAP processing,
and refuses with a StUF052 Fo02 (in a SOAP Fault) whom the handshake let through but Digikoppeling
does not: revoked or OIN-less certificates, unknown afnemers, untrusted proxy headers, bad intern
credentials. Every refusal is logged with its reason."""
from __future__ import annotations

from knoop_esb import logs
from knoop_esb.config import Config
from knoop_esb.digikoppeling.identity import ENVIRON_KEY, PeerRefused, PeerResolver
from knoop_esb.endpoints.faults import fault_response
from knoop_esb.stuf import foutcodes, fouten

log = logs.get("knoop_esb.peer")
_BASIC_CHALLENGE = frozenset({"no-certificate", "bad-credentials"})


class PeerMiddleware:
    def __init__(self, app, config: Config, resolver: PeerResolver, *, basic: bool = False):
        """``basic``: the intern profile (HTTP Basic) is enabled, so a request without certificate
        or with wrong credentials is answered 401 with a Basic challenge."""
        self.app = app
        self.config = config
        self.resolver = resolver
        self.basic = basic

    def __call__(self, environ, start_response):
        try:
            peer = self.resolver.resolve(environ)
        except PeerRefused as refused:
            log.warning("peer refused", reason=refused.reason, detail=str(refused),
                        remote=environ.get("REMOTE_ADDR"), path=environ.get("PATH_INFO"))
            fout = fouten.StufFout(foutcodes.STUF052, details=f"{refused.reason}: {refused}")
            if self.basic and refused.reason in _BASIC_CHALLENGE:
                # HTTP clients (urllib, suds, many ESBs) send Basic credentials only after a 401
                # challenge; the body is the same Fo02.
                return fault_response(start_response, fouten.fo02(fout), status="401 Unauthorized",
                                      headers=(("WWW-Authenticate", 'Basic realm="knoop-esb", charset="UTF-8"'),))
            return fault_response(start_response, fouten.fo02(fout))
        environ[ENVIRON_KEY] = peer
        logs.bind_message(afnemer=peer.oin)
        log.debug("peer identified", profiel=peer.profiel, via=peer.via)
        return self.app(environ, start_response)
