"""Synthetic demo data for load tests and demonstrations (``manage.py generate_demo_data``)."""
