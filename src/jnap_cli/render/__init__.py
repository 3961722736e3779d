"""Records and diffs → what people and scripts read: tables, JSON, CSV, TSV, Markdown, ids, diff text.

Rich is imported inside the functions that draw, never at the top of a module.
"""
