"""Scenario 5: a long-running @on_task worker; it answers every task it receives.

Environment: XPANDER_BASE_URL, XPANDER_ORGANIZATION_ID, XPANDER_API_KEY, XPANDER_AGENT_ID,
XPANDER_STREAMING_PORT.
"""
import asyncio

from xpander_sdk import Task, Tokens, on_task


@on_task
async def handle(task: Task) -> Task:
    await asyncio.sleep(0.05)
    task.result = "answered: " + task.input.text
    task.tokens = Tokens(prompt_tokens=1, completion_tokens=2)
    return task
