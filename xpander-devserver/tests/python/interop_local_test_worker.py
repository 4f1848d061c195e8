"""Scenario 4: an @on_task worker with a LocalTaskTest: it creates its test task, runs it,
saves the result and exits 0.

Environment: XPANDER_BASE_URL, XPANDER_ORGANIZATION_ID, XPANDER_API_KEY, XPANDER_AGENT_ID,
XPANDER_STREAMING_PORT.
"""
from xpander_sdk import Task, Tokens, on_task
from xpander_sdk.modules.tasks.models.task import AgentExecutionInput, LocalTaskTest


@on_task(test_task=LocalTaskTest(input=AgentExecutionInput(text="local test prompt")))
def handle(task: Task) -> Task:
    task.result = "local answer: " + task.input.text
    task.tokens = Tokens(prompt_tokens=3, completion_tokens=4)
    return task
