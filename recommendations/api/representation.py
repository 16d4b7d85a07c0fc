"""A leaner ``to_representation`` for the serializers of long lists.

A page of 50 recommendations, each with its actors, themes and cluster, is about 2,000 field
values; DRF's generic loop asks every field to look its value up (``get_attribute``: a walk over
the source's parts, with checks for dicts, callables and missing objects) and spent a fifth of a
list request's CPU there. ``PlainRepresentation`` reads a field with a one-part source by a plain
``getattr`` and leaves every other field (dotted sources, ``source="*"``, relations with their own
lookup) to DRF, so the output is the same as DRF's: ``tests/test_api_representation.py`` compares
them, field by field, over the seed data.
"""

from django.core.exceptions import ObjectDoesNotExist
from rest_framework.fields import Field, SkipField, is_simple_callable


class PlainRepresentation:
    """Mixin for a ``Serializer``: the same representation, computed with less overhead."""

    def _representation_plan(self):
        """(name, attribute or None, field) per readable field, worked out once per serializer
        instance (a list's child serializer serves all its rows)."""
        plan = self.__dict__.get("_plain_plan")
        if plan is None:
            plan = []
            for field in self._readable_fields:
                plain = type(field).get_attribute is Field.get_attribute and len(field.source_attrs) == 1
                plan.append((field.field_name, field.source_attrs[0] if plain else None, field))
            self._plain_plan = plan
        return plan

    def to_representation(self, instance):
        representation = {}
        for name, attribute, field in self._representation_plan():
            try:
                if attribute is None:
                    raise AttributeError  # not a plain attribute: DRF's own lookup below
                value = getattr(instance, attribute)
                if is_simple_callable(value):
                    value = value()
            except (AttributeError, KeyError, ObjectDoesNotExist):
                try:
                    value = field.get_attribute(instance)  # defaults, missing objects, nested sources
                except SkipField:
                    continue
            representation[name] = None if value is None else field.to_representation(value)
        return representation
