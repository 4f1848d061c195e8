"""The benchmark's Python agent worker: the official SDK's @on_task worker (xpander-sdk 2.0.537)
running the agent configured on the platform with Agno, as the SDK's own example does:
`Agent(**await Backend().aget_args(task=task)).arun(task.to_message())` (2.0.537 has no
`ato_message`).

Environment: as python_worker.py.
"""
from agno.agent import Agent
from xpander_sdk import Backend, Task, on_task


@on_task
async def handle(task: Task) -> Task:
    args = await Backend(configuration=task.configuration).aget_args(task=task)
    # Python-private: Agno rejects it.
    args.pop("_xpander_hidden_mcp_toolkits", None)
    result = await Agent(**args).arun(task.to_message())
    task.result = result.content
    return task
