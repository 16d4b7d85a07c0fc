"""``manage.py import_upr FILE``: the old name of ``import_recommendations``, kept working."""

from .import_recommendations import Command as ImportRecommendations


class Command(ImportRecommendations):
    help = "The same as import_recommendations (its old name): " + ImportRecommendations.help
