"""Marshmallow schemas of every request and response, one module per resource.

They validate input (webargs, through flask-smorest) and document the API
(OpenAPI 3); responses are dumped through them, so nothing leaves the service
that a schema does not name.
"""
