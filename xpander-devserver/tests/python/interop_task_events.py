"""Watching a task with the SDK's `Task.aevents()` against the devserver.

Usage:
  interop_task_events.py sdk_test AGENT_ID
      What the SDK's own `test_create_task_with_events` does: create a task with
      `events_streaming=True`, iterate `aevents()` until `task_created` (every event is for
      the task and its organization). Also checks the route answers `text/event-stream`.
  interop_task_events.py watch TASK_ID
      Loads the task and prints `CONNECTED` once the stream is open, then reads every event
      until the stream ends.

Both print one line `RESULT <json>`; `events` lists `[type, summary]` per event, the summary
being the task's status for a task-typed event with a typed task, else the event's data.
"""
import asyncio
import json
import sys

import httpx
from xpander_sdk import Tasks
from xpander_sdk.models.configuration import Configuration
from xpander_sdk.modules.events.utils.generic import get_events_headers, get_events_root
from xpander_sdk.modules.tasks.sub_modules.task import Task


def summary(event) -> list:
    kind = event.type.value
    if isinstance(event.data, Task):
        return [kind, event.data.status.value]
    return [kind, event.data]


async def content_type(task_id: str) -> str:
    configuration = Configuration()
    url = f"{get_events_root(configuration=configuration)}/agent-execution/{task_id}/events"
    async with httpx.AsyncClient(timeout=10, headers=get_events_headers(configuration)) as client:
        async with client.stream("GET", url) as response:
            return response.headers.get("content-type", "")


async def sdk_test(agent_id: str) -> dict:
    created = await Tasks().acreate(
        agent_id=agent_id, prompt="what can you do", events_streaming=True
    )
    assert isinstance(created, Task)
    assert created.events_streaming is True
    events = []
    found_created = False
    async for event in created.aevents():
        assert event.task_id == created.id
        assert event.organization_id == created.organization_id
        events.append(summary(event))
        if event.type.value == "task_created":
            found_created = True
            break
    assert found_created, "Expected 'created' event not found in task stream"
    return {"task_id": created.id, "events": events, "content_type": await content_type(created.id)}


async def watch(task_id: str) -> dict:
    task = await Tasks().aget(task_id=task_id)
    events = []
    async for event in task.aevents():
        if event.type.value == "connected":
            print("CONNECTED", flush=True)
        events.append(summary(event))
    return {"task_id": task_id, "events": events}


def main() -> None:
    mode, arg = sys.argv[1], sys.argv[2]
    result = asyncio.run(sdk_test(arg) if mode == "sdk_test" else watch(arg))
    print("RESULT " + json.dumps(result), flush=True)


main()
