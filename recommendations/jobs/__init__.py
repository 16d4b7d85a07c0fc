"""Background jobs: long curation work (bulk review, bulk assessment, exports, imports) run by a
worker (`python manage.py db_worker`) instead of inside a web request. See runner.py."""
