"""Namespace URIs of the standards the node speaks, and the prefixes it writes them with."""

STUF = "http://www.egem.nl/StUF/StUF0301"
BG = "http://www.egem.nl/StUF/sector/bg/0310"
GML = "http://www.opengis.net/gml"
XLINK = "http://www.w3.org/1999/xlink"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XMIME = "http://www.w3.org/2005/05/xmlmime"

SOAP11_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
WSA = "http://www.w3.org/2005/08/addressing"
WSAM = "http://www.w3.org/2007/05/addressing/metadata"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
WSSE11 = "http://docs.oasis-open.org/wss/oasis-wss-wssecurity-secext-1.1.xsd"
DS = "http://www.w3.org/2000/09/xmldsig#"
XENC = "http://www.w3.org/2001/04/xmlenc#"
XENC11 = "http://www.w3.org/2009/xmlenc11#"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"

NSMAP = {
    "StUF": STUF,
    "BG": BG,
    "gml": GML,
    "xlink": XLINK,
    "xsi": XSI,
}

SOAP_NSMAP = {"soapenv": SOAP11_ENV, "wsa": WSA, "wsse": WSSE, "wsu": WSU, "ds": DS}


def q(ns: str, local: str) -> str:
    """Clark notation ``{ns}local`` for lxml."""
    return f"{{{ns}}}{local}"
