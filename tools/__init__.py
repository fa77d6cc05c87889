"""Stand-alone tools: the independent verifier of a published bundle, and the bench."""
