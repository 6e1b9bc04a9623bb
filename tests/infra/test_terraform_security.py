"""Security and runtime properties the deployment promises, read from the Terraform source."""

from __future__ import annotations

import re

from tests.infra.hcl import MODULES, ROOTS, all_tf_dirs, first, load_module

BASIC_ROLES = {"roles/owner", "roles/editor"}


def test_every_function_runs_as_its_own_service_account() -> None:
    function = load_module(MODULES / "function")
    accounts = function.resources_of("google_service_account")
    assert list(accounts) == ["runtime"]
    assert accounts["runtime"]["account_id"] == "${local.account_id}"
    assert function.locals["account_id"] == '${coalesce(var.service_account_id, "fn-${var.name}")}'
    main = function.resources_of("google_cloudfunctions2_function")["main"]
    service = first(main, "service_config")
    assert service["service_account_email"] == "${google_service_account.runtime.email}"
    build = first(main, "build_config")
    assert (build["entry_point"], build["runtime"]) == ("${var.entry_point}", "${var.runtime}")
    variables = function.variables
    assert (variables["entry_point"]["default"], variables["runtime"]["default"]) == (
        "handle", "python311"
    )


def test_the_stack_deploys_one_function_module_per_group_without_shared_accounts() -> None:
    stack = load_module(MODULES / "stack")
    functions = stack.module_calls["functions"]
    tasks = stack.module_calls["tasks_function"]
    assert functions["source"] == tasks["source"] == "../function"
    assert functions["for_each"] == "${local.lb_functions}"
    assert functions["name"] == "${each.key}"
    # No call overrides the per-function account id, so each group gets fn-<group>.
    assert "service_account_id" not in functions and "service_account_id" not in tasks
    assert stack.locals["lb_functions"] == (
        '${toset([for g in var.routes.functions : g if g != "tasks"])}'
    )


def test_streaming_service_has_its_own_account() -> None:
    module = load_module(MODULES / "streaming_service")
    main = module.resources_of("google_cloud_run_v2_service")["main"]
    assert first(main, "template")["service_account"] == "${google_service_account.runtime.email}"


def _role_literals() -> list[tuple[str, str]]:
    found = []
    for path in all_tf_dirs():
        for text in load_module(path).expressions():
            for role in re.findall(r"roles/[A-Za-z.]+", text):
                found.append((path.name, role))
    return found


def test_no_service_account_gets_owner_or_editor() -> None:
    roles = _role_literals()
    granted = {role for (_module, role) in roles}
    assert "roles/run.invoker" in granted  # the scan sees the grants
    # The only mention of a basic role is the iam module's validation that refuses it.
    mentions = [(module, role) for (module, role) in roles if role in BASIC_ROLES]
    assert set(mentions) == {("iam", "roles/owner"), ("iam", "roles/editor")}
    validation = load_module(MODULES / "iam").variables["project_bindings"]["validation"][0]
    assert validation["condition"].startswith(
        "${alltrue([for b in values(var.project_bindings) : !contains(["
    )
    for role in BASIC_ROLES:
        assert f'"{role}"' in validation["condition"]


def test_project_role_grants_come_from_a_fixed_list() -> None:
    stack = load_module(MODULES / "stack")
    runtime_roles = stack.locals["runtime_roles"]
    assert re.findall(r'"(roles/[^"]+)"', runtime_roles) == [
        "roles/logging.logWriter", "roles/monitoring.metricWriter", "roles/cloudtrace.agent",
    ]
    iam = load_module(MODULES / "iam")
    assert iam.locals["builder_roles"] == [
        "roles/logging.logWriter", "roles/artifactregistry.writer",
    ]


def _buckets() -> dict[str, dict[str, object]]:
    found = {}
    for path in all_tf_dirs():
        for name, body in load_module(path).resources_of("google_storage_bucket").items():
            found[f"{path.name}.{name}"] = body
    return found


def test_every_bucket_is_uniform_and_never_public() -> None:
    buckets = _buckets()
    assert set(buckets) == {"audit_sinks.archive", "uploads.main"}
    for name, body in buckets.items():
        assert body["uniform_bucket_level_access"] is True, name
        assert body["public_access_prevention"] == "enforced", name
        assert first(body, "versioning")["enabled"] is True, name


def test_audit_archive_retention_is_locked() -> None:
    archive = _buckets()["audit_sinks.archive"]
    policy = first(archive, "retention_policy")
    assert policy["is_locked"] is True
    assert policy["retention_period"] == "${var.retention_days * 86400}"
    assert load_module(MODULES / "audit_sinks").variables["retention_days"]["default"] == 1095


def test_audit_tables_are_partitioned_by_day_and_clustered_by_tenant() -> None:
    tables = load_module(MODULES / "audit_sinks").resources_of("google_bigquery_table")
    assert set(tables) == {"audit", "discovery"}
    for table in tables.values():
        partitioning = first(table, "time_partitioning")
        assert (partitioning["type"], partitioning["field"]) == ("DAY", "ts")
        assert table["clustering"] == ["tenantId"]
        assert table["deletion_protection"] is True


def test_redis_requires_auth_and_tls() -> None:
    redis = load_module(MODULES / "redis").resources_of("google_redis_instance")["main"]
    assert redis["auth_enabled"] is True
    assert redis["transit_encryption_mode"] == "SERVER_AUTHENTICATION"
    url = load_module(MODULES / "redis").resources_of("google_secret_manager_secret_version")
    assert url["url"]["secret_data"].startswith('${format("rediss://:%s@%s:%d/0?ssl_ca_certs=')


def test_streaming_service_settings_match_the_design() -> None:
    module = load_module(MODULES / "streaming_service")
    main = module.resources_of("google_cloud_run_v2_service")["main"]
    template = first(main, "template")
    assert template["timeout"] == "3600s"
    assert template["max_instance_request_concurrency"] == "${var.concurrency}"
    assert template["session_affinity"] is False
    container = first(template, "containers")
    assert first(container, "resources")["cpu_idle"] is False
    assert first(container, "startup_probe", "http_get")["path"] == "/readyz"
    assert first(container, "liveness_probe", "http_get")["path"] == "/livez"
    network = first(template, "vpc_access", "network_interfaces")
    assert (network["network"], network["subnetwork"]) == ("${var.network}", "${var.subnetwork}")
    assert "${var.min_instances}" == first(template, "scaling")["min_instance_count"]
    concurrency = module.variables["concurrency"]
    assert concurrency["default"] >= 250
    assert concurrency["validation"][0]["condition"].startswith("${var.concurrency >= 250")


def test_every_environment_keeps_streaming_concurrency_at_250_or_more() -> None:
    streaming = load_module(MODULES / "stack").variables["streaming"]
    assert streaming["default"]["concurrency"] >= 250
    assert streaming["validation"][0]["condition"] == "${var.streaming.concurrency >= 250}"
    for root in ROOTS:
        stack = load_module(root).module_calls["stack"]
        assert stack["streaming"]["concurrency"] >= 250, root


def test_functions_reach_redis_through_the_vpc_and_secrets_through_secret_manager() -> None:
    function = load_module(MODULES / "function")
    service = first(function.resources_of("google_cloudfunctions2_function")["main"],
                    "service_config")
    assert service["vpc_connector"] == "${var.vpc_connector}"
    dynamic = {name for block in service["dynamic"] for name in block}
    assert dynamic == {"secret_environment_variables", "secret_volumes"}
    grants = function.resources_of("google_secret_manager_secret_iam_member")["runtime"]
    assert grants["role"] == "roles/secretmanager.secretAccessor"
    assert grants["member"] == "${google_service_account.runtime.member}"


def test_tasks_function_is_internal_and_invoked_only_by_the_tasks_account() -> None:
    tasks_function = load_module(MODULES / "stack").module_calls["tasks_function"]
    assert tasks_function["ingress"] == "ALLOW_INTERNAL_ONLY"
    assert tasks_function["invoker_members"] == {"tasks": "${module.iam.tasks_invoker_member}"}
    public = load_module(MODULES / "stack").module_calls["functions"]["invoker_members"]
    assert public == {"public": "allUsers"}
    assert load_module(MODULES / "stack").module_calls["functions"]["ingress"] == (
        "ALLOW_INTERNAL_AND_GCLB"
    )


def test_queues_retry_and_the_scheduler_uses_oidc() -> None:
    tasks = load_module(MODULES / "tasks")
    assert set(tasks.variables["queues"]["default"]) == {"projection", "retention", "exports"}
    queue = tasks.resources_of("google_cloud_tasks_queue")["main"]
    assert set(first(queue, "retry_config")) == {
        "max_attempts", "min_backoff", "max_backoff", "max_doublings", "max_retry_duration",
    }
    job = tasks.resources_of("google_cloud_scheduler_job")["retention"]
    target = first(job, "http_target")
    assert target["uri"].endswith('/tasks/retention"') or target["uri"].endswith("/tasks/retention")
    oidc = first(target, "oidc_token")
    assert oidc["service_account_email"] == "${var.invoker_service_account_email}"


def test_the_projection_sweep_runs_every_minute_with_oidc() -> None:
    tasks = load_module(MODULES / "tasks")
    job = tasks.resources_of("google_cloud_scheduler_job")["projection"]
    assert tasks.variables["projection_schedule"]["default"] == "* * * * *"
    assert job["schedule"] == "${var.projection_schedule}"
    target = first(job, "http_target")
    assert target["http_method"] == "POST"
    assert target["uri"].rstrip('"').endswith("/tasks/audit-projection")
    oidc = first(target, "oidc_token")
    assert oidc["service_account_email"] == "${var.invoker_service_account_email}"
    assert oidc["audience"] == "${var.tasks_function_uri}"


def test_firestore_is_enterprise_with_mongodb_compatibility() -> None:
    datastore = load_module(MODULES / "datastore")
    database = datastore.resources_of("google_firestore_database")["main"]
    # With provider 6.x, Enterprise + FIRESTORE_NATIVE gets the MongoDB-compatible API by
    # the API default (provider 6.x has no data access mode arguments).
    assert database["database_edition"] == "ENTERPRISE"
    assert database["type"] == "FIRESTORE_NATIVE"
    uri = datastore.resources_of("google_secret_manager_secret_version")["uri"]["secret_data"]
    assert "firestore.goog:443/" in uri and "authMechanism=MONGODB-OIDC" in uri
    assert datastore.variables["backend"]["default"] == "firestore"


def test_cloud_armor_guards_every_backend() -> None:
    lb = load_module(MODULES / "lb")
    backend = lb.resources_of("google_compute_backend_service")["serverless"]
    assert backend["security_policy"] == "${google_compute_security_policy.main.id}"
    assert backend["load_balancing_scheme"] == "EXTERNAL_MANAGED"
    policy = lb.resources_of("google_compute_security_policy")["main"]
    actions = {rule["action"] for rule in policy["rule"]}
    assert actions == {"deny(404)", "deny(403)", "throttle", "allow"}
    throttles = [rule for rule in policy["rule"] if rule["action"] == "throttle"]
    assert [first(rule, "rate_limit_options")["exceed_action"] for rule in throttles] == [
        "deny(429)", "deny(429)",
    ]
    assert lb.variables["blocked_path_prefixes"]["default"] == ["/tasks/", "/metrics"]
    proxy = lb.resources_of("google_compute_target_https_proxy")["main"]
    assert proxy["ssl_certificates"] == ["${google_compute_managed_ssl_certificate.main.id}"]
