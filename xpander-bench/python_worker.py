"""The benchmark's Python worker: the official SDK's @on_task worker (xpander-sdk 2.0.537) with
the handler of examples/echo_worker.rs, so both workers do the same work per task.

`sleep:MS rest` sleeps MS milliseconds, then answers `rest`; any other prompt is echoed.

Environment: XPANDER_BASE_URL, XPANDER_ORGANIZATION_ID, XPANDER_API_KEY, XPANDER_AGENT_ID,
XPANDER_STREAMING_PORT (a free port: 2.0.537 also serves /invoke there).
"""
import asyncio

from xpander_sdk import Task, on_task


@on_task
async def echo(task: Task) -> Task:
    text = task.input.text or ""
    if text.startswith("sleep:"):
        millis, _, rest = text[len("sleep:"):].partition(" ")
        await asyncio.sleep(int(millis) / 1000)
        text = rest
    task.result = text
    return task
