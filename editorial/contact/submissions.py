"""The contact page's submissions in /cms/, as Wagtail lists and exports them, with the one
change that its CSV holds what visitors typed as text, never as a spreadsheet formula.

Wagtail's XLSX export already stores such values as string cells (it turns openpyxl's
detected formulas back into strings); its CSV writes them as they are."""

from __future__ import annotations

from wagtail.contrib.forms.views import SubmissionsListView

from booker.csvsafe import safe_cell


class SafeSubmissionsListView(SubmissionsListView):
    def preprocess_field_value(self, field, value, export_format):
        value = super().preprocess_field_value(field, value, export_format)
        return safe_cell(value) if export_format == self.FORMAT_CSV else value

    def get_heading(self, queryset, field) -> str:
        # Headings are the form's field labels, typed in the page editor: the same rule.
        return safe_cell(super().get_heading(queryset, field))
