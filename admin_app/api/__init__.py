"""The hotline API (/api/v1): the 12345 platform pushes tickets and reads the status of their petitions.

No session and no login page: every request carries a client's token (`Authorization: Bearer <token>`),
created by the administrator on the 接口客户端 screen and scoped (tickets:write, tickets:read). A missing or
wrong token is a 401, a token without the scope a 403, with a Chinese message in JSON. The API is
described by OPENAPI (served at /api/v1/openapi.json); the tests validate every response against it.

openapi.py   the contract: fields, limits, the OpenAPI document
tokens.py    the client of a request's token, and its scope
tickets.py   the endpoints
"""
from .tickets import bp


def init_app(app):
    app.register_blueprint(bp)
