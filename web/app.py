"""The app factory: settings, blueprints, security headers, error pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

from flask import Flask, Response, current_app, g, request
from flask.json.provider import DefaultJSONProvider

from . import admission, errors, resources
from .i18n import NATIVE_NAMES, RTL_LANGS, Translator
from .settings import UI_LANGS, resolve

UI_COOKIE = "ui"
UI_COOKIE_MAX_AGE = 365 * 24 * 3600

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class _JSONProvider(DefaultJSONProvider):
    """UTF-8 JSON in the library's key order, with <, > and & escaped.

    Titles and text are returned as they are (escaping them is the client's
    job), but as \\u003c… so that no browser can ever sniff a JSON body as HTML.
    """

    ensure_ascii = False
    sort_keys = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        text = super().dumps(obj, **kwargs)
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.json_provider_class = _JSONProvider
    app.json = _JSONProvider(app)
    app.config.update(resolve(config))
    app.config["DEBUG"] = False  # never the Werkzeug debugger, whatever the environment says
    app.jinja_env.autoescape = True  # every template, whatever its name
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    resources.init_app(app)
    admission.init_app(app)

    from .api import bp as api_bp
    from .parallel_views import bp as parallel_bp
    from .trends import bp as trends_bp
    from .views import bp as pages_bp

    app.register_blueprint(pages_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(parallel_bp)
    app.register_blueprint(trends_bp)

    app.before_request(_choose_ui_lang)
    app.after_request(_after_request)
    app.context_processor(_template_globals)
    errors.init_app(app)

    if app.config.get("WARM_UP"):
        resources.holder(app).warm_up()
    return app


# -- interface language --------------------------------------------------------


def _choose_ui_lang() -> None:
    """?ui= (remembered in a cookie), else the cookie, else Accept-Language, else the default."""
    asked = (request.args.get("ui") or "").strip().lower()
    g.set_ui_cookie = asked in UI_LANGS
    lang = asked if asked in UI_LANGS else None
    if lang is None:
        cookie = request.cookies.get(UI_COOKIE, "")
        lang = cookie if cookie in UI_LANGS else None
    if lang is None:
        lang = request.accept_languages.best_match(UI_LANGS)
    g.ui = lang or current_app.config["DEFAULT_UI_LANG"]
    g.t = Translator(g.ui)


def _after_request(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    response.vary.update(("Accept-Language", "Cookie"))
    if g.get("set_ui_cookie"):
        response.set_cookie(UI_COOKIE, g.ui, max_age=UI_COOKIE_MAX_AGE, samesite="Lax",
                            httponly=True, secure=request.is_secure)
    if request.path.startswith("/api/") or request.path == "/healthz":
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("Access-Control-Allow-Origin", "*")
    return response


def _template_globals() -> dict[str, Any]:
    ui = g.get("ui", "en")
    return {"t": g.get("t") or Translator("en"), "ui": ui, "ui_switch_url": _ui_switch_url(ui),
            "native_names": NATIVE_NAMES, "text_dir": _text_dir}


def _ui_switch_url(ui: str) -> str:
    """This page in the other interface language."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "ui"]
    args.append(("ui", "en" if ui == "zh" else "zh"))
    return f"{request.script_root}{quote(request.path)}?{urlencode(args)}"


def _text_dir(lang: str | None) -> str:
    return "rtl" if lang in RTL_LANGS else "ltr"
