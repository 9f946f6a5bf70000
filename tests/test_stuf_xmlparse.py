"""Safe parsing of XML from outside: DTDs, entities, network, size and encoding are refused as StUF055."""
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from knoop_esb.stuf import xmlparse
from knoop_esb.stuf.fouten import StufFout

GOOD = b'<?xml version="1.0" encoding="UTF-8"?><a xmlns="urn:x"><b>\xc3\xa9</b></a>'


def _refused(data: bytes, **kw) -> StufFout:
    with pytest.raises(StufFout) as exc:
        xmlparse.parse(data, **kw)
    assert exc.value.code == "StUF055" and exc.value.plek == "client"
    assert len(exc.value.omschrijving) <= 200
    return exc.value


def test_parses_utf8():
    root = xmlparse.parse(GOOD)
    assert root[0].text == "é"
    assert xmlparse.parse(b"\xef\xbb\xbf<a/>").tag == "a"
    assert xmlparse.parse(b"<?xml version='1.0' encoding='utf-8'?><a/>").tag == "a"


def test_xxe_file_is_refused(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("geheim")
    data = f'<!DOCTYPE a [<!ENTITY x SYSTEM "file://{secret}">]><a>&x;</a>'.encode()
    assert _refused(data).omschrijving == "DTD/entiteiten niet toegestaan"


def test_billion_laughs_is_refused():
    lol = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10)
    ) + b"]><lolz>&lol9;</lolz>"
    assert _refused(lol).omschrijving == "DTD/entiteiten niet toegestaan"


@pytest.fixture
def http_server():
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'<!ENTITY x "pwned">')

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


def test_external_dtd_and_parameter_entities_fetch_nothing(http_server):
    url, hits = http_server
    for data in (
        f'<!DOCTYPE a SYSTEM "{url}/a.dtd"><a>&x;</a>'.encode(),
        f'<!DOCTYPE a [<!ENTITY % p SYSTEM "{url}/p.dtd"> %p;]><a/>'.encode(),
    ):
        assert _refused(data).omschrijving == "DTD/entiteiten niet toegestaan"
    assert hits == []


def test_xinclude_is_not_processed(tmp_path):
    data = b'<a xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="/etc/passwd" parse="text"/></a>'
    root = xmlparse.parse(data)
    assert "root:" not in (root.xpath("string()") or "")


def test_oversize_is_refused_before_parsing():
    fout = _refused(b"<a>" + b"x" * 2000 + b"</a>", max_bytes=1000)
    assert "groter dan toegestaan (1000 bytes)" in fout.omschrijving
    assert xmlparse.parse(b"<a>" + b"x" * 2000 + b"</a>", max_bytes=None).tag == "a"


@pytest.mark.parametrize("encoding", ["ISO-8859-1", "windows-1252", "UTF-16", "US-ASCII"])
def test_non_utf8_declared_encoding_is_refused(encoding):
    data = f'<?xml version="1.0" encoding="{encoding}"?><a>x</a>'.encode("ascii")
    fout = _refused(data)
    assert "alleen UTF-8" in fout.omschrijving and encoding.lower() in fout.omschrijving


def test_utf16_bom_is_refused():
    assert "UTF-16" in _refused('<?xml version="1.0" encoding="UTF-16"?><a/>'.encode("utf-16")).omschrijving


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
@pytest.mark.parametrize("document", ['<a>x</a>', '<?xml version="1.0"?><a/>', ' <a/>',
                                      '<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>'],
                         ids=["element", "declaration", "space", "doctype"])
def test_utf16_and_utf32_without_bom_are_refused(encoding, document):
    refused = _refused(document.encode(encoding))
    assert "zonder BOM" in refused.omschrijving and refused.code == "StUF055"


def test_latin1_bytes_without_declaration_are_unreadable():
    assert _refused(b"<a>caf\xe9</a>").omschrijving.startswith("XML niet leesbaar:")


@pytest.mark.parametrize("data", [b"", b"   ", b"<a>", b"<a></b>", b"not xml", b"<a/><b/>"])
def test_malformed_is_unreadable(data):
    assert _refused(data).omschrijving.startswith("XML niet leesbaar:")


def test_deep_nesting_hits_libxml2_limit():
    data = b"<a>" * 100_000 + b"</a>" * 100_000
    assert _refused(data, max_bytes=None).omschrijving.startswith("XML niet leesbaar:")


def test_parallel_parsing():
    results = []

    def work():
        results.extend(xmlparse.parse(GOOD)[0].text for _ in range(100))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == ["é"] * 400


def test_max_bytes_from_config():
    from knoop_esb.config import load

    assert xmlparse.max_bytes_from(load(None, environ={"KNOOP_NODE_MAX_MESSAGE_BYTES": "1234"})) == 1234
