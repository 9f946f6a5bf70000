"""The node's WSGI application: WSDL/XSD front and /health, the TLS peer and envelope guard layers,
the spyne services BeantwoordVraag and OntvangAsynchroon, the request pipeline and the handler
registry (see app.py for the layering and docs/serving.md)."""
