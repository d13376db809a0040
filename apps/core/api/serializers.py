from copy import copy


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
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
