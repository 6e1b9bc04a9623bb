"""Route-test fixtures: the mounted functions (functions-framework ``create_app``) on a
fresh store per test, parametrized over SQLite and the Mongo adapter on mongomock."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from gorunchat.bootstrap import Container, set_container
from gorunchat.contracts.documents import User
from gorunchat.contracts.settings import Settings
from gorunchat.domain.ids import object_id
from gorunchat.domain.tokens import issue_access_token

ROOT = Path(__file__).resolve().parents[2]
JWT_SECRET = "test-secret-" + "x" * 40


def mounted(group: str) -> FlaskClient:
    """A test client of ``functions/<group>/main.py`` loaded as Cloud Functions loads it."""
    import functions_framework

    app = functions_framework.create_app(target="handle",
                                         source=str(ROOT / "functions" / group / "main.py"))
    return app.test_client()


def _settings(data_dir: Path, **env: str) -> Settings:
    base = {"GORUNCHAT_DATA_DIR": str(data_dir), "JWT_SECRET": JWT_SECRET,
            "GORUNCHAT_TASKS_SECRET": "task-secret-for-tests", "GORUNCHAT_ENV": "test"}
    return Settings.load(env={**base, **env}, cwd=data_dir)


@pytest.fixture(params=["sqlite", "mongomock"])
def container(request: pytest.FixtureRequest, data_dir: Path) -> Iterator[Container]:
    """The process container every mounted function uses, on the store under test."""
    c = Container(_settings(data_dir))
    if request.param == "mongomock":
        mongomock = pytest.importorskip("mongomock")
        from gorunchat.adapters.mongo.store import MongoStore

        c.__dict__["store"] = MongoStore(mongomock.MongoClient(), "gorunchat_test")
    set_container(c)
    yield c
    set_container(None)
    c.close()


@pytest.fixture
def sqlite_container(data_dir: Path) -> Iterator[Container]:
    c = Container(_settings(data_dir))
    set_container(c)
    yield c
    set_container(None)
    c.close()


UserFactory = Callable[..., tuple[User, dict[str, str]]]


@pytest.fixture
def make_user(container: Container) -> UserFactory:
    return user_factory(container)


def user_factory(container: Container) -> UserFactory:
    """Create a user in the store and return it with an ``Authorization`` header."""

    def make(role: str = "USER", tenant: str = "default", email: str | None = None
             ) -> tuple[User, dict[str, str]]:
        user = User(_id=object_id(), email=email or f"{object_id()}@example.com", role=role,
                    tenantId=tenant)
        with container.store.unit_of_work(tenant) as uow:
            uow.users.insert(user)
            uow.commit()
        token = issue_access_token(container.jwt_secret, user_id=user.id, tenant_id=tenant,
                                   role=role, session_id=None)
        return user, {"Authorization": f"Bearer {token}"}

    return make
