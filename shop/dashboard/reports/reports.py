"""Oscar's report CSVs (/dashboard/reports/ → "Download": orders, users, products, baskets,
offers, vouchers) write customers' names and emails as cells.

Every report's CSV formatter subclasses `ReportCSVFormatter`, loaded with
`get_class("dashboard.reports.reports", …)`; `dashboard` is our fork (shop.dashboard), so this
one is found first and the others (generators, HTML formatters) stay Oscar's."""

from __future__ import annotations

from oscar.apps.dashboard.reports.reports import ReportCSVFormatter as OscarReportCSVFormatter

from booker.csvsafe import safe_row


class _SafeWriter:
    """Oscar's CSV writer, with no cell that a spreadsheet would run as a formula."""

    def __init__(self, writer) -> None:
        self._writer = writer

    def writerow(self, row) -> None:
        self._writer.writerow(safe_row(row))

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


class ReportCSVFormatter(OscarReportCSVFormatter):
    def get_csv_writer(self, file_handle, **kwargs):
        return _SafeWriter(super().get_csv_writer(file_handle, **kwargs))
