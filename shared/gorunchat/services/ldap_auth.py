"""LDAP sign-in (ldap3): search the user with the service account, then bind as the user.

Enabled, as in LibreChat, when ``LDAP_URL`` and ``LDAP_USER_SEARCH_BASE`` are set. The
login name (an email, or a username with ``LDAP_LOGIN_USES_USERNAME``) is escaped into
``LDAP_SEARCH_FILTER`` (``{{username}}``). The directory is the authority for the entry's
email, so an existing account with that email is linked; otherwise one is created with
provider ``ldap``. A directory that cannot be reached is a 503, never a failed password.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ldap3 import ALL_ATTRIBUTES, NONE, SUBTREE, Connection, Server
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars

from gorunchat.contracts.audit import AuditEvent
from gorunchat.contracts.authconfig import LdapSettings
from gorunchat.contracts.documents import User
from gorunchat.contracts.errors import ServiceUnavailable, Unauthorized
from gorunchat.services import holds, users
from gorunchat.services.identity import Client, IdentityDeps

BAD_CREDENTIALS = "Email or password is incorrect."


@dataclass(frozen=True)
class DirectoryEntry:
    ldap_id: str
    email: str
    username: str | None
    name: str | None


def _first(attrs: dict[str, list[Any]], *names: str | None) -> str | None:
    for name in names:
        values = attrs.get(name or "") or []
        if values and str(values[0]).strip():
            return str(values[0]).strip()
    return None


def to_entry(settings: LdapSettings, attrs: dict[str, list[Any]]) -> DirectoryEntry | None:
    """The account facts of a directory entry, LibreChat's attribute fallbacks included."""
    ldap_id = _first(attrs, settings.id_attribute, "uid", "sAMAccountName", "mail")
    username = _first(attrs, settings.username_attribute, "uid", "givenName", "mail")
    if ldap_id is None:
        return None
    email = _first(attrs, settings.email_attribute, "mail", "userPrincipalName")
    names = [_first(attrs, n) for n in settings.full_name_attributes]
    full = " ".join(n for n in names if n) or _first(attrs, "displayName", "cn")
    return DirectoryEntry(ldap_id=ldap_id, email=email or f"{username or ldap_id}@ldap.local",
                          username=username, name=full)


def _filter(settings: LdapSettings, login: str) -> str:
    expr = settings.search_filter.replace("{{username}}", escape_filter_chars(login))
    return expr if expr.startswith("(") else f"({expr})"


def lookup(settings: LdapSettings, login: str, password: str) -> DirectoryEntry | None:
    """The entry of ``login`` if ``password`` binds as it; None for bad credentials."""
    server = Server(settings.url or "", connect_timeout=settings.timeout_s, get_info=NONE)
    try:
        service = Connection(server, user=settings.bind_dn, password=settings.bind_credentials,
                             receive_timeout=settings.timeout_s, raise_exceptions=False)
        if settings.starttls:
            service.start_tls()
        if not service.bind():
            raise ServiceUnavailable("The directory refused the service account.",
                                     code="LDAP_UNAVAILABLE")
        service.search(settings.user_search_base, _filter(settings, login), SUBTREE,
                       attributes=ALL_ATTRIBUTES, size_limit=2)
        found = list(service.entries)
        service.unbind()
        if len(found) != 1:
            return None
        dn, attrs = found[0].entry_dn, found[0].entry_attributes_as_dict
        person = Connection(server, user=dn, password=password,
                            receive_timeout=settings.timeout_s, raise_exceptions=False)
        if settings.starttls:
            person.start_tls()
        bound = person.bind()
        person.unbind()
    except LDAPException as exc:
        raise ServiceUnavailable("The directory is unavailable; try again shortly.",
                                 code="LDAP_UNAVAILABLE") from exc
    return to_entry(settings, attrs) if bound else None


def authenticate(deps: IdentityDeps, client: Client, login: str, password: str) -> User:
    """The account of a directory sign-in, linked or created; 401 for bad credentials."""
    login = login.strip()
    entry = lookup(deps.settings.auth.ldap, login, password) if login and password else None
    with deps.store.unit_of_work(deps.tenant_id) as uow:
        if entry is None:
            uow.record(AuditEvent(action="auth.login_failed", actor=client.actor(),
                                  outcome="failure", targetType="user",
                                  metadata={"reason": "bad_credentials", "method": "ldap"}))
            uow.commit()
            raise Unauthorized(BAD_CREDENTIALS, code="INVALID_CREDENTIALS")
        user = (uow.users.find_one({"ldapId": entry.ldap_id, **holds.VISIBLE})
                or users.find_by_email(uow, entry.email))
        if user is None:
            user = users.create(uow, settings=deps.settings, email=entry.email, name=entry.name,
                                username=entry.username, provider="ldap", password_hash=None,
                                email_verified=True, links={"ldapId": entry.ldap_id})
            uow.record(AuditEvent(action="auth.register", actor=client.actor(user.id),
                                  targetType="user", targetId=user.id,
                                  metadata={"provider": "ldap", "role": user.role}))
        elif users.field(user, "ldapId") != entry.ldap_id:
            user = uow.users.update(user.id, {"ldapId": entry.ldap_id,
                                              "emailVerified": True}) or user
        uow.commit()
    return user
