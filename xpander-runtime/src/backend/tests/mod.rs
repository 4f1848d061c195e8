//! Tests across the one-way flow: resolve offline, then render.

mod agno_fixtures;
mod secrecy;
mod task_mcp;
