"""`python -m jnap_cli` runs the same CLI as the `jnap` script."""

from jnap_cli.cli import main

main()
