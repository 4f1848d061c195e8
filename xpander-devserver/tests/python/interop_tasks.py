"""Scenario 2: Tasks create -> get -> aset_status -> asave -> areport_metrics; then astop.

Usage: interop_tasks.py AGENT_ID
Prints one line `RESULT <json>`.
"""
import asyncio
import json
import sys

from xpander_sdk import AgentExecutionStatus, Tasks, Tokens, User


async def main() -> None:
    agent_id = sys.argv[1]
    tasks = Tasks()
    created = await tasks.acreate(
        agent_id=agent_id,
        prompt="python interop",
        user_details=User(id="u1", email="u@example.com"),
        source="sdk",
        title="from python",
        expected_output="a greeting",
    )
    fetched = await tasks.aget(task_id=created.id)
    await fetched.aset_status(AgentExecutionStatus.Executing)
    after_status = fetched.status.value
    fetched.result = "hello from python"
    fetched.tokens = Tokens(prompt_tokens=7, completion_tokens=5)
    fetched.used_tools = ["search"]
    fetched.status = AgentExecutionStatus.Completed
    await fetched.asave()
    saved_status = fetched.status.value
    await fetched.areport_metrics()

    other = await tasks.acreate(agent_id=agent_id, prompt="to be stopped", source="sdk")
    await other.astop()
    print("RESULT " + json.dumps({
        "created": {"id": created.id, "status": created.status.value, "title": created.title},
        "fetched_text": fetched.input.text,
        "after_status": after_status,
        "saved_status": saved_status,
        "saved_result": fetched.result,
        "stopped": {"id": other.id, "status": other.status.value},
    }), flush=True)


asyncio.run(main())
