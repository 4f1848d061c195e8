//! Examples and cross-crate integration tests for xpander-rs. Not published.
