"""Scenario 3: Backend().areport_external_task simple, with Tokens, and the sync variant.

Usage: interop_report.py AGENT_ID
Prints one line `RESULT <json>`.
"""
import asyncio
import json
import sys

from xpander_sdk import Backend, Tokens


async def reports(agent_id: str) -> list:
    backend = Backend()
    simple = await backend.areport_external_task(
        agent_id=agent_id, id="ext-simple", input="in", result="out")
    with_tokens = await backend.areport_external_task(
        agent_id=agent_id, id="ext-tokens", input="in", result="out", duration=1.5,
        llm_response={"a": 1}, tokens=Tokens(prompt_tokens=2, completion_tokens=1),
        used_tools=["t"], is_success=False)
    return [simple, with_tokens]


def main() -> None:
    agent_id = sys.argv[1]
    simple, with_tokens = asyncio.run(reports(agent_id))
    sync = Backend().report_external_task(agent_id=agent_id, id="ext-sync", input="in", result="sync out")
    print("RESULT " + json.dumps([
        {"id": t.id, "agent_id": t.agent_id, "status": t.status.value, "result": t.result,
         "tokens": t.tokens.model_dump() if t.tokens else None}
        for t in (simple, with_tokens, sync)
    ]), flush=True)


main()
