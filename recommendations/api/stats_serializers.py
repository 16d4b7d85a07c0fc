"""API serializers of the counts (``/stats/``, ``/stats/timeline/``): the answers and the query
parameters. Re-exported by ``serializers``."""

from django.utils import timezone
from rest_framework import serializers

from ..stats import GROUPINGS, INTERVALS, STATUS_KEYS, timeline_range

# ── Counts ───────────────────────────────────────────────────────────────────────────────


class StatusCountsSerializer(serializers.Serializer):
    """One integer per status, ``no_status`` for those not assessed (yet, on the date)."""

    def get_fields(self):
        return {key: serializers.IntegerField() for key in STATUS_KEYS}


class CountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_status = StatusCountsSerializer()
    implementation_rate = serializers.FloatField(allow_null=True, help_text="implemented / total")
    implementation_rate_with_partial = serializers.FloatField(
        allow_null=True, help_text="(implemented + partially_implemented) / total"
    )
    overdue = serializers.IntegerField()


class GroupCountsSerializer(CountsSerializer):
    key = serializers.CharField(allow_null=True, help_text="The group's slug or code; null for “none”.")
    label = serializers.CharField()

    def get_fields(self):
        fields = super().get_fields()
        return {"key": fields.pop("key"), "label": fields.pop("label"), **fields}


class StatsSerializer(serializers.Serializer):
    as_of = serializers.DateField(allow_null=True)
    group_by = serializers.ChoiceField(choices=list(GROUPINGS), allow_null=True)
    overall = CountsSerializer()
    groups = GroupCountsSerializer(many=True)


class StatsQuerySerializer(serializers.Serializer):
    group_by = serializers.ChoiceField(
        choices=list(GROUPINGS),
        required=False,
        help_text="Also count per theme, actor (= made_by), made_by, addressed_to, country (of the "
        "addressee), kind, mechanism or legal_provision.",
    )


class TimelinePointSerializer(CountsSerializer):
    date = serializers.DateField()

    def get_fields(self):
        fields = super().get_fields()
        return {"date": fields.pop("date"), **fields}


class TimelineSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    interval = serializers.ChoiceField(choices=INTERVALS)
    points = TimelinePointSerializer(many=True)


class TimelineQuerySerializer(serializers.Serializer):
    start = serializers.DateField(
        required=False, help_text="First day of the range (YYYY-MM-DD); default: five years before the end."
    )
    end = serializers.DateField(required=False, help_text="Last day of the range (YYYY-MM-DD); default: today.")
    interval = serializers.ChoiceField(choices=INTERVALS, default="month")

    def validate(self, attrs):
        attrs["start"], attrs["end"] = timeline_range(attrs.get("start"), attrs.get("end"), today=timezone.localdate())
        if attrs["start"] > attrs["end"]:
            raise serializers.ValidationError({"end": "The end must not be before the start."})
        return attrs
