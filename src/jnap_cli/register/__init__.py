"""File ⇄ register: one TOML reader, the source map (file:line, built only when a line is needed), loading."""
