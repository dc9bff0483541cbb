"""Encoded claims, one sub-package per source document; claim ids are ``paper.part[@reading][:repaired]``
(the ids of the first two papers follow the project's published claim catalogue)."""
