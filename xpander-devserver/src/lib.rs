//! xpander-devserver: a local implementation of the xpander.ai platform (see issue 3).
