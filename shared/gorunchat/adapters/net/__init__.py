"""Outbound networking for user-influenced URLs: the SSRF guard and guarded HTTP clients.

Every request whose URL a user can influence (MCP servers, actions, OAuth endpoints, custom
``baseURL``s, file fetches) goes through :mod:`gorunchat.adapters.net.ssrf` and the pinned
clients of :mod:`gorunchat.adapters.net.clients`.
"""

from gorunchat.adapters.net.ssrf import AllowList, SsrfBlocked, check_url, check_url_async

__all__ = ["AllowList", "SsrfBlocked", "check_url", "check_url_async"]
