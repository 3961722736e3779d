"""The rule registry: rules over a register → findings. Never prints, never exits."""
