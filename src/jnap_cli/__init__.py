"""jnap: the command-line register of the Police–CPS Joint National Action Plan on rape."""

__version__ = "0.1.0"
