"""Register × register, or plan × plan, → a diff value; git revisions of a register. No printing."""
