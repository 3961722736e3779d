"""The register's data model: the vocabularies (`vocab`, no pydantic) and the pydantic schema (`schema`)."""
