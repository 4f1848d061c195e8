"""Scenario 1: Agents().aget for each seeded agent, and aget with a version.

Usage: interop_agents.py VERSIONED_AGENT_ID VERSION AGENT_ID...
Prints one line `RESULT <json>` with what the SDK loaded.
"""
import asyncio
import json
import sys

from xpander_sdk import Agents


async def main() -> None:
    versioned_id, version, *agent_ids = sys.argv[1:]
    loaded = []
    for agent_id in agent_ids:
        agent = await Agents().aget(agent_id=agent_id)
        loaded.append({"id": agent.id, "name": agent.name, "version": agent.version,
                       "framework": str(agent.framework.value)})
    versioned = await Agents().aget(agent_id=versioned_id, version=int(version))
    listed = await Agents().alist()
    print("RESULT " + json.dumps({
        "loaded": loaded,
        "versioned": {"id": versioned.id, "version": versioned.version, "name": versioned.name},
        "listed": sorted(item.id for item in listed),
    }), flush=True)


asyncio.run(main())
