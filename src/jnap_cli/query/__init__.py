"""Pure selection over a register: resolve ids, filter, sort; records; search; the glossary."""
