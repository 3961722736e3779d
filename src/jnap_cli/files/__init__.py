"""Files written safely: atomic replacement, writing into special files, and the writers' lock."""
