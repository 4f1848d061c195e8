"""Dumps what the official Python SDK's Backend resolves for an agent and a task, as JSON.

Usage: python backend_args.py AGENT_ID TASK_ID
(with XPANDER_BASE_URL, XPANDER_ORGANIZATION_ID and XPANDER_API_KEY pointing at a devserver).

Values that JSON can hold are written as they are. Objects (the model, tools, guardrails, the
database, team members) are written as {"__type__": <class>, "__mro__": [<classes>], ...}
with their JSON-representable attributes, so the Rust side can compare them field by field.
Used by tests/backend_parity.rs.
"""

import asyncio
import json
import sys

from xpander_sdk import Backend, Tasks

# Attributes read from each team member (an agno Agent or Team object).
MEMBER_ATTRIBUTES = (
    "id",
    "name",
    "description",
    "instructions",
    "expected_output",
    "additional_context",
    "markdown",
    "use_json_mode",
    "tool_call_limit",
    "session_id",
    "user_id",
    "add_history_to_context",
    "learning",
    "search_knowledge",
    "add_datetime_to_context",
    "store_events",
    "telemetry",
    "datetime_format",
    "timezone_identifier",
)


def is_json(value):
    try:
        json.dumps(value)
        return True
    except (TypeError, ValueError):
        return False


def describe(value):
    """A JSON description of an object: its class chain and its JSON attributes."""
    out = {
        "__type__": type(value).__name__,
        "__mro__": [cls.__name__ for cls in type(value).__mro__],
    }
    attributes = getattr(value, "__dict__", {})
    for name, attribute in attributes.items():
        if not name.startswith("_") and is_json(attribute):
            out[name] = attribute
    return out


def dump(value):
    if is_json(value):
        return value
    if isinstance(value, (list, tuple)):
        return [dump(item) for item in value]
    if isinstance(value, dict):
        return {str(key): dump(item) for key, item in value.items()}
    return describe(value)


def member(agent_object, leader_model):
    out = {"__type__": type(agent_object).__name__}
    # What the class sets when an argument is not given, to tell "left out" from "set".
    blank = type(agent_object)()
    defaults = {}
    for name in MEMBER_ATTRIBUTES:
        out[name] = dump(getattr(agent_object, name, None))
        defaults[name] = dump(getattr(blank, name, None))
    out["__defaults__"] = defaults
    out["__model_is_leader__"] = getattr(agent_object, "model", None) is leader_model
    return out


async def main(agent_id, task_id):
    task = await Tasks().aget(task_id=task_id)
    args = await Backend().aget_args(agent_id=agent_id, task=task)
    out = {}
    for key, value in args.items():
        if key == "members":
            out[key] = [member(m, args.get("model")) for m in value]
        elif key == "output_schema" and hasattr(value, "model_json_schema"):
            out[key] = {"__type__": "model", "schema": value.model_json_schema()}
        else:
            out[key] = dump(value)
    print(json.dumps(out))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
