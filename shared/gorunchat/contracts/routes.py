"""The route table: the single source of every HTTP route GoRunChat serves.

It drives each Cloud Function's dispatch, the local gateway, the generated Terraform URL map,
the OpenAPI document and the parity check against LibreChat's routes. Paths use LibreChat's
``:param`` syntax. Each route names its deployable target (a function group,
``streaming-service`` or ``web``), its auth level and, for a mutation, the audit action it
records.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import cache

from pydantic import BaseModel, ConfigDict


class Auth(StrEnum):
    PUBLIC = "public"
    USER = "user"
    ADMIN = "admin"
    SUPER_ADMIN = "super_admin"
    TASK = "task"


STREAMING = "streaming-service"
WEB = "web"

MUTATING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class Route(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    method: str
    path: str
    target: str
    auth: Auth
    audit: str | None = None
    summary: str = ""

    @property
    def group(self) -> str:
        """The function group (``convos``) or the deployable name for non-function targets."""
        return self.target.removeprefix("function:")

    @property
    def is_function(self) -> bool:
        return self.target.startswith("function:")

    @property
    def werkzeug_rule(self) -> str:
        return re.sub(r":([A-Za-z_][A-Za-z0-9_]*)", r"<\1>", self.path)


# (method, path, auth, audit action or "", route id suffix)
# The group comes from the path (see ``group_for_path``); the id is "<group>.<suffix>".
_P, _U, _A, _S, _T = Auth.PUBLIC, Auth.USER, Auth.ADMIN, Auth.SUPER_ADMIN, Auth.TASK

_TABLE: tuple[tuple[str, str, Auth, str, str], ...] = (
    # operations
    ("GET", "/health", _P, "", "health"),
    ("GET", "/livez", _P, "", "livez"),
    ("GET", "/readyz", _P, "", "readyz"),
    ("GET", "/metrics", _P, "", "metrics"),
    # startup configuration and registries
    ("GET", "/api/config", _P, "", "config"),
    ("GET", "/api/banner", _P, "", "banner"),
    ("GET", "/api/endpoints", _U, "", "endpoints"),
    ("GET", "/api/endpoints/token-config", _U, "", "token_config"),
    ("GET", "/api/models", _U, "", "models"),
    ("GET", "/api/search/enable", _U, "", "search_enable"),
    ("GET", "/api/categories", _U, "", "categories"),
    # authentication
    ("POST", "/api/auth/register", _P, "auth.register", "register"),
    ("POST", "/api/auth/login", _P, "auth.login", "login"),
    ("POST", "/api/auth/logout", _U, "auth.logout", "logout"),
    ("POST", "/api/auth/refresh", _P, "auth.refresh", "refresh"),
    ("POST", "/api/auth/requestPasswordReset", _P, "auth.password_reset_requested",
     "request_password_reset"),
    ("POST", "/api/auth/resetPassword", _P, "auth.password_reset", "reset_password"),
    ("POST", "/api/auth/2fa/enable", _U, "auth.2fa_enable", "twofa_enable"),
    ("POST", "/api/auth/2fa/verify", _U, "auth.2fa_verify", "twofa_verify"),
    ("POST", "/api/auth/2fa/verify-temp", _P, "auth.2fa_verify_temp", "twofa_verify_temp"),
    ("POST", "/api/auth/2fa/confirm", _U, "auth.2fa_confirm", "twofa_confirm"),
    ("POST", "/api/auth/2fa/disable", _U, "auth.2fa_disable", "twofa_disable"),
    ("POST", "/api/auth/2fa/backup/regenerate", _U, "auth.2fa_backup_regenerate",
     "twofa_backup_regenerate"),
    ("GET", "/api/auth/sessions", _U, "", "sessions_list"),
    ("DELETE", "/api/auth/sessions/:sessionId", _U, "auth.session_revoke", "session_revoke"),
    ("POST", "/api/auth/logout/all", _U, "auth.logout_all", "logout_all"),
    ("GET", "/oauth/error", _P, "", "oauth_error"),
    ("GET", "/oauth/success", _P, "", "oauth_success"),
    ("GET", "/oauth/google", _P, "", "oauth_google"),
    ("GET", "/oauth/google/callback", _P, "auth.login_oauth", "oauth_google_callback"),
    ("GET", "/oauth/github", _P, "", "oauth_github"),
    ("GET", "/oauth/github/callback", _P, "auth.login_oauth", "oauth_github_callback"),
    ("GET", "/oauth/openid", _P, "", "oauth_openid"),
    ("GET", "/oauth/openid/callback", _P, "auth.login_oauth", "oauth_openid_callback"),
    ("GET", "/oauth/saml", _P, "", "oauth_saml"),
    ("POST", "/oauth/saml/callback", _P, "auth.login_saml", "oauth_saml_callback"),
    # the signed-in user
    ("GET", "/api/user", _U, "", "get"),
    ("DELETE", "/api/user/delete", _U, "user.delete", "delete"),
    ("POST", "/api/user/plugins", _U, "user.plugins_update", "plugins"),
    ("PATCH", "/api/user/preferences", _U, "user.preferences_update", "preferences"),
    ("GET", "/api/user/terms", _U, "", "terms"),
    ("POST", "/api/user/terms/accept", _U, "user.terms_accept", "terms_accept"),
    ("POST", "/api/user/verify", _P, "user.email_verify", "verify"),
    ("POST", "/api/user/verify/resend", _P, "user.email_verify_resend", "verify_resend"),
    ("GET", "/api/user/settings/favorites", _U, "", "favorites_get"),
    ("POST", "/api/user/settings/favorites", _U, "user.favorites_update", "favorites_set"),
    ("GET", "/api/user/settings/favorites/tools", _U, "", "favorite_tools_get"),
    ("PUT", "/api/user/settings/favorites/tools/:itemType/:itemId", _U,
     "user.favorite_tool_add", "favorite_tool_put"),
    ("DELETE", "/api/user/settings/favorites/tools/:itemType/:itemId", _U,
     "user.favorite_tool_remove", "favorite_tool_delete"),
    # conversations
    ("GET", "/api/convos", _U, "", "list"),
    ("DELETE", "/api/convos", _U, "conversation.delete", "delete"),
    ("DELETE", "/api/convos/all", _U, "conversation.delete_all", "delete_all"),
    ("GET", "/api/convos/:conversationId", _U, "", "get"),
    ("POST", "/api/convos/update", _U, "conversation.update", "update"),
    ("POST", "/api/convos/archive", _U, "conversation.archive", "archive"),
    ("POST", "/api/convos/archive/all", _U, "conversation.archive_all", "archive_all"),
    ("POST", "/api/convos/pin", _U, "conversation.pin", "pin"),
    ("POST", "/api/convos/duplicate", _U, "conversation.duplicate", "duplicate"),
    ("POST", "/api/convos/fork", _U, "conversation.fork", "fork"),
    ("POST", "/api/convos/import", _U, "conversation.import", "import"),
    ("GET", "/api/convos/gen_title/:conversationId", _U, "", "gen_title"),
    # GoRunChat: LibreChat exports on the client; this serves the same JSON from the server
    ("GET", "/api/convos/:conversationId/export", _U, "conversation.export", "export"),
    # messages
    ("GET", "/api/messages", _U, "", "search"),
    ("GET", "/api/messages/:conversationId", _U, "", "list"),
    ("POST", "/api/messages/:conversationId", _U, "message.create", "create"),
    ("GET", "/api/messages/:conversationId/:messageId", _U, "", "get"),
    ("PUT", "/api/messages/:conversationId/:messageId", _U, "message.update", "update"),
    ("DELETE", "/api/messages/:conversationId/:messageId", _U, "message.delete", "delete"),
    ("PUT", "/api/messages/:conversationId/:messageId/feedback", _U, "message.feedback",
     "feedback"),
    ("POST", "/api/messages/artifact/:messageId", _U, "message.artifact_edit", "artifact"),
    ("POST", "/api/messages/branch", _U, "message.branch", "branch"),
    # tags
    ("GET", "/api/tags", _U, "", "list"),
    ("POST", "/api/tags", _U, "tag.create", "create"),
    ("PUT", "/api/tags/:tag", _U, "tag.update", "update"),
    ("DELETE", "/api/tags/:tag", _U, "tag.delete", "delete"),
    ("PUT", "/api/tags/convo/:conversationId", _U, "tag.set_conversation", "set_conversation"),
    # files
    ("GET", "/api/files", _U, "", "list"),
    ("POST", "/api/files", _U, "file.upload", "upload"),
    ("DELETE", "/api/files", _U, "file.delete", "delete"),
    ("GET", "/api/files/config", _U, "", "config"),
    ("POST", "/api/files/usage", _U, "", "usage"),
    ("GET", "/api/files/:file_id/preview", _U, "", "preview"),
    ("GET", "/api/files/agent/:agent_id", _U, "", "agent_files"),
    ("GET", "/api/files/download-url/:userId/:file_id", _U, "", "download_url"),
    ("GET", "/api/files/download/:userId/:file_id", _U, "", "download"),
    ("POST", "/api/files/images", _U, "file.upload_image", "images"),
    ("POST", "/api/files/images/avatar", _U, "user.avatar_update", "avatar"),
    ("POST", "/api/files/images/agents/:agent_id/avatar", _U, "agent.avatar_update",
     "agent_avatar"),
    ("POST", "/api/files/images/assistants/:assistant_id/avatar", _U,
     "assistant.avatar_update", "assistant_avatar"),
    # presets
    ("GET", "/api/presets", _U, "", "list"),
    ("POST", "/api/presets", _U, "preset.save", "save"),
    ("POST", "/api/presets/delete", _U, "preset.delete", "delete"),
    # prompts
    ("GET", "/api/prompts", _U, "", "list"),
    ("POST", "/api/prompts", _U, "prompt.create", "create"),
    ("GET", "/api/prompts/all", _U, "", "all"),
    ("GET", "/api/prompts/groups", _U, "", "groups"),
    ("GET", "/api/prompts/groups/:groupId", _U, "", "group_get"),
    ("PATCH", "/api/prompts/groups/:groupId", _U, "promptgroup.update", "group_update"),
    ("DELETE", "/api/prompts/groups/:groupId", _U, "promptgroup.delete", "group_delete"),
    ("POST", "/api/prompts/groups/:groupId/prompts", _U, "prompt.add", "group_add_prompt"),
    ("POST", "/api/prompts/groups/:groupId/use", _U, "promptgroup.use", "group_use"),
    ("GET", "/api/prompts/:promptId", _U, "", "get"),
    ("DELETE", "/api/prompts/:promptId", _U, "prompt.delete", "delete"),
    ("PATCH", "/api/prompts/:promptId/tags/production", _U, "prompt.make_production",
     "make_production"),
    # shared links
    ("GET", "/api/share", _U, "", "list"),
    ("GET", "/api/share/link/:conversationId", _U, "", "link"),
    ("POST", "/api/share/:conversationId", _U, "share.create", "create"),
    ("GET", "/api/share/:shareId", _P, "", "get"),
    ("PATCH", "/api/share/:shareId", _U, "share.update", "update"),
    ("DELETE", "/api/share/:shareId", _U, "share.delete", "delete"),
    ("GET", "/api/share/:shareId/config", _P, "", "config"),
    ("POST", "/api/share/:shareId/fork", _U, "share.fork", "fork"),
    ("GET", "/api/share/:shareId/files/:file_id", _P, "", "file"),
    ("GET", "/api/share/:shareId/files/:file_id/download", _P, "", "file_download"),
    ("GET", "/api/share/:shareId/files/:file_id/preview", _P, "", "file_preview"),
    # memories
    ("GET", "/api/memories", _U, "", "list"),
    ("POST", "/api/memories", _U, "memory.create", "create"),
    ("PATCH", "/api/memories/preferences", _U, "memory.preferences_update", "preferences"),
    ("PATCH", "/api/memories/:key", _U, "memory.update", "update"),
    ("DELETE", "/api/memories/:key", _U, "memory.delete", "delete"),
    # agents (the chat routes belong to the streaming service, see group_for_path)
    ("GET", "/api/agents", _U, "", "list"),
    ("POST", "/api/agents", _U, "agent.create", "create"),
    ("GET", "/api/agents/categories", _U, "", "categories"),
    ("GET", "/api/agents/:id", _U, "", "get"),
    ("PATCH", "/api/agents/:id", _U, "agent.update", "update"),
    ("DELETE", "/api/agents/:id", _U, "agent.delete", "delete"),
    ("POST", "/api/agents/:id/duplicate", _U, "agent.duplicate", "duplicate"),
    ("GET", "/api/agents/:id/expanded", _U, "", "expanded"),
    ("POST", "/api/agents/:id/revert", _U, "agent.revert", "revert"),
    ("GET", "/api/agents/:id/versions", _U, "", "versions"),
    ("GET", "/api/agents/actions", _U, "", "actions_list"),
    ("POST", "/api/agents/actions/:agent_id", _U, "action.save", "action_save"),
    ("DELETE", "/api/agents/actions/:agent_id/:action_id", _U, "action.delete",
     "action_delete"),
    ("GET", "/api/agents/tools", _U, "", "tools"),
    ("GET", "/api/agents/tools/calls", _U, "", "tool_calls"),
    ("GET", "/api/agents/tools/:toolId/auth", _U, "", "tool_auth"),
    ("POST", "/api/agents/tools/:toolId/call", _U, "tool.call", "tool_call"),
    ("POST", "/api/actions/:action_id/oauth/bind", _U, "action.oauth_bind", "oauth_bind"),
    ("GET", "/api/actions/:action_id/oauth/callback", _P, "action.oauth_callback",
     "oauth_callback"),
    # chat streaming (streaming service)
    ("POST", "/api/agents/chat", _U, "message.create", "start"),
    ("POST", "/api/agents/chat/abort", _U, "chat.abort", "abort"),
    ("POST", "/api/agents/chat/resume", _U, "", "resume"),
    ("GET", "/api/agents/chat/active", _U, "", "active"),
    ("GET", "/api/agents/chat/status/:conversationId", _U, "", "status"),
    ("GET", "/api/agents/chat/stream/:streamId", _U, "", "stream"),
    ("POST", "/api/agents/chat/:endpoint", _U, "message.create", "start_endpoint"),
    # MCP
    ("GET", "/api/mcp/tools", _U, "", "tools"),
    ("GET", "/api/mcp/servers", _U, "", "servers_list"),
    ("POST", "/api/mcp/servers", _U, "mcp.server_create", "server_create"),
    ("GET", "/api/mcp/servers/:serverName", _U, "", "server_get"),
    ("PATCH", "/api/mcp/servers/:serverName", _U, "mcp.server_update", "server_update"),
    ("DELETE", "/api/mcp/servers/:serverName", _U, "mcp.server_delete", "server_delete"),
    ("GET", "/api/mcp/connection/status", _U, "", "status"),
    ("GET", "/api/mcp/connection/status/:serverName", _U, "", "server_status"),
    ("POST", "/api/mcp/:serverName/reinitialize", _U, "mcp.reinitialize", "reinitialize"),
    ("GET", "/api/mcp/:serverName/auth-values", _U, "", "auth_values"),
    ("GET", "/api/mcp/:serverName/oauth/initiate", _U, "", "oauth_initiate"),
    ("GET", "/api/mcp/:serverName/oauth/callback", _P, "mcp.oauth_callback", "oauth_callback"),
    ("POST", "/api/mcp/:serverName/oauth/bind", _U, "mcp.oauth_bind", "oauth_bind"),
    ("GET", "/api/mcp/oauth/tokens/:flowId", _U, "", "oauth_tokens"),
    ("GET", "/api/mcp/oauth/status/:flowId", _U, "", "oauth_status"),
    ("POST", "/api/mcp/oauth/cancel/:serverName", _U, "mcp.oauth_cancel", "oauth_cancel"),
    # keys and balance
    ("GET", "/api/keys", _U, "", "get"),
    ("PUT", "/api/keys", _U, "key.put", "put"),
    ("DELETE", "/api/keys", _U, "key.delete_all", "delete_all"),
    ("DELETE", "/api/keys/:name", _U, "key.delete", "delete"),
    ("GET", "/api/balance", _U, "", "balance"),
    # roles and permissions
    ("GET", "/api/roles/:roleName", _U, "", "get"),
    ("PUT", "/api/roles/:roleName/prompts", _A, "role.permissions_update", "prompts"),
    ("PUT", "/api/roles/:roleName/agents", _A, "role.permissions_update", "agents"),
    ("PUT", "/api/roles/:roleName/memories", _A, "role.permissions_update", "memories"),
    ("PUT", "/api/roles/:roleName/people-picker", _A, "role.permissions_update",
     "people_picker"),
    ("PUT", "/api/roles/:roleName/mcp-servers", _A, "role.permissions_update", "mcp_servers"),
    ("PUT", "/api/roles/:roleName/marketplace", _A, "role.permissions_update", "marketplace"),
    ("PUT", "/api/roles/:roleName/remote-agents", _A, "role.permissions_update",
     "remote_agents"),
    ("GET", "/api/permissions/search-principals", _U, "", "acl_search_principals"),
    ("GET", "/api/permissions/:resourceType/roles", _U, "", "acl_resource_roles"),
    ("GET", "/api/permissions/:resourceType/effective/all", _U, "", "acl_effective_all"),
    ("GET", "/api/permissions/:resourceType/:resourceId", _U, "", "acl_get"),
    ("PUT", "/api/permissions/:resourceType/:resourceId", _U, "acl.update", "acl_put"),
    ("GET", "/api/permissions/:resourceType/:resourceId/effective", _U, "", "acl_effective"),
    # administration
    ("GET", "/api/admin/users", _A, "", "users_list"),
    ("GET", "/api/admin/users/search", _A, "", "users_search"),
    ("DELETE", "/api/admin/users/:id", _A, "admin.user_delete", "user_delete"),
    ("PATCH", "/api/admin/users/:id/role", _A, "admin.user_role", "user_role"),
    ("POST", "/api/admin/users/:id/ban", _A, "admin.user_ban", "user_ban"),
    ("DELETE", "/api/admin/users/:id/ban", _A, "admin.user_unban", "user_unban"),
    ("GET", "/api/admin/roles", _A, "", "roles_list"),
    ("POST", "/api/admin/roles", _A, "admin.role_create", "role_create"),
    ("GET", "/api/admin/roles/:name", _A, "", "role_get"),
    ("PATCH", "/api/admin/roles/:name", _A, "admin.role_update", "role_update"),
    ("DELETE", "/api/admin/roles/:name", _A, "admin.role_delete", "role_delete"),
    ("GET", "/api/admin/roles/:name/members", _A, "", "role_members"),
    ("POST", "/api/admin/roles/:name/members", _A, "admin.role_member_add", "role_member_add"),
    ("DELETE", "/api/admin/roles/:name/members/:userId", _A, "admin.role_member_remove",
     "role_member_remove"),
    ("PATCH", "/api/admin/roles/:name/permissions", _A, "admin.role_permissions",
     "role_permissions"),
    ("GET", "/api/admin/groups", _A, "", "groups_list"),
    ("POST", "/api/admin/groups", _A, "admin.group_create", "group_create"),
    ("GET", "/api/admin/groups/:id", _A, "", "group_get"),
    ("PATCH", "/api/admin/groups/:id", _A, "admin.group_update", "group_update"),
    ("DELETE", "/api/admin/groups/:id", _A, "admin.group_delete", "group_delete"),
    ("GET", "/api/admin/groups/:id/members", _A, "", "group_members"),
    ("POST", "/api/admin/groups/:id/members", _A, "admin.group_member_add",
     "group_member_add"),
    ("DELETE", "/api/admin/groups/:id/members/:userId", _A, "admin.group_member_remove",
     "group_member_remove"),
    ("GET", "/api/admin/grants", _A, "", "grants_list"),
    ("POST", "/api/admin/grants", _S, "admin.grant_assign", "grant_assign"),
    ("GET", "/api/admin/grants/effective", _A, "", "grants_effective"),
    ("GET", "/api/admin/grants/:principalType/:principalId", _A, "", "grants_principal"),
    ("DELETE", "/api/admin/grants/:principalType/:principalId/:capability", _S,
     "admin.grant_remove", "grant_remove"),
    ("GET", "/api/admin/config", _A, "", "config_list"),
    ("GET", "/api/admin/config/base", _A, "", "config_base"),
    ("GET", "/api/admin/config/:principalType/:principalId", _A, "", "config_get"),
    ("PUT", "/api/admin/config/:principalType/:principalId", _A, "admin.config_put",
     "config_put"),
    ("DELETE", "/api/admin/config/:principalType/:principalId", _A, "admin.config_delete",
     "config_delete"),
    ("PATCH", "/api/admin/config/:principalType/:principalId/active", _A,
     "admin.config_active", "config_active"),
    ("PATCH", "/api/admin/config/:principalType/:principalId/fields", _A,
     "admin.config_fields_patch", "config_fields_patch"),
    ("DELETE", "/api/admin/config/:principalType/:principalId/fields", _A,
     "admin.config_fields_delete", "config_fields_delete"),
    ("POST", "/api/admin/config/:principalType/:principalId/fields/tombstone", _A,
     "admin.config_fields_tombstone", "config_fields_tombstone"),
    ("GET", "/api/admin/audit-log", _A, "", "audit_list"),
    ("GET", "/api/admin/audit-log/export.csv", _A, "admin.audit_export", "audit_export"),
    ("GET", "/api/admin/audit-log/verify", _A, "", "audit_verify"),
    ("GET", "/api/admin/audit-log/:id", _A, "", "audit_get"),
    ("GET", "/api/admin/audit/lag", _A, "", "audit_lag"),
    ("GET", "/api/admin/holds", _A, "", "holds_list"),
    ("POST", "/api/admin/holds", _A, "admin.hold_create", "hold_create"),
    ("GET", "/api/admin/holds/:id", _A, "", "hold_get"),
    ("POST", "/api/admin/holds/:id/release", _S, "admin.hold_release", "hold_release"),
    ("GET", "/api/admin/exports", _A, "", "exports_list"),
    ("POST", "/api/admin/exports", _A, "admin.export_create", "export_create"),
    ("GET", "/api/admin/exports/:id", _A, "", "export_get"),
    ("GET", "/api/admin/exports/:id/download", _A, "admin.export_download",
     "export_download"),
    ("GET", "/api/admin/retention", _A, "", "retention_get"),
    ("PUT", "/api/admin/retention", _S, "admin.retention_update", "retention_update"),
    # Cloud Tasks targets
    ("POST", "/tasks/audit-projection", _T, "", "audit_projection"),
    ("POST", "/tasks/retention", _T, "", "retention"),
    ("POST", "/tasks/export", _T, "", "export"),
    # web shell (the web function). Pages are public shells that hold no user data; the
    # browser signs in with the access token. "/" itself is the URL map's default backend.
    # The /ui fragments carry the caller's bearer token and call the API in-process, so they
    # record the audit action of the API route they call (gorunchat.web.api).
    ("GET", "/c/:conversationId", _P, "", "chat"),
    ("GET", "/login", _P, "", "login"),
    ("GET", "/login/2fa", _P, "", "login_2fa"),
    ("GET", "/register", _P, "", "register"),
    ("GET", "/forgot-password", _P, "", "forgot_password"),
    ("GET", "/reset-password", _P, "", "reset_password"),
    ("GET", "/settings", _P, "", "settings"),
    ("GET", "/admin", _P, "", "admin"),
    ("GET", "/admin/:section", _P, "", "admin_section"),
    ("GET", "/share/:shareId", _P, "", "share"),
    ("GET", "/static/:asset", _P, "", "static"),
    ("GET", "/ui/convos", _U, "", "ui_convos"),
    ("GET", "/ui/convos/:conversationId/:form", _U, "", "ui_convo_form"),
    ("POST", "/ui/convos/:conversationId/rename", _U, "conversation.update", "ui_rename"),
    ("POST", "/ui/convos/:conversationId/pin", _U, "conversation.pin", "ui_pin"),
    ("POST", "/ui/convos/:conversationId/archive", _U, "conversation.archive", "ui_archive"),
    ("POST", "/ui/convos/:conversationId/tags", _U, "tag.set_conversation", "ui_tags"),
    ("DELETE", "/ui/convos/:conversationId", _U, "conversation.delete", "ui_delete"),
    ("GET", "/ui/settings/:panel", _U, "", "ui_settings"),
    ("POST", "/ui/settings/sessions/:sessionId/revoke", _U, "auth.session_revoke",
     "ui_session_revoke"),
    ("POST", "/ui/settings/keys", _U, "key.put", "ui_key_put"),
    ("POST", "/ui/settings/keys/:name/delete", _U, "key.delete", "ui_key_delete"),
    ("POST", "/ui/settings/tools/servers", _U, "mcp.server_create", "ui_mcp_server_create"),
    ("POST", "/ui/settings/tools/:serverName/delete", _U, "mcp.server_delete",
     "ui_mcp_server_delete"),
    ("POST", "/ui/settings/tools/:serverName/values", _U, "user.plugins_update",
     "ui_mcp_values_put"),
    ("POST", "/ui/settings/tools/:serverName/forget", _U, "user.plugins_update",
     "ui_mcp_values_forget"),
    ("GET", "/ui/admin/:section", _A, "", "ui_admin"),
    ("POST", "/ui/admin/users/:id/role", _A, "admin.user_role", "ui_user_role"),
    ("POST", "/ui/admin/users/:id/ban", _A, "admin.user_ban", "ui_user_ban"),
    ("POST", "/ui/admin/users/:id/unban", _A, "admin.user_unban", "ui_user_unban"),
    ("POST", "/ui/admin/users/:id/delete", _A, "admin.user_delete", "ui_user_delete"),
    ("POST", "/ui/admin/roles/:name/permissions", _A, "admin.role_permissions",
     "ui_role_permissions"),
    ("POST", "/ui/admin/groups", _A, "admin.group_create", "ui_group_create"),
    ("POST", "/ui/admin/groups/:id/members", _A, "admin.group_member_add", "ui_member_add"),
    ("POST", "/ui/admin/groups/:id/members/:userId/remove", _A, "admin.group_member_remove",
     "ui_member_remove"),
    ("POST", "/ui/admin/holds", _A, "admin.hold_create", "ui_hold_create"),
    ("POST", "/ui/admin/holds/:id/release", _S, "admin.hold_release", "ui_hold_release"),
    ("POST", "/ui/admin/exports", _A, "admin.export_create", "ui_export_create"),
    ("POST", "/ui/admin/retention", _S, "admin.retention_update", "ui_retention"),
)

# Path prefixes, longest first, mapped to their function group or deployable.
_PREFIX_GROUPS: tuple[tuple[str, str], ...] = (
    ("/api/agents/chat", STREAMING),
    ("/api/auth", "auth"),
    ("/oauth", "auth"),
    ("/api/user", "user"),
    ("/api/convos", "convos"),
    ("/api/messages", "messages"),
    ("/api/tags", "tags"),
    ("/api/files", "files"),
    ("/api/presets", "presets"),
    ("/api/prompts", "prompts"),
    ("/api/share", "share"),
    ("/api/memories", "memories"),
    ("/api/agents", "agents"),
    ("/api/actions", "agents"),
    ("/api/mcp", "mcp"),
    ("/api/keys", "keys"),
    ("/api/balance", "keys"),
    ("/api/roles", "roles"),
    ("/api/permissions", "roles"),
    ("/api/admin", "admin"),
    ("/tasks", "tasks"),
    ("/api/config", "config"),
    ("/api/banner", "config"),
    ("/api/endpoints", "config"),
    ("/api/models", "config"),
    ("/api/search", "config"),
    ("/api/categories", "config"),
    ("/health", "config"),
    ("/livez", "config"),
    ("/readyz", "config"),
    ("/metrics", "config"),
    ("/c", WEB),
    ("/login", WEB),
    ("/register", WEB),
    ("/forgot-password", WEB),
    ("/reset-password", WEB),
    ("/settings", WEB),
    ("/admin", WEB),
    ("/share", WEB),
    ("/static", WEB),
    ("/ui", WEB),
)


def group_for_path(path: str) -> str | None:
    """The function group or deployable that owns ``path``, or ``None`` if none does."""
    for prefix, group in _PREFIX_GROUPS:
        if path == prefix or path.startswith(prefix + "/"):
            return group
    return None


def _target(group: str) -> str:
    return group if group in (STREAMING, WEB) else f"function:{group}"


@cache
def route_table() -> tuple[Route, ...]:
    """Every route, in declaration order (static segments before parameters)."""
    routes: list[Route] = []
    for method, path, auth, audit, name in _TABLE:
        group = group_for_path(path)
        if group is None:  # pragma: no cover - guarded by tests/unit/test_routes.py
            raise ValueError(f"no group owns {path}")
        prefix = "chat" if group == STREAMING else group
        routes.append(
            Route(
                id=f"{prefix}.{name}",
                method=method,
                path=path,
                target=_target(group),
                auth=auth,
                audit=audit or None,
            )
        )
    return tuple(routes)


def function_groups() -> tuple[str, ...]:
    """The names of every Cloud Function group, sorted."""
    return tuple(sorted({r.group for r in route_table() if r.is_function}))


def routes_for(group: str) -> tuple[Route, ...]:
    return tuple(r for r in route_table() if r.group == group)
