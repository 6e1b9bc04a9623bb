"""Conversation list and conversation open latency on SQLite (DESIGN.md §10).

Two cases, each timed through the mounted Cloud Functions (functions-framework app, test
client: authentication, routing, the service, the store and JSON rendering all included):

* ``GET /api/convos`` — a 25-item page for a user with 10,000 conversations: the first page
  and pages deep into the list (following ``nextCursor``). Budget: p50 <= 10 ms.
* ``GET /api/messages/:conversationId`` — opening a conversation of 1,000 messages (a main
  branch with regenerated answers beside it), returned in tree order.

Prints p50/p99 per case and a final JSON line. Figures are printed, never asserted.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CONVERSATIONS = 10_000
MESSAGES = 1_000
RUNS = 300
BUDGET_LIST_P50_MS = 10.0


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _seed(container: Any, user_id: str) -> str:
    from gorunchat.contracts.documents import Conversation, Message
    from gorunchat.domain.ids import new_uuid
    from gorunchat.domain.message_tree import NO_PARENT

    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    with container.store.unit_of_work("default") as uow:
        for i in range(CONVERSATIONS):
            at = t0 + timedelta(minutes=i)
            uow.conversations.insert(Conversation(
                conversationId=new_uuid(), user=user_id, title=f"Conversation {i}",
                createdAt=at, updatedAt=at, endpoint="openAI", model="gpt-4o",
                tags=["work"] if i % 10 == 0 else []))
        big = new_uuid()
        uow.conversations.insert(Conversation(conversationId=big, user=user_id,
                                              title="Long conversation", createdAt=t0,
                                              updatedAt=t0))
        parent = NO_PARENT
        for i in range(MESSAGES):
            message_id = new_uuid()
            # every tenth answer is a regenerated sibling of the previous one
            sibling = i % 10 == 9
            uow.messages.insert(Message(
                messageId=message_id, conversationId=big, user=user_id,
                parentMessageId=parent, isCreatedByUser=i % 2 == 0,
                text=f"Message {i}: " + "lorem ipsum dolor sit amet " * 8,
                createdAt=t0 + timedelta(seconds=i)))
            if not sibling:
                parent = message_id
        uow.commit()
    return big


def _time(call: Any, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> int:
    import functions_framework

    from gorunchat.bootstrap import Container, set_container
    from gorunchat.contracts.documents import User
    from gorunchat.contracts.settings import Settings
    from gorunchat.domain.ids import object_id
    from gorunchat.domain.tokens import issue_access_token

    logging_off()
    with tempfile.TemporaryDirectory() as tmp:
        container = Container(Settings.load(env={
            "GORUNCHAT_DATA_DIR": tmp, "JWT_SECRET": "bench-" + "x" * 40,
            "GORUNCHAT_ENV": "test"}, cwd=Path(tmp)))
        set_container(container)
        user = User(_id=object_id(), email="bench@example.com")
        with container.store.unit_of_work("default") as uow:
            uow.users.insert(user)
            uow.commit()
        seeded_at = time.perf_counter()
        big = _seed(container, user.id)
        seed_s = time.perf_counter() - seeded_at
        token = issue_access_token(container.jwt_secret, user_id=user.id, tenant_id="default",
                                   role="USER", session_id=None)
        auth = {"Authorization": f"Bearer {token}"}

        def client(group: str) -> Any:
            return functions_framework.create_app(  # type: ignore[no-untyped-call]
                target="handle", source=str(ROOT / "functions" / group / "main.py")
            ).test_client()

        convos, messages = client("convos"), client("messages")
        cursors = [None]
        for _ in range(40):
            page = convos.get(f"/api/convos?limit=25&cursor={cursors[-1] or ''}",
                              headers=auth).json
            cursors.append(page["nextCursor"])
        deep = [c for c in cursors if c]

        def first_page() -> None:
            assert len(convos.get("/api/convos?limit=25", headers=auth).json[
                "conversations"]) == 25

        position = iter(range(10**9))

        def deep_page() -> None:
            cursor = deep[next(position) % len(deep)]
            assert len(convos.get(f"/api/convos?limit=25&cursor={cursor}", headers=auth).json[
                "conversations"]) == 25

        def open_conversation() -> None:
            assert len(messages.get(f"/api/messages/{big}", headers=auth).json) == MESSAGES

        for call in (first_page, deep_page, open_conversation):
            _time(call, 20)  # warm caches and the app
        results = {name: _time(call, RUNS) for name, call in (
            ("convos_first_page", first_page), ("convos_deep_page", deep_page),
            ("open_1000_messages", open_conversation))}
        set_container(None)
        container.close()

    report = {name: {"p50_ms": round(statistics.median(s), 2),
                     "p99_ms": round(_percentile(s, 0.99), 2)} for name, s in results.items()}
    print(f"seeded {CONVERSATIONS} conversations + 1 of {MESSAGES} messages in {seed_s:.1f} s")
    print(f"{'case':22} {'p50_ms':>8} {'p99_ms':>8}   ({RUNS} runs, SQLite, via mounted "
          "functions)")
    for name, row in report.items():
        print(f"{name:22} {row['p50_ms']:8.2f} {row['p99_ms']:8.2f}")
    list_p50 = max(report["convos_first_page"]["p50_ms"], report["convos_deep_page"]["p50_ms"])
    print(json.dumps({"bench": "convos_list", "store": "sqlite", "runs": RUNS,
                      "conversations": CONVERSATIONS, "messages": MESSAGES,
                      "budget_list_p50_ms": BUDGET_LIST_P50_MS,
                      "list_within_budget": list_p50 <= BUDGET_LIST_P50_MS, **report}))
    return 0


def logging_off() -> None:
    """Request logs would dominate the timing; the bench measures the work, not stdout."""
    import logging

    logging.getLogger("gorunchat").disabled = True
    logging.getLogger("gorunchat.edge").disabled = True


if __name__ == "__main__":
    raise SystemExit(main())
