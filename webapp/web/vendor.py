"""Front-end packages installed from npm at set-up, served by the app itself (no CDN: the network is closed)."""

from pathlib import Path

from flask import Blueprint, abort, send_from_directory

NODE_MODULES = Path(__file__).resolve().parents[2] / "node_modules"
# Only these distribution folders are reachable.
PACKAGES = {"bootstrap": "bootstrap/dist", "bpmn-js": "bpmn-js/dist", "dmn-js": "dmn-js/dist",
            "bpmn-js-i18n": "bpmn-js-i18n/translations", "echarts": "echarts/dist"}

bp = Blueprint("vendor", __name__, url_prefix="/vendor")


@bp.get("/<package>/<path:filename>")
def asset(package, filename):
    if package not in PACKAGES:
        abort(404)
    return send_from_directory(NODE_MODULES / PACKAGES[package], filename, max_age=86400)
