"""Sidebar fragments: the conversation list (infinite scroll, search) and its item actions.

Each view calls the conversation API in-process with the caller's token and renders the
answer; mutations answer with the changed item (or nothing, with an ``HX-Trigger`` the page
listens to) so htmx swaps only what changed.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Response, abort, render_template, request

from gorunchat.contracts.errors import ValidationFailed
from gorunchat.web.api import Api
from gorunchat.web.routing import view

PAGE_SIZE = 25
FORMS = ("rename", "tags", "delete", "item")


def _now_local() -> tuple[datetime, timedelta]:
    """Now in the browser's zone (``X-TZ-Offset``: minutes, as ``getTimezoneOffset``)."""
    raw = request.headers.get("X-TZ-Offset", "0")
    minutes = int(raw) if raw.lstrip("-").isdigit() and abs(int(raw)) <= 14 * 60 else 0
    shift = timedelta(minutes=-minutes)
    return datetime.now(UTC) + shift, shift


def date_group(updated: str | None) -> str:
    """Today / Yesterday / Previous 7 days / Previous 30 days / Month Year."""
    if not updated:
        return "Older"
    now, shift = _now_local()
    moment = datetime.fromisoformat(updated.replace("Z", "+00:00")) + shift
    days = (now.date() - moment.date()).days
    if days <= 0:
        return "Today"
    if days == 1:
        return "Yesterday"
    if days < 7:
        return "Previous 7 days"
    if days < 30:
        return "Previous 30 days"
    return moment.strftime("%B %Y")


def _page(api: Api, search: str, cursor: str) -> dict[str, Any]:
    page: dict[str, Any] = api.get("/api/convos", limit=PAGE_SIZE, cursor=cursor or None,
                                   search=search or None)
    return page


@view("web.ui_convos")
def convos() -> Response:
    api = Api(request)
    search = request.args.get("search", "").strip()[:200]
    cursor = request.args.get("cursor", "")[:1024]
    last_group = request.args.get("group", "")[:64]
    pinned: list[dict[str, Any]] = []
    if not cursor and not search:
        pinned = api.get("/api/convos", limit=100, pinned="true")["conversations"]
    page = _page(api, search, cursor)
    items = [c for c in page["conversations"] if search or not c.get("isPinned")]
    rows: list[tuple[str | None, dict[str, Any]]] = []
    for convo in items:
        group = "Results" if search else date_group(convo.get("updatedAt"))
        rows.append((group if group != last_group else None, convo))
        last_group = group
    html = render_template("fragments/convo_page.html", pinned=pinned, rows=rows,
                           next_cursor=page.get("nextCursor"), search=search,
                           last_group=last_group, first=not cursor)
    return Response(html, mimetype="text/html")


def _item(convo: dict[str, Any], status: int = 200, trigger: str | None = None) -> Response:
    html = render_template("fragments/convo_item.html", c=convo)
    response = Response(html, status=status, mimetype="text/html")
    if trigger:
        response.headers["HX-Trigger"] = trigger
    return response


def _get(api: Api, conversation_id: str) -> dict[str, Any]:
    convo: dict[str, Any] = api.get(f"/api/convos/{conversation_id}")
    return convo


@view("web.ui_convo_form")
def convo_form(conversationId: str, form: str) -> Response:  # noqa: N803
    if form not in FORMS:
        abort(404)
    convo = _get(Api(request), conversationId)
    if form == "item":
        return _item(convo)
    html = render_template(f"fragments/convo_{form}.html", c=convo)
    return Response(html, mimetype="text/html")


@view("web.ui_rename")
def rename(conversationId: str) -> Response:  # noqa: N803
    title = request.form.get("title", "").strip()
    if not title:
        raise ValidationFailed("Give the conversation a title.", code="TITLE_REQUIRED")
    convo = Api(request).send("POST", "/api/convos/update",
                              {"arg": {"conversationId": conversationId, "title": title}})
    return _item(convo, trigger=json.dumps({"grc:convo-renamed": {"id": conversationId,
                                                                  "title": convo["title"]}}))


def _flag(name: str) -> bool:
    return request.form.get(name, "").lower() == "true"


@view("web.ui_pin")
def pin(conversationId: str) -> Response:  # noqa: N803
    Api(request).send("POST", "/api/convos/pin",
                      {"arg": {"conversationId": conversationId, "pinned": _flag("pinned")}})
    return Response(status=204, headers={"HX-Trigger": "grc:convos-changed"})


@view("web.ui_archive")
def archive(conversationId: str) -> Response:  # noqa: N803
    archived = request.form.get("archived", "true").lower() == "true"
    Api(request).send("POST", "/api/convos/archive",
                      {"arg": {"conversationId": conversationId, "isArchived": archived}})
    event = {"grc:convo-removed": {"id": conversationId, "reason": "archived"}}
    if not archived:
        event = {"grc:convo-restored": {"id": conversationId}}
    return Response("", mimetype="text/html", headers={"HX-Trigger": json.dumps(event)})


@view("web.ui_tags")
def tags(conversationId: str) -> Response:  # noqa: N803
    raw = request.form.get("tags", "")
    names = list(dict.fromkeys(t.strip() for t in raw.split(",") if t.strip()))
    api = Api(request)
    api.send("PUT", f"/api/tags/convo/{conversationId}", {"tags": names})
    return _item(_get(api, conversationId))


@view("web.ui_delete")
def delete(conversationId: str) -> Response:  # noqa: N803
    Api(request).send("DELETE", "/api/convos", {"arg": {"conversationId": conversationId}})
    event = {"grc:convo-removed": {"id": conversationId, "reason": "deleted"}}
    return Response("", mimetype="text/html", headers={"HX-Trigger": json.dumps(event)})
