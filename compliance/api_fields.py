"""The API's shared input fields: ids and date-times, checked one way everywhere (ON-02).

- An id (in a path, a filter or a body) is a whole number from 1 to 2^63 - 1, the range of
  the database's keys; in a path the routers only match `ID_REGEX`, so anything else there
  names no route (404) and never reaches a query.
- A date-time carries its UTC offset. A local time without one is refused rather than
  guessed: around the DST changes a local time is ambiguous or does not exist at all. It
  lies between the years 1900 and 2999.
"""

import datetime

from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

ID_MAX = 2**63 - 1
# At most 18 digits: every such number fits in a 64-bit key; a longer one names no route.
ID_REGEX = "[0-9]{1,18}"

# Moments outside these years are typing errors; near year 9999 converting to local time
# for a letter or an e-mail would leave the calendar.
EARLIEST = datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC)
LATEST = datetime.datetime(2999, 12, 31, 23, 59, 59, tzinfo=datetime.UTC)
OFFSET_HELP = _("ISO 8601 with its UTC offset, for example 2026-09-01T09:30:00+02:00.")


class IdField(serializers.IntegerField):
    """A database id: a whole number from 1 up to 2^63 - 1 (the largest 64-bit key)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(**kwargs)


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date-time with its UTC offset (e.g. 2026-09-01T09:30:00+02:00). A time
    without an offset is refused rather than guessed (DST changes make a guess wrong, and a
    local time can be ambiguous or not exist); a date or time that does not exist (30
    February, 25:00) is refused with its own message, and so is one outside the years
    1900–2999. Every date-time the API accepts is one of these."""

    default_error_messages = {
        "invalid": _(
            "Give the date and time in ISO 8601 with its UTC offset, for example "
            "2026-09-01T09:30:00+02:00."
        ),
        "naive": _("Give the time with its UTC offset, for example 2026-09-01T09:30:00+02:00."),
        "impossible": _(
            "This date or time does not exist (such as 30 February or 25:00). Give it with "
            "its UTC offset, for example 2026-09-01T09:30:00+02:00."
        ),
        "out_of_range": _("Give a moment between the years 1900 and 2999."),
    }
    default_error_messages["overflow"] = default_error_messages["out_of_range"]

    def __init__(self, **kwargs):
        help_text = kwargs.pop("help_text", None)
        kwargs["help_text"] = (
            format_lazy("{} {}", help_text, OFFSET_HELP) if help_text else OFFSET_HELP
        )
        super().__init__(**kwargs)

    def to_internal_value(self, value):
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value.strip())
            except ValueError:  # well-formed, but no such day or time
                self.fail("impossible")
            if parsed is None:
                self.fail("invalid")
            value = parsed
        if isinstance(value, datetime.datetime) and timezone.is_naive(value):
            self.fail("naive")
        moment = super().to_internal_value(value)
        if not EARLIEST <= moment <= LATEST:
            self.fail("out_of_range")
        return moment


class BlankAsNullChoiceField(serializers.ChoiceField):
    """A choice that may be empty reads as null, not as "" (which is no choice at all and
    which the schema's enumeration does not hold). "" or null in stays "" in the database."""

    def to_representation(self, value):
        if value in ("", None):
            return None
        return super().to_representation(value)

    def to_internal_value(self, data):
        if data is None:
            return ""
        return super().to_internal_value(data)

    def validate_empty_values(self, data):
        if data is None:
            return (True, "")
        return super().validate_empty_values(data)


def _json_type_error(field, value) -> str | None:
    """The message for a JSON value of the wrong type for `field`, or None. DRF reads 0 as
    false and 12 as "12"; the schema says boolean and string, and so does the API."""
    if value is None or isinstance(field, serializers.ChoiceField):
        return None
    if isinstance(field, serializers.BooleanField) and not isinstance(value, bool):
        return _("Give true or false.")
    if isinstance(field, serializers.CharField | serializers.DateTimeField | serializers.DateField):
        if not isinstance(value, str):
            return _("Give text (a JSON string).")
        # The schema's maxLength counts what is sent, before spaces at the ends are trimmed.
        limit = getattr(field, "max_length", None)
        if limit is not None and len(value) > limit:
            return _("Give at most %(limit)d characters.") % {"limit": limit}
    if isinstance(field, serializers.IntegerField | serializers.PrimaryKeyRelatedField):
        if isinstance(value, bool) or not isinstance(value, int):
            return _("Give a whole number.")
    if isinstance(field, serializers.ManyRelatedField | serializers.ListField):
        if not isinstance(value, list):
            return _("Give a list.")
        child = getattr(field, "child_relation", None) or getattr(field, "child", None)
        for item in value:
            if child is not None and (error := _json_type_error(child, item)):
                return error
    return None


class StrictTypes:
    """Input of the JSON type the schema names, or a 400: no silent coercion (ON-02)."""

    def to_internal_value(self, data):
        errors = {}
        for field in self._writable_fields if isinstance(data, dict) else ():
            if field.field_name not in data:
                continue
            value = data[field.field_name]
            if isinstance(data, QueryDict):
                # Query parameters are text by nature; DRF would read a blank one as absent.
                if value == "" and not getattr(field, "allow_blank", False):
                    errors[field.field_name] = [_("Leave the parameter out or give a value.")]
            elif error := _json_type_error(field, value):
                errors[field.field_name] = [error]
        if errors:
            raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class Serializer(StrictTypes, serializers.Serializer):
    """The API's plain serializer: input of the JSON types the schema names."""


class ModelSerializer(StrictTypes, serializers.ModelSerializer):
    """The API's model serializer: input of the JSON types the schema names, and a model
    choice that may be blank is null when empty."""

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if issubclass(field_class, serializers.ChoiceField) and kwargs.get("allow_blank"):
            field_class = BlankAsNullChoiceField
            kwargs["allow_null"] = True
        return field_class, kwargs
