"""``gorunchat admin ...``: operator commands that need no running server.

``gorunchat admin create-super-admin --email E [--password P]`` promotes the account with
that email to ``SUPER_ADMIN``, or creates it (email verified). Without ``--password`` a new
account gets a random password printed once; an existing one keeps its password.
"""

from __future__ import annotations

import argparse
import secrets
import sys

from email_validator import EmailNotValidError, validate_email


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the ``admin`` command group on the ``gorunchat`` parser."""
    admin = sub.add_parser("admin", help="operator commands (accounts)")
    commands = admin.add_subparsers(dest="admin_command", required=True)
    create = commands.add_parser("create-super-admin",
                                 help="promote or create a SUPER_ADMIN account")
    create.add_argument("--email", required=True)
    create.add_argument("--password", help="set this password (at least 8 characters)")
    create.add_argument("--tenant", help="tenant id (default: GORUNCHAT_TENANT_ID)")
    create.set_defaults(func=create_super_admin)


def create_super_admin(args: argparse.Namespace) -> int:
    from gorunchat.bootstrap import container
    from gorunchat.contracts.audit import Actor
    from gorunchat.domain.passwords import hash_password
    from gorunchat.services import users

    try:
        email = users.normalize_email(validate_email(args.email,
                                                     check_deliverability=False).normalized)
    except EmailNotValidError as exc:
        print(f"not an email address: {exc}", file=sys.stderr)
        return 2
    if args.password is not None and len(args.password) < 8:
        print("the password must have at least 8 characters", file=sys.stderr)
        return 2
    c = container()
    tenant = args.tenant or c.settings.tenant_id
    generated = None if args.password else secrets.token_urlsafe(15)
    password_hash = hash_password(args.password or generated or "")
    with c.store.unit_of_work(tenant, readonly=True) as uow:
        exists = users.find_by_email(uow, email) is not None
    new_hash = password_hash if (args.password or not exists) else None
    user, created = users.ensure_super_admin(
        c.store, c.settings, tenant, email, new_hash,
        Actor(userId=None, role="operator", ip=None, requestId="cli"))
    print(f"{'created' if created else 'promoted'} {user.email} ({user.id}) as SUPER_ADMIN "
          f"in tenant {tenant}")
    if created and generated:
        print(f"password: {generated}")
    return 0
