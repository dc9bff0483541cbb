"""Encoded claims, one sub-package per source document (see ../shared/CLAIMS.md for the ids)."""
