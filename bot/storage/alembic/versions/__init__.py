"""The revisions, oldest first: each file one step of the schema, never edited once released."""
