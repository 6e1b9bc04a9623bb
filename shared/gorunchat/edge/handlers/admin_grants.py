"""Handlers of ``/api/admin/grants`` and ``/api/admin/config`` (imported by
``admin_users``)."""

from __future__ import annotations

from gorunchat.contracts.admin_config import (
    AssignGrantRequest,
    BaseConfigEnvelope,
    ConfigEnvelope,
    ConfigFieldQuery,
    ConfigList,
    ConfigView,
    EffectiveCapabilities,
    GrantEnvelope,
    GrantList,
    GrantView,
    PatchConfigFieldsRequest,
    ToggleActiveRequest,
    TombstoneRequest,
    UpsertConfigRequest,
)
from gorunchat.contracts.admin_users import Outcome
from gorunchat.edge.context import RequestContext
from gorunchat.edge.registry import handles
from gorunchat.services import grants
from gorunchat.services import principal_config as configs
from gorunchat.services.caller import Caller


def caller(ctx: RequestContext) -> Caller:
    return Caller(principal=ctx.user, actor=ctx.actor)


@handles("admin.grants_list")
def list_grants(ctx: RequestContext) -> GrantList:
    found = grants.list_grants(ctx.container.store, caller(ctx))
    return GrantList(grants=[GrantView.of(g) for g in found])


@handles("admin.grants_effective")
def effective(ctx: RequestContext) -> EffectiveCapabilities:
    return EffectiveCapabilities(capabilities=grants.effective(ctx.container.store,
                                                               caller(ctx)))


@handles("admin.grants_principal")
def principal_grants(ctx: RequestContext) -> GrantList:
    found = grants.principal_grants(ctx.container.store, caller(ctx),
                                    ctx.params["principalType"], ctx.params["principalId"])
    return GrantList(grants=[GrantView.of(g) for g in found])


@handles("admin.grant_assign", body=AssignGrantRequest, status=201)
def assign(ctx: RequestContext, body: AssignGrantRequest) -> GrantEnvelope:
    grant = grants.assign(ctx.container.store, caller(ctx), body.principalType,
                          body.principalId, body.capability)
    return GrantEnvelope(grant=GrantView.of(grant))


@handles("admin.grant_remove")
def remove(ctx: RequestContext) -> Outcome:
    grants.remove(ctx.container.store, caller(ctx), ctx.params["principalType"],
                  ctx.params["principalId"], ctx.params["capability"])
    return Outcome()


@handles("admin.config_list")
def list_configs(ctx: RequestContext) -> ConfigList:
    found = configs.list_configs(ctx.container.store, caller(ctx))
    return ConfigList(configs=[ConfigView.of(c) for c in found])


@handles("admin.config_base")
def base_config(ctx: RequestContext) -> BaseConfigEnvelope:
    return BaseConfigEnvelope(config=ctx.container.settings.app.model_dump(mode="json"))


@handles("admin.config_get")
def get_config(ctx: RequestContext) -> ConfigEnvelope:
    doc = configs.get_config(ctx.container.store, caller(ctx), ctx.params["principalType"],
                             ctx.params["principalId"])
    return ConfigEnvelope(config=ConfigView.of(doc))


def _mutate(ctx: RequestContext, change: configs.Mutation, action: str, *, create: bool,
            **metadata: object) -> ConfigEnvelope:
    doc = configs.mutate(ctx.container.store, caller(ctx), ctx.container.settings.app,
                         ctx.params["principalType"], ctx.params["principalId"], change,
                         action, create=create, **metadata)
    return ConfigEnvelope(config=ConfigView.of(doc))


@handles("admin.config_put", body=UpsertConfigRequest)
def put_config(ctx: RequestContext, body: UpsertConfigRequest) -> ConfigEnvelope:
    return _mutate(ctx, configs.replace_overrides(body.overrides, body.priority),
                   "admin.config_put", create=True, sections=sorted(body.overrides))


@handles("admin.config_fields_patch", body=PatchConfigFieldsRequest)
def patch_fields(ctx: RequestContext, body: PatchConfigFieldsRequest) -> ConfigEnvelope:
    entries = [(e.fieldPath, e.value) for e in body.entries]
    return _mutate(ctx, configs.patch_fields(entries, body.priority),
                   "admin.config_fields_patch", create=True,
                   fields=[path for path, _ in entries])


@handles("admin.config_fields_delete", query=ConfigFieldQuery)
def delete_field(ctx: RequestContext, query: ConfigFieldQuery) -> ConfigEnvelope:
    return _mutate(ctx, configs.unset_field(query.fieldPath), "admin.config_fields_delete",
                   create=False, field=query.fieldPath)


@handles("admin.config_fields_tombstone", body=TombstoneRequest)
def tombstone(ctx: RequestContext, body: TombstoneRequest) -> ConfigEnvelope:
    return _mutate(ctx, configs.tombstone_field(body.fieldPath, body.priority),
                   "admin.config_fields_tombstone", create=True, field=body.fieldPath)


@handles("admin.config_active", body=ToggleActiveRequest)
def toggle(ctx: RequestContext, body: ToggleActiveRequest) -> ConfigEnvelope:
    return _mutate(ctx, configs.set_active(body.isActive), "admin.config_active",
                   create=False, isActive=body.isActive)


@handles("admin.config_delete")
def delete_config(ctx: RequestContext) -> Outcome:
    configs.delete_config(ctx.container.store, caller(ctx), ctx.params["principalType"],
                          ctx.params["principalId"])
    return Outcome()
