"""deploy/nginx/knoop-esb.conf with a real nginx in front of a real node: nginx terminates the
afnemer's mutual TLS and passes the verified certificate in X-SSL-Client-Cert; the node (with
nginx in tls.trusted_proxies) answers as that afnemer, never as the proxy's own certificate."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from lxml import etree

from knoop_esb.stuf.ns import BG, SOAP11_ENV, WSA
from tests.fixtures.node import fault_code, node_toml
from tests.test_serve_cli import free_port, wait_for_health

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "vesLv01-vestigingen-van-kvknummer.xml"
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def _nginx_conf(pki, tmp_path: Path, listen: int, node_port: int) -> Path:
    """The example, with this test's ports and the example PKI's files in place of /etc/knoop-esb/tls."""
    site = (REPO / "deploy" / "nginx" / "knoop-esb.conf").read_text(encoding="utf-8")
    files = {"server.pem": pki.cert("server"), "server.key": pki.key("server"), "trust-anchors.pem": pki.ca,
             # The proxy's own client certificate: a valid one whose OIN is NOT an afnemer, so an
             # answer proves the node used the header's certificate.
             "proxy-client.pem": pki.cert("unknown-afnemer"), "proxy-client.key": pki.key("unknown-afnemer"),
             "node-ca.pem": pki.ca}
    for name, path in files.items():
        site = site.replace(f"/etc/knoop-esb/tls/{name}", str(path))
    site = site.replace("listen 443 ssl;", f"listen 127.0.0.1:{listen} ssl;")
    site = site.replace("server 127.0.0.1:8443;", f"server 127.0.0.1:{node_port};")
    assert "/etc/knoop-esb" not in site
    (tmp_path / "knoop-esb.conf").write_text(site, encoding="utf-8")
    temp = tmp_path / "nginx-temp"
    temp.mkdir()
    user = "user root;\n" if os.geteuid() == 0 else ""
    main = f"""{user}daemon off;
worker_processes 1;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/nginx-error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {tmp_path}/knoop-esb.conf;
}}
"""
    conf = tmp_path / "nginx.conf"
    conf.write_text(main, encoding="utf-8")
    return conf


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install nginx-light)")
def test_nginx_example_offloads_tls_and_passes_the_afnemer_certificate(pki, stuf_schemas_dir, tmp_path):
    node_port, listen = free_port(), free_port()
    public = f"https://127.0.0.1:{listen}"
    config = tmp_path / "knoop.toml"
    config.write_text(node_toml(pki, tmp_path, stuf_schemas_dir), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KNOOP_")}
    env.update(KNOOP_NODE_PORT=str(node_port), KNOOP_NODE_WORKERS="1", KNOOP_NODE_PUBLIC_URL=public,
               KNOOP_TLS_TRUSTED_PROXIES="127.0.0.1", KNOOP_LOGGING_LEVEL="INFO")
    node = subprocess.Popen([sys.executable, "-m", "knoop_esb", "--config", str(config), "serve", "--with-kvk-testserver"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=tmp_path)
    conf = _nginx_conf(pki, tmp_path, listen, node_port)
    checked = subprocess.run([NGINX, "-t", "-c", str(conf), "-p", str(tmp_path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    nginx = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_for_health(f"https://127.0.0.1:{node_port}/health", pki.client_context("afnemer-demo"), node)
        via_nginx = wait_for_health(public + "/health", pki.client_context("afnemer-demo"), nginx, timeout=20)
        assert via_nginx.status_code == 200, (tmp_path / "nginx-error.log").read_text()[-2000:]
        envelope = etree.fromstring(EXAMPLE.read_bytes())
        envelope.find(f".//{{{WSA}}}To").text = public + "/stuf/bg0310/BeantwoordVraag"
        operation = etree.QName(envelope.find(f"{{{SOAP11_ENV}}}Body")[0]).localname
        request = dict(content=etree.tostring(envelope, xml_declaration=True, encoding="UTF-8"),
                       headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{BG}/{operation}"'})
        answers = {}
        for name in ("afnemer-demo", "unknown-afnemer"):
            with httpx.Client(verify=pki.client_context(name), timeout=30) as client:
                answers[name] = client.post(public + "/stuf/bg0310/BeantwoordVraag", **request)
        with httpx.Client(verify=pki.client_context(None), timeout=30) as client:  # no certificate: nginx refuses
            no_cert = client.get(public + "/health")
        with httpx.Client(verify=pki.client_context("unknown-afnemer"), timeout=30) as client:
            # A forged header is replaced by nginx with the certificate it verified.
            forged = client.post(public + "/stuf/bg0310/BeantwoordVraag", **{
                **request, "headers": {**request["headers"], "X-SSL-Client-Cert": quote(pki.pem_text("afnemer-demo"), safe="")}})
    finally:
        nginx.send_signal(signal.SIGQUIT)
        nginx.wait(timeout=20)
        node.send_signal(signal.SIGTERM)
        output, _ = node.communicate(timeout=30)
    demo = answers["afnemer-demo"]
    assert demo.status_code == 200, (tmp_path / "nginx-error.log").read_text()[-2000:]
    assert etree.QName(etree.fromstring(demo.content).find(f"{{{SOAP11_ENV}}}Body")[0]).localname == "vesLa01"
    assert fault_code(answers["unknown-afnemer"]) == ("Fo02Bericht", "StUF052")
    assert fault_code(forged) == ("Fo02Bericht", "StUF052")
    assert no_cert.status_code == 400  # nginx: "No required SSL certificate was sent"
    assert node.returncode == 0, output
    assert "reason=unknown-afnemer" in output  # refused as the header's certificate, logged why
