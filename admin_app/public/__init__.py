"""The petitioner's look-up page outside /admin/ (《信访工作条例》第二十一条): /chaxun, a 查询码 with the last 4
digits of the petitioner's phone or ID number; after a 答复, the 评价. Shows only models.lookup.public().

No session: the page never saves Flask's session (security.SessionInterface skips it for this blueprint), so it
sets no admin cookie. CSRF is a double-submit token: a random value in a cookie of its own (HttpOnly, SameSite
Strict, path /chaxun) and its HMAC under the secret key in the form. A found petition is carried to the evaluation
form by a signed, short-lived token of its id (never the digits). Every response is no-store; every look-up and
evaluation is audited with the code masked, never the digits.
"""
import hashlib
import hmac
import secrets

from flask import Blueprint, abort, current_app, g, render_template, request
from flask_babel import gettext
from itsdangerous import BadSignature, URLSafeTimedSerializer

from models import audit, evaluation, lookup
from models.workflow import evaluation as evaluating
from models.casework import EVALUATIONS
from models.errors import DomainError
from models.petition import Petition

from .. import i18n

bp = Blueprint("public", __name__)
CSRF_COOKIE = "chaxun_csrf"
FOUND_MINUTES = 15  # how long a look-up's result may be evaluated from without looking up again


def _secret():
    secret = current_app.secret_key
    return secret.encode("utf-8") if isinstance(secret, str) else secret


def csrf_value():
    """This browser's random value (from its cookie, or new: set on the response)."""
    value = request.cookies.get(CSRF_COOKIE, "")
    if len(value) < 32:
        value = getattr(g, "new_csrf", None) or secrets.token_urlsafe(32)
        g.new_csrf = value
    return value


def csrf_token():
    return hmac.new(_secret(), b"chaxun-csrf:" + csrf_value().encode("ascii"), hashlib.sha256).hexdigest()


def csrf_ok():
    value, sent = request.cookies.get(CSRF_COOKIE, ""), request.form.get("csrf_token", "")
    if len(value) < 32 or not sent:
        return False
    expected = hmac.new(_secret(), b"chaxun-csrf:" + value.encode("ascii"), hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, sent)


def _serializer():
    return URLSafeTimedSerializer(_secret(), salt="chaxun-found")


def found_token(petition):
    return _serializer().dumps({"p": petition.id})


def found_petition(token):
    try:
        data = _serializer().loads(token or "", max_age=FOUND_MINUTES * 60)
    except BadSignature:
        return None
    return Petition.get_or_none((Petition.id == data.get("p")) & (Petition.status != "void"))


@bp.before_request
def no_session():
    g.no_session = True  # security.SessionInterface saves no session for this request


@bp.after_request
def headers(response):
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    response.headers["Referrer-Policy"] = "no-referrer"
    new = getattr(g, "new_csrf", None)
    if new:
        response.set_cookie(CSRF_COOKIE, new, httponly=True, samesite="Strict", path="/chaxun",
                            secure=request.is_secure or bool(current_app.config.get("SESSION_COOKIE_SECURE")))
    return response


def result_context(petition, message=None, error=None):
    shown = lookup.public(petition)
    steps = [{"date": i18n.cn_date(at), "step": gettext(mode or step), "detail": department or ""}
             for at, step, department, mode in shown["steps"]]
    letters = [{"title": gettext(kind), "number": number} for kind, number in shown["letters"]]
    present = evaluation.current(petition)
    return {"found": True, "number": shown["number"], "subject": shown["subject"], "steps": steps,
            "due_on": i18n.cn_date(shown["due_on"]) if shown["due_on"] else None, "letters": letters,
            "token": found_token(petition), "may_evaluate": evaluation.window_open(petition),
            "window_ends": i18n.cn_date(evaluation.window_ends(petition.answered_at)) if petition.answered_at else None,
            "evaluation": present, "ratings": [(code, gettext(label)) for code, label in EVALUATIONS],
            "comment_max": evaluation.COMMENT_MAX, "message": message, "error": error}


def page(**context):
    context.setdefault("csrf_token", csrf_token())
    return render_template("public/lookup.html", **context)


def record(state, code, petition=None):
    audit.record("public_lookup", "petition", petition.id if petition is not None else None,
                 summary="%s %s" % (lookup.masked(lookup.normalize(code)), state))


@bp.route("/chaxun", methods=["GET", "POST"])
def lookup_page():
    """GET: the form (?code= from the letter's QR code fills the code in); POST: the look-up."""
    if request.method == "GET":
        code = lookup.normalize(request.args.get("code", ""))
        return page(code=code if lookup.CODE_FORM.match(code) else "")
    if not csrf_ok():
        return page(error=gettext("The page has expired; please enter the query code again.")), 400
    code, last4 = request.form.get("code", ""), request.form.get("last4", "")
    petition, state = lookup.find(code, last4, request.remote_addr)
    record(state, code, petition)
    if state == "locked":
        return page(error=gettext("Too many attempts: this look-up is locked for %(minutes)s minutes.",
                                  minutes=lookup.BLOCK_MINUTES)), 429
    if petition is None:
        return page(error=gettext("No petition matches this query code and these digits. Check both and try "
                                  "again."), code=lookup.normalize(code)), 200
    return page(**result_context(petition))


@bp.route("/chaxun/pingjia", methods=["POST"])
def evaluate():
    """评价 of the present 答复 of the petition just looked up (its signed token); audited."""
    if not csrf_ok():
        return page(error=gettext("The page has expired; please enter the query code again.")), 400
    petition = found_petition(request.form.get("token"))
    if petition is None:
        return page(error=gettext("The page has expired; please enter the query code again.")), 400
    try:
        evaluating.evaluate(petition, request.form.get("rating"), request.form.get("comment"))
    except DomainError as err:
        return page(**result_context(petition, error=i18n.error_message(err))), 400
    return page(**result_context(Petition.get_by_id(petition.id), message=gettext("Thank you: your evaluation has "
                                                                                  "been recorded.")))


def init_app(app):
    app.register_blueprint(bp)
