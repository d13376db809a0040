"""Assessment pages: the ranking of a scheme's round and a result's breakdown, each figure
followed to the records it came from."""

from django.db.models import Prefetch
from django.views.generic import DetailView

from apps.assessment import services
from apps.assessment.models import AssessmentLine, AssessmentResult, AssessmentScheme
from apps.core.views import ScopedDetailView, ScopedListView


class ResultListView(ScopedListView):
    model = AssessmentResult
    template_name = "assessment/result_list.html"
    filterset_fields = ["scheme", "round"]

    def get_base_queryset(self):
        return AssessmentResult.objects.with_details().order_by(
            "-scheme__period__start_date", "scheme_id", "round", "rank", "-total", "pk"
        )


class ResultDetailView(ScopedDetailView):
    model = AssessmentResult
    template_name = "assessment/result_detail.html"

    def get_base_queryset(self):
        return AssessmentResult.objects.with_details().prefetch_related(
            Prefetch("lines", AssessmentLine.objects.select_related("indicator"))
        )

    def get_context_data(self, **kwargs):
        lines = list(self.object.lines.all())
        depth = {}
        for line in sorted(lines, key=lambda line: line.indicator.position):
            parent = line.indicator.parent_id
            line.depth = depth[line.indicator_id] = depth.get(parent, -1) + 1 if parent else 0
        return super().get_context_data(
            lines=sorted(lines, key=lambda line: line.indicator.position),
            rounds=services.round_figures([self.object])[self.object.pk],
            **kwargs,
        )


class SchemeDetailView(ScopedDetailView, DetailView):
    model = AssessmentScheme
    template_name = "assessment/scheme_detail.html"

    def get_base_queryset(self):
        return AssessmentScheme.objects.select_related("period", "unit").prefetch_related(
            "parts", "indicators"
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(tree=services.scheme_tree(self.object), **kwargs)
