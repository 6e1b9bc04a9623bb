"""Parsing export files: LibreChat flat and nested exports, ChatGPT mappings, limits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gorunchat.contracts.errors import BadRequest, PayloadTooLarge
from gorunchat.domain.imports import ImportLimits, parse
from gorunchat.domain.message_tree import NO_PARENT

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"
LIMITS = ImportLimits(max_conversations=10, max_messages=100)


def test_librechat_nested_export() -> None:
    data = json.loads((FIXTURES / "librechat-export.json").read_text(encoding="utf-8"))
    [parsed], errors = parse(data, LIMITS)
    assert errors == []
    assert parsed.title == "Übersetzung: Bewerbungsschreiben 📄"
    assert parsed.model == "gpt-4o"
    by_id = {m.messageId: m for m in parsed.messages}
    root = by_id["b1d7a9e0-1111-4c2a-9e1b-000000000001"]
    assert root.parentMessageId == NO_PARENT and root.sender == "user"
    assert by_id["b1d7a9e0-1111-4c2a-9e1b-000000000003"].feedback == {
        "rating": "thumbsUp", "tag": "accurate_reliable"}


def test_librechat_flat_export_keeps_parents() -> None:
    data = {"conversationId": "c", "title": "  ", "messages": [
        {"messageId": "1", "parentMessageId": NO_PARENT, "text": "hi", "isCreatedByUser": True},
        {"messageId": "2", "parentMessageId": "1", "text": "hello", "sender": "Claude"}]}
    [parsed], _ = parse(data, LIMITS)
    assert parsed.title == "Imported Chat"
    assert [(m.messageId, m.parentMessageId, m.sender) for m in parsed.messages] == [
        ("1", NO_PARENT, "user"), ("2", "1", "Claude")]


def test_chatgpt_export_skips_hidden_and_tool_nodes() -> None:
    data = json.loads((FIXTURES / "chatgpt-conversations.json").read_text(encoding="utf-8"))
    parsed, errors = parse(data, LIMITS)
    assert [p.title for p in parsed] == ["東京の週末プラン", "Regex for ISO dates"]
    assert [(e.index, e.code) for e in errors] == [(2, "INVALID_CONVERSATION")]
    tokyo = {m.messageId: m for m in parsed[0].messages}
    assert set(tokyo) == {"n-user-1", "n-asst-1", "n-user-2a", "n-asst-2a", "n-user-2b",
                          "n-asst-2b"}
    assert tokyo["n-user-1"].parentMessageId == NO_PARENT
    assert tokyo["n-asst-2b"].parentMessageId == "n-user-2b"
    assert tokyo["n-asst-1"].sender == "GPT-4" and tokyo["n-asst-1"].model == "gpt-4o"


def test_limits() -> None:
    many = [{"title": str(i), "mapping": {}} for i in range(11)]
    with pytest.raises(PayloadTooLarge):
        parse(many, LIMITS)
    long_flat = {"conversationId": "c", "messages": [
        {"messageId": str(i), "text": "x"} for i in range(101)]}
    _, errors = parse(long_flat, LIMITS)
    assert [e.code for e in errors] == ["TOO_MANY_MESSAGES"]
    with pytest.raises(BadRequest):
        parse({"something": "else"}, LIMITS)
    _, bad_field = parse({"conversationId": "c", "messages": [
        {"messageId": "1", "text": "x", "tokenCount": "many"}]}, LIMITS)
    assert [e.code for e in bad_field] == ["INVALID_MESSAGE"]
