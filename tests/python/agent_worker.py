"""The official Python worker running the platform's agent with Agno, as the SDK's docs show:
`Agent(**await Backend().aget_args(task=task)).arun(task.to_message())`.

Usage: python agent_worker.py (with the devserver's XPANDER_* variables and XPANDER_AGENT_ID).
Used by tests/agent/parity.rs, which compares what this worker and the Rust one send the LLM.
"""

from agno.agent import Agent
from xpander_sdk import Backend, Task, on_task


@on_task
async def handle(task: Task):
    args = await Backend(configuration=task.configuration).aget_args(task=task)
    # Python-private: Agno rejects it (see the SDK's own examples).
    args.pop("_xpander_hidden_mcp_toolkits", None)
    result = await Agent(**args).arun(task.to_message())
    task.result = result.content
    return task
