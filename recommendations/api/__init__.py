"""The versioned REST API for dashboards and integrations, mounted at ``/api/v1/``."""
