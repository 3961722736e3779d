"""`python -m jnap_cli` runs the same CLI as the `jnap` script."""

from jnap_cli.entry import main

main()
