"""The public list of municipal promotion centers (促进中心名单), with each one's latest self-assessment."""

from flask import Blueprint, render_template, request

from ..engine.services.centers import active_centers

bp = Blueprint("centers", __name__)


@bp.get("/centers")
def index():
    args = request.args
    return render_template("public/centers.html", centers=active_centers(args.get("q"), args.get("district")),
                           args=args)
