"""Admin fragments: users, roles, groups, audit log, legal holds, exports and retention.

Every section is read, and every change made, through the admin API in-process with the
caller's token, so the API's own role gates (ADMIN, SUPER_ADMIN) and audit records apply.
After a change the section is rendered again with a notice.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, g, render_template, request

from gorunchat.contracts.errors import ValidationFailed
from gorunchat.contracts.identity import Role
from gorunchat.web.api import Api
from gorunchat.web.pages import ADMIN_SECTIONS
from gorunchat.web.routing import view

_AUDIT_FILTERS = ("action", "actorUserId", "targetType", "targetId", "since", "until",
                  "cursor")
EXPORT_PARTS = ("audit", "discovery", "messages", "files")


def _users(api: Api) -> dict[str, Any]:
    q = request.values.get("q", "").strip()[:200]
    roles = [r["name"] for r in api.get("/api/admin/roles", limit=200)["roles"]]
    if len(q) >= 2:
        found = api.get("/api/admin/users/search", q=q, limit=50)
        users = found.get("users", found) if isinstance(found, dict) else found
    else:
        users = api.get("/api/admin/users", limit=100)["users"]
    return {"users": users, "roles": roles, "q": q}


def _roles(api: Api) -> dict[str, Any]:
    names = [r["name"] for r in api.get("/api/admin/roles", limit=200)["roles"]]
    roles = []
    for name in names:
        answer = api.get(f"/api/admin/roles/{name}")
        roles.append(answer.get("role", answer))
    return {"roles": roles, "open": request.values.get("open", "")}


def _groups(api: Api) -> dict[str, Any]:
    groups = api.get("/api/admin/groups", limit=200)["groups"]
    members = {g["id"]: api.get(f"/api/admin/groups/{g['id']}/members", limit=200)["members"]
               for g in groups}
    return {"groups": groups, "members": members, "open": request.values.get("open", "")}


def _audit(api: Api) -> dict[str, Any]:
    filters = {k: request.values.get(k, "").strip()[:256] for k in _AUDIT_FILTERS}
    query = {k: v for k, v in filters.items() if v}
    for key in ("since", "until"):
        if key in query and len(query[key]) == 10:  # a date input: the whole day
            query[key] += "T00:00:00Z" if key == "since" else "T23:59:59Z"
    page = api.get("/api/admin/audit-log", limit=50, **query)
    verify = api.get("/api/admin/audit-log/verify") if request.values.get("verify") else None
    export_query = {k: v for k, v in query.items() if k != "cursor"}
    return {"page": page, "filters": filters, "verify": verify, "export_query": export_query}


def section_context(api: Api, section: str) -> dict[str, Any]:
    """What the section's template shows, read from the admin API."""
    if section == "users":
        return _users(api)
    if section == "roles":
        return _roles(api)
    if section == "groups":
        return _groups(api)
    if section == "audit":
        return _audit(api)
    if section == "holds":
        return {"holds": api.get("/api/admin/holds", limit=100)}
    if section == "exports":
        return {"exports": api.get("/api/admin/exports", limit=100), "parts": EXPORT_PARTS}
    return {"retention": api.get("/api/admin/retention")}


def _super_admin() -> bool:
    """Whether the caller may use the SUPER_ADMIN actions (the API decides either way)."""
    principal = g.get("principal")
    return bool(principal is not None and principal.has_role(Role.SUPER_ADMIN))


def render_section(api: Api, section: str, notice: str | None = None) -> Response:
    html = render_template(f"fragments/admin_{section}.html", section=section, notice=notice,
                           super_admin=_super_admin(), **section_context(api, section))
    return Response(html, mimetype="text/html")


@view("web.ui_admin")
def admin_section(section: str) -> Response:
    if section not in ADMIN_SECTIONS:
        abort(404)
    return render_section(Api(request), section)


@view("web.ui_user_role")
def user_role(id: str) -> Response:  # noqa: A002 - the route's parameter name
    api = Api(request)
    role = request.form.get("role", "")
    api.send("PATCH", f"/api/admin/users/{id}/role", {"role": role})
    return render_section(api, "users", f"The role is now {role}.")


@view("web.ui_user_ban")
def user_ban(id: str) -> Response:  # noqa: A002
    api = Api(request)
    reason = request.form.get("reason", "").strip() or None
    api.send("POST", f"/api/admin/users/{id}/ban", {"reason": reason})
    return render_section(api, "users", "The user is banned.")


@view("web.ui_user_unban")
def user_unban(id: str) -> Response:  # noqa: A002
    api = Api(request)
    api.send("DELETE", f"/api/admin/users/{id}/ban")
    return render_section(api, "users", "The ban was lifted.")


@view("web.ui_user_delete")
def user_delete(id: str) -> Response:  # noqa: A002
    api = Api(request)
    api.send("DELETE", f"/api/admin/users/{id}")
    return render_section(api, "users", "The user was deleted.")


@view("web.ui_role_permissions")
def role_permissions(name: str) -> Response:
    """Every permission listed in the form is set: on if its box was checked, else off."""
    api = Api(request)
    checked = set(request.form.getlist("granted"))
    permissions: dict[str, dict[str, bool]] = {}
    for key in request.form.getlist("listed"):
        kind, _, perm = key.partition(".")
        if kind and perm:
            permissions.setdefault(kind, {})[perm] = key in checked
    api.send("PATCH", f"/api/admin/roles/{name}/permissions", {"permissions": permissions})
    html = render_template("fragments/admin_roles.html", section="roles", open=name,
                           notice=f"The permissions of {name} were saved.",
                           roles=_roles(api)["roles"])
    return Response(html, mimetype="text/html")


@view("web.ui_group_create")
def group_create() -> Response:
    api = Api(request)
    body = {"name": request.form.get("name", "").strip()}
    description = request.form.get("description", "").strip()
    if description:
        body["description"] = description
    api.send("POST", "/api/admin/groups", body)
    return render_section(api, "groups", f"The group {body['name']} was created.")


@view("web.ui_member_add")
def member_add(id: str) -> Response:  # noqa: A002
    api = Api(request)
    user_ids = _ids(api, request.form.get("member", ""))
    if not user_ids:
        raise ValidationFailed("Name a member by email or user id.", code="MEMBER_REQUIRED")
    for user_id in user_ids:
        api.send("POST", f"/api/admin/groups/{id}/members", {"userId": user_id})
    return _group_section(api, id, "The member was added.")


@view("web.ui_member_remove")
def member_remove(id: str, userId: str) -> Response:  # noqa: A002, N803
    api = Api(request)
    api.send("DELETE", f"/api/admin/groups/{id}/members/{userId}")
    return _group_section(api, id, "The member was removed.")


def _group_section(api: Api, group_id: str, notice: str) -> Response:
    context = _groups(api) | {"open": group_id}
    html = render_template("fragments/admin_groups.html", section="groups", notice=notice,
                           super_admin=_super_admin(), **context)
    return Response(html, mimetype="text/html")


def _ids(api: Api, raw: str) -> list[str]:
    """User ids from a comma-separated list of ids or email addresses."""
    ids: list[str] = []
    for item in (part.strip() for part in raw.split(",")):
        if not item:
            continue
        if "@" not in item:
            ids.append(item)
            continue
        found = api.get("/api/admin/users/search", q=item, limit=5)
        users = found.get("users", found) if isinstance(found, dict) else found
        match = [u for u in users if str(u.get("email", "")).lower() == item.lower()]
        if not match:
            raise ValidationFailed(f"No user has the email {item}.", code="USER_NOT_FOUND")
        ids.append(str(match[0]["id"]))
    return ids


@view("web.ui_hold_create")
def hold_create() -> Response:
    api = Api(request)
    scope = request.form.get("scope", "users")
    body: dict[str, Any] = {"name": request.form.get("name", "").strip(),
                            "matter": request.form.get("matter", "").strip() or None,
                            "scope": scope}
    if scope == "users":
        body["custodians"] = _ids(api, request.form.get("custodians", ""))
    elif scope == "conversations":
        raw = request.form.get("conversationIds", "")
        body["conversationIds"] = [c.strip() for c in raw.split(",") if c.strip()]
    api.send("POST", "/api/admin/holds", body)
    return render_section(api, "holds", f"The hold {body['name']} is in place.")


@view("web.ui_hold_release")
def hold_release(id: str) -> Response:  # noqa: A002
    api = Api(request)
    reason = request.form.get("reason", "").strip()
    api.send("POST", f"/api/admin/holds/{id}/release", {"reason": reason})
    return render_section(api, "holds", "The hold was released.")


@view("web.ui_export_create")
def export_create() -> Response:
    api = Api(request)
    since, until = request.form.get("since", ""), request.form.get("until", "")
    body = {"custodians": _ids(api, request.form.get("custodians", "")),
            "since": f"{since}T00:00:00Z" if len(since) == 10 else since,
            "until": f"{until}T23:59:59Z" if len(until) == 10 else until,
            "include": [p for p in EXPORT_PARTS if request.form.get(f"include_{p}")]}
    api.send("POST", "/api/admin/exports", body)
    return render_section(api, "exports", "The export was queued.")


@view("web.ui_retention")
def retention() -> Response:
    api = Api(request)
    body: dict[str, Any] = {}
    for key in ("auditDays", "discoveryDays", "chatDays"):
        raw = request.form.get(key, "").strip()
        if raw:
            if not raw.isdigit():
                raise ValidationFailed(f"{key} must be a whole number of days.")
            body[key] = int(raw)
    api.send("PUT", "/api/admin/retention", body)
    return render_section(api, "retention", "The retention policy was saved.")
