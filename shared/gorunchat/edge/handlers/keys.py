"""Handlers of the ``keys`` function: BYOK keys (``/api/keys``) and ``/api/balance``."""

from __future__ import annotations

from flask import Response

from gorunchat.contracts.balance import BalanceView
from gorunchat.contracts.keys import DeleteAllKeysQuery, KeyExpiry, KeyQuery, UpdateKeyRequest
from gorunchat.edge.context import RequestContext
from gorunchat.edge.registry import handles
from gorunchat.services import balance, keys
from gorunchat.services.caller import Caller


def caller(ctx: RequestContext) -> Caller:
    return Caller(principal=ctx.user, actor=ctx.actor)


@handles("keys.put", body=UpdateKeyRequest, status=201)
def put_key(ctx: RequestContext, body: UpdateKeyRequest) -> Response:
    keys.put_key(ctx.container.store, ctx.container.secretbox, caller(ctx), body.name,
                 body.value, body.expiresAt)
    return Response(status=201)


@handles("keys.get", query=KeyQuery)
def key_expiry(ctx: RequestContext, query: KeyQuery) -> KeyExpiry:
    return keys.key_expiry(ctx.container.store, caller(ctx), query.name)


@handles("keys.delete", status=204)
def delete_key(ctx: RequestContext) -> Response:
    keys.delete_key(ctx.container.store, caller(ctx), ctx.params["name"])
    return Response(status=204)


@handles("keys.delete_all", query=DeleteAllKeysQuery, status=204)
def delete_all(ctx: RequestContext, query: DeleteAllKeysQuery) -> Response:
    keys.delete_all_keys(ctx.container.store, caller(ctx))
    return Response(status=204)


@handles("keys.balance")
def get_balance(ctx: RequestContext) -> BalanceView:
    return balance.get_balance(ctx.container.store, caller(ctx), ctx.container.settings)
