"""A request's client, from its bearer token and the scope the endpoint needs; errors as JSON in Chinese."""
import datetime as dt

from flask import g, jsonify, request
from flask_babel import gettext

from models.db import now
from models.hotline import SCOPES, ApiClient


def error(status, code, message):
    response = jsonify({"error": code, "message": message})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"' + (
            ', error="invalid_token"' if code == "unauthorized" and "Authorization" in request.headers else "")
    return response


def authenticate(scope):
    """The client of the request's token, or an error response (401 / 403)."""
    header = request.headers.get("Authorization", "")
    kind, _, token = header.partition(" ")
    if not header:
        return None, error(401, "unauthorized", gettext(
            "An access token is required: send it in the Authorization header as Bearer <token>."))
    if kind.lower() != "bearer" or not token.strip():
        return None, error(401, "unauthorized", gettext(
            "The Authorization header must be Bearer followed by the access token."))
    client = ApiClient.by_token(token.strip())
    if client is None:
        return None, error(401, "unauthorized", gettext("The access token is wrong or has been deactivated."))
    if not client.has_scope(scope):
        return None, error(403, "forbidden", gettext("This token does not have the permission %(scope)s (%(code)s).",
                                                     scope=gettext(dict(SCOPES)[scope]), code=scope))
    if client.last_used_at is None or now() - client.last_used_at > dt.timedelta(minutes=1):
        ApiClient.update(last_used_at=now()).where(ApiClient.id == client.id).execute()
    g.api_client = client
    return client, None
