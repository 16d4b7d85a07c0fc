"""A leaner ``to_representation`` for the serializers of long lists.

A page of 50 recommendations, each with its actors, themes and cluster, is about 2,000 field
values; DRF's generic loop asks every field to look its value up (``get_attribute``: a walk over
the source's parts, with checks for dicts, callables and missing objects) and spent a fifth of a
list request's CPU there. ``PlainRepresentation`` reads a field with a one-part source by a plain
``getattr`` and leaves every other field (dotted sources, ``source="*"``, relations with their own
lookup) to DRF, so the output is the same as DRF's: ``tests/test_api_representation.py`` compares
them, field by field, over the seed data.
"""

import copy

from django.core.exceptions import ObjectDoesNotExist
from rest_framework.fields import Field, SkipField, is_simple_callable
from rest_framework.serializers import BaseSerializer, ListSerializer


class PlainRepresentation:
    """Mixin for a ``Serializer``: the same representation, computed with less overhead."""

    def get_fields(self):
        # A ModelSerializer works its fields out from the model on every instantiation (each
        # request, and each nested summary in it); they depend on the class alone, so they are
        # worked out once per class and each instance gets its own copies. DRF deep-copies a
        # field by constructing it again; an unbound plain field is copied as it is (binding sets
        # only the copy's name, parent and source), a nested serializer in full (its child and
        # context are its own).
        template = type(self).__dict__.get("_fields_template")
        if template is None:
            template = super().get_fields()
            type(self)._fields_template = template
        return {
            name: copy.deepcopy(field) if isinstance(field, BaseSerializer) else copy.copy(field)
            for name, field in template.items()
        }

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
                if attribute is None:  # not a plain attribute: DRF's own lookup
                    value = field.get_attribute(instance)
                else:
                    value = getattr(instance, attribute)
                    if is_simple_callable(value):
                        value = value()
            except (AttributeError, KeyError, ObjectDoesNotExist):
                try:
                    value = field.get_attribute(instance)  # defaults, missing objects, nested sources
                except SkipField:
                    continue
            except SkipField:
                continue
            representation[name] = None if value is None else field.to_representation(value)
        return representation


def listed(relation):
    """The attribute a view's ``Prefetch(relation, to_attr=listed(relation))`` leaves the related
    rows on, as a plain list."""
    return f"listed_{relation}"


class PrefetchedListSerializer(ListSerializer):
    """A to-many relation read from the plain list a view prefetched (``listed``) when there is
    one, else through the related manager as DRF does. A prefetch into the related manager's
    cache makes a manager and a queryset for every row (Django's ``prefetch_one_level``): for a
    page of 50 with two such relations, a fifth of the request's CPU."""

    def get_attribute(self, instance):
        rows = instance.__dict__.get(listed(self.source)) if len(self.source_attrs) == 1 else None
        return rows if rows is not None else super().get_attribute(instance)


def forget_listed(instance):
    """Drop the lists prefetched for ``instance`` (``listed``) after a write changed its relations
    (``themes.set()`` clears Django's own prefetch cache, not these): they are read again."""
    for name in [name for name in instance.__dict__ if name.startswith("listed_")]:
        del instance.__dict__[name]
