"""The writing side: edits planned on a register file's text (`splice`, `blocks`), written under the lock
(`writer`), the routine changes (`edits`) and new registers (`init`). It may use the readers and the checks."""
