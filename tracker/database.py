"""Settings of each database session, made once when Django opens the connection."""

from django.conf import settings


def configure_session(sender, connection, **kwargs):
    """PostgreSQL: no JIT compilation (unless ``DATABASE_JIT``). The server compiles any statement
    its planner costs above ``jit_above_cost`` to machine code before running it, which takes
    100–300 ms; the planner overestimates the API's short lookups (the public themes' EXISTS at a
    million recommendations: 45 ms of work, then 300 ms of compiling), and the long counts gain
    less than it costs them."""
    if connection.vendor == "postgresql" and not settings.DATABASE_JIT:
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")
