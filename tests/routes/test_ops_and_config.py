"""Operational and configuration routes through the mounted ``config`` function."""

from __future__ import annotations

from pathlib import Path

from gorunchat.bootstrap import Container, set_container
from tests.routes.conftest import UserFactory, _settings, mounted


def test_health_livez_readyz_answer_ok(container: Container) -> None:
    client = mounted("config")
    for path in ("/health", "/livez", "/readyz"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.json["status"] == "ok"
    assert client.get("/readyz").json["checks"] == {"store": "ok"}


def test_metrics_count_requests_per_route(container: Container) -> None:
    client = mounted("config")
    client.get("/health")
    client.get("/health")
    body = client.get("/metrics").get_data(as_text=True)
    line = next(ln for ln in body.splitlines() if ln.startswith(
        'gorunchat_requests_total{method="GET",route="config.health",status="200"}'))
    assert float(line.rsplit(" ", 1)[1]) >= 2.0
    assert 'gorunchat_request_seconds_bucket{le="0.005",method="GET",route="config.health"}' \
        in body


def test_startup_config_has_librechat_shape_without_sign_in(container: Container) -> None:
    response = mounted("config").get("/api/config")
    assert response.status_code == 200
    body = response.json
    assert body["appTitle"] == "GoRunChat"
    assert body["registrationEnabled"] is True
    assert body["emailLoginEnabled"] is True
    assert body["socialLogins"] == []
    assert body["serverDomain"] == "http://localhost:3080"
    assert body["interface"]["presets"] is True


def test_startup_config_reads_the_yaml_file(data_dir: Path) -> None:
    config = data_dir / "custom.yaml"
    config.write_text(
        "version: 1.2.1\nappTitle: Acme Chat\ninterface:\n  customWelcome: Hello there\n"
        "banner:\n  message: Maintenance at noon\n", encoding="utf-8")
    c = Container(_settings(data_dir, GORUNCHAT_CONFIG=str(config)))
    set_container(c)
    try:
        client = mounted("config")
        body = client.get("/api/config").json
        banner = client.get("/api/banner").json
    finally:
        set_container(None)
    assert body["appTitle"] == "Acme Chat"
    assert body["interface"]["customWelcome"] == "Hello there"
    assert banner["message"] == "Maintenance at noon"


def test_banner_is_null_when_none_is_configured(container: Container) -> None:
    response = mounted("config").get("/api/banner")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "null"


def test_endpoints_and_models_always_offer_the_offline_demo(
        container: Container, make_user: UserFactory) -> None:
    _, auth = make_user()
    client = mounted("config")
    endpoints = client.get("/api/endpoints", headers=auth).json
    models = client.get("/api/models", headers=auth).json
    assert endpoints["offline"]["order"] == 0
    assert endpoints["offline"]["userProvide"] is False
    assert models["offline"] == ["demo"]


def test_endpoints_list_custom_endpoints_from_yaml(data_dir: Path) -> None:
    config = data_dir / "gorunchat.yaml"
    config.write_text(
        "endpoints:\n  custom:\n    - name: Mistral\n      apiKey: user_provided\n"
        "      baseURL: https://api.mistral.ai/v1\n      models:\n"
        "        default: [mistral-small, mistral-large]\n", encoding="utf-8")
    c = Container(_settings(data_dir))
    set_container(c)
    try:
        from tests.routes.conftest import user_factory

        _, auth = user_factory(c)()
        client = mounted("config")
        endpoints = client.get("/api/endpoints", headers=auth).json
        models = client.get("/api/models", headers=auth).json
    finally:
        set_container(None)
    assert endpoints["Mistral"] == {"order": 1, "type": "custom", "userProvide": True,
                                    "userProvideURL": False, "modelDisplayLabel": "Mistral",
                                    "iconURL": None}
    assert models["Mistral"] == ["mistral-small", "mistral-large"]


def test_signed_in_routes_refuse_anonymous_callers(container: Container) -> None:
    response = mounted("config").get("/api/models")
    assert response.status_code == 401
    assert response.json["error"]["code"] == "UNAUTHORIZED"
    assert response.json["error"]["requestId"] == response.headers["X-Request-Id"]


def test_unknown_path_and_wrong_method_get_envelopes(container: Container) -> None:
    client = mounted("config")
    missing = client.get("/api/config/nothing-here")
    assert missing.status_code == 404
    assert missing.json["error"]["code"] == "ROUTE_NOT_FOUND"
    wrong = client.delete("/api/config")
    assert wrong.status_code == 405
    assert wrong.json["error"]["code"] == "METHOD_NOT_ALLOWED"


def test_security_headers_and_trace_request_id(container: Container) -> None:
    response = mounted("config").get(
        "/health", headers={"X-Cloud-Trace-Context": "105445aa7843bc8bf206b12000100000/1;o=1"})
    assert response.headers["X-Request-Id"] == "105445aa7843bc8bf206b12000100000"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


def test_expired_or_forged_tokens_are_refused(container: Container,
                                              make_user: UserFactory) -> None:
    from gorunchat.domain.tokens import issue_access_token

    user, _ = make_user()
    expired = issue_access_token(container.jwt_secret, user_id=user.id, tenant_id="default",
                                 role="USER", session_id=None, now=1_000_000)
    forged = issue_access_token("another-secret-" + "y" * 40, user_id=user.id,
                                tenant_id="default", role="ADMIN", session_id=None)
    client = mounted("config")
    first = client.get("/api/models", headers={"Authorization": f"Bearer {expired}"})
    second = client.get("/api/models", headers={"Authorization": f"Bearer {forged}"})
    assert (first.status_code, first.json["error"]["code"]) == (401, "TOKEN_EXPIRED")
    assert (second.status_code, second.json["error"]["code"]) == (401, "TOKEN_INVALID")
