//! Attribute macros for `xpander-runtime`. Use them through `xpander_runtime`, which re-exports them.
