"""The Django admin as the curation tool, one module per model family. Writes that involve more
than one row go through ``services``; list columns are fed by annotations and ``select_related``
so a page costs a fixed number of queries however many rows it shows."""

from . import accounts, clusters, documents, jobs, recommendations, status_updates, taxonomy  # noqa: F401  (registers the admins)
