"""Fixtures of the web-function tests: ``functions/web/main.py`` loaded as Cloud Functions
loads it, on a fresh SQLite store, with users and tokens made in the store."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from gorunchat.bootstrap import Container, set_container
from gorunchat.contracts.documents import Conversation, User
from gorunchat.contracts.settings import Settings
from gorunchat.domain.ids import new_uuid, object_id
from gorunchat.domain.tokens import issue_access_token

ROOT = Path(__file__).resolve().parents[2]
HOST = "localhost"


@pytest.fixture
def container(data_dir: Path) -> Iterator[Container]:
    env = {"GORUNCHAT_DATA_DIR": str(data_dir), "JWT_SECRET": "web-secret-" + "w" * 40,
           "GORUNCHAT_TASKS_SECRET": "task-secret-for-tests", "GORUNCHAT_ENV": "test"}
    c = Container(Settings.load(env=env, cwd=data_dir))
    set_container(c)
    yield c
    set_container(None)
    c.close()


@pytest.fixture
def web(container: Container) -> FlaskClient:
    """A test client of the web function, exactly as functions-framework serves it."""
    import functions_framework

    app = functions_framework.create_app(target="handle",
                                         source=str(ROOT / "functions" / "web" / "main.py"))
    return app.test_client()


Maker = Callable[..., tuple[User, str]]


@pytest.fixture
def make_user(container: Container) -> Maker:
    """A user in the store and a bearer header value for it."""

    def make(role: str = "USER", email: str | None = None) -> tuple[User, str]:
        user = User(_id=object_id(), email=email or f"{object_id()}@example.com", role=role,
                    name="Web Tester")
        with container.store.unit_of_work("default") as uow:
            uow.users.insert(user)
            uow.commit()
        token = issue_access_token(container.jwt_secret, user_id=user.id, tenant_id="default",
                                   role=role, session_id=None)
        return user, f"Bearer {token}"

    return make


@pytest.fixture
def make_conversation(container: Container) -> Callable[[User, str], str]:
    def make(user: User, title: str) -> str:
        conversation = Conversation(conversationId=new_uuid(), user=user.id, title=title)
        with container.store.unit_of_work("default") as uow:
            uow.conversations.insert(conversation)
            uow.commit()
        return conversation.conversationId

    return make


def csrf(web: FlaskClient) -> str:
    """Load a page so the browser holds the CSRF cookie; the token the page carries."""
    page = web.get("/login")
    cookie = web.get_cookie("grc_csrf")
    assert cookie is not None
    assert f'name="csrf-token" content="{cookie.value}"' in page.text
    return cookie.value
