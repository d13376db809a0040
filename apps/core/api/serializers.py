from copy import copy

from rest_framework import serializers

from apps.core.personal_data import email_for, phone_for


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """An id in a request body is looked up through ``for_user`` of the caller, like every
    page and list: an id outside the caller's area is simply "does not exist" and names
    nothing. Without a request in the context there is nobody to scope for, so nothing is
    found."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        if request is None:
            return queryset.none()
        return queryset.for_user(request.user)


class ScopedModelSerializer(serializers.ModelSerializer):
    """The base of every model serializer: the foreign keys DRF generates resolve ids through
    ``for_user`` (ScopedPrimaryKeyRelatedField) instead of ``objects.all()``."""

    serializer_related_field = ScopedPrimaryKeyRelatedField


class ModelCleanMixin:
    """Runs the model's own validation (``clean()``, field checks, constraints) on the submitted
    values, so the API refuses exactly what the forms refuse, with the same messages."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        instance = copy(self.instance) if self.instance else self.Meta.model()
        many_to_many = {field.name for field in instance._meta.many_to_many}
        for name, value in attrs.items():
            if name not in many_to_many:
                setattr(instance, name, value)
        # Uniqueness is the serializer's own unique validators' job.
        instance.full_clean(validate_unique=False, validate_constraints=True)
        return attrs


def validated(serializer_class, request):
    """The request body checked by ``serializer_class``: for action endpoints whose input is
    not the model itself. Bad input raises a ValidationError with a message per field."""
    serializer = serializer_class(data=request.data, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class MaskedPhoneField(serializers.CharField):
    """A person's mobile number, in full only for those apps.core.personal_data lets see it
    (herself and the staff who manage her), masked for everyone else. Writable as a plain
    number where the serializer accepts writes."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault("allow_blank", True)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return instance

    def to_representation(self, person):
        return phone_for(self.context["request"].user, person)


class MaskedEmailField(serializers.EmailField):
    """A person's e-mail address, read-only, in full or masked by the same rule as her phone
    number."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return instance

    def to_representation(self, person):
        return email_for(self.context["request"].user, person)


class DeadlineLightMixin(serializers.Serializer):
    """``light`` and ``light_reason`` from the deadline engine's kind ``deadline_kind``, judged
    from the row's own fields (querysets annotate what a kind reads, so lists stay N+1-free)."""

    deadline_kind = ""
    light = serializers.SerializerMethodField()
    light_reason = serializers.SerializerMethodField()
    _judged = (None, None)  # the last row judged and its status: both fields read it

    def _deadline_status(self, instance):
        from apps.core import deadlines

        judged, status = self._judged
        if judged is not instance:
            status = deadlines.kind(self.deadline_kind).status_of(instance)
            self._judged = (instance, status)
        return status

    def get_light(self, instance) -> str:
        return self._deadline_status(instance).light

    def get_light_reason(self, instance) -> str:
        return self._deadline_status(instance).reason
