"""Handlers of the ``config`` function: health, metrics, startup config, registries."""

from __future__ import annotations

from flask import Response

from gorunchat.adapters.providers.catalog import list_models
from gorunchat.contracts.config import (
    Banner,
    EndpointsConfig,
    Health,
    ModelsConfig,
    StartupConfig,
    TokenConfig,
)
from gorunchat.contracts.errors import ServiceUnavailable
from gorunchat.contracts.library import SearchEnabled
from gorunchat.contracts.prompts import Category
from gorunchat.edge.context import RequestContext
from gorunchat.edge.observability import metrics_payload
from gorunchat.edge.registry import handles
from gorunchat.services import config as config_service
from gorunchat.services import models as model_registry
from gorunchat.services import prompts


@handles("config.health")
def health(ctx: RequestContext) -> Health:
    return Health(status="ok")


@handles("config.livez")
def livez(ctx: RequestContext) -> Health:
    return Health(status="ok")


@handles("config.readyz")
def readyz(ctx: RequestContext) -> Health:
    """Ready when the store answers; 503 otherwise so the load balancer skips us."""
    try:
        ctx.container.store.ping()
    except ServiceUnavailable as exc:
        raise ServiceUnavailable("Not ready: the store does not answer.",
                                 code="NOT_READY") from exc
    return Health(status="ok", checks={"store": "ok"})


@handles("config.metrics")
def metrics(ctx: RequestContext) -> Response:
    body, content_type = metrics_payload()
    return Response(body, status=200, content_type=content_type)


@handles("config.config")
def startup(ctx: RequestContext) -> StartupConfig:
    store = ctx.container.store if ctx.principal is not None else None
    return config_service.startup_config(ctx.container.settings, ctx.principal, store)


@handles("config.banner")
def banner(ctx: RequestContext) -> Banner | None:
    return config_service.banner(ctx.container.settings)


@handles("config.endpoints")
def endpoints(ctx: RequestContext) -> EndpointsConfig:
    return EndpointsConfig(model_registry.endpoints_config(ctx.container.settings))


@handles("config.models")
def models(ctx: RequestContext) -> ModelsConfig:
    return ModelsConfig(model_registry.models_config(ctx.container.settings, list_models))


@handles("config.token_config")
def token_config(ctx: RequestContext) -> TokenConfig:
    """Per-model context limits and rates for every offered model."""
    return model_registry.token_config(ctx.container.settings, list_models)


@handles("config.search_enable")
def search_enable(ctx: RequestContext) -> SearchEnabled:
    """Search runs in the store's own text index, so it is always available."""
    return SearchEnabled(True)


@handles("config.categories")
def categories(ctx: RequestContext) -> list[Category]:
    """The prompt library's categories (LibreChat's list, plus ``prompts.categories``)."""
    return prompts.categories(prompts.categories_config(ctx.container.settings.app))
