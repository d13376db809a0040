"""What the assessment app tells the rest of the product."""

from django.dispatch import Signal

# Results were written in bulk (scored, ranked, approved or published a round at a time), past
# ``save()`` and its post_save: whatever keeps figures read from the results reads them again
# (the dashboard's ranking). Sent with the scheme.
results_changed = Signal()
