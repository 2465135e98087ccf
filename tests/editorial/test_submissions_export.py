"""The contact page's submissions, exported from /cms/ (Wagtail's CSV and XLSX): what
visitors typed goes out as text, never as a spreadsheet formula."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from wagtail.contrib.forms.models import FormSubmission

from booker import roles
from tests.editorial.test_contact import contact, home  # noqa: F401 -- fixtures
from tests.factories import UserFactory
from tests.hostile import HOSTILE

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, contact):  # noqa: F811
    for value in HOSTILE:
        FormSubmission.objects.create(page=contact, form_data={
            "nom": value, "e_mail": "a@example.test", "message": value,
        })
    client.force_login(UserFactory(role=roles.EDITOR))
    return client


def test_the_submissions_csv_neutralises_what_visitors_typed(editor_client, contact):  # noqa: F811
    response = editor_client.get(f"/cms/forms/submissions/{contact.pk}/", {"export": "csv"})

    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, body = rows[0], rows[1:]
    assert len(body) == len(HOSTILE)
    names = [row[header.index("Nom")] for row in body]
    messages = [row[header.index("Message")] for row in body]
    assert names == ["'" + value for value in HOSTILE]
    assert messages == names


def test_the_submissions_xlsx_holds_what_visitors_typed_as_text(editor_client, contact):  # noqa: F811
    response = editor_client.get(f"/cms/forms/submissions/{contact.pk}/", {"export": "xlsx"})

    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    header = [cell.value for cell in sheet[1]]
    column = header.index("Nom")
    cells = [row[column] for row in sheet.iter_rows(min_row=2)]
    assert len(cells) == len(HOSTILE)
    # A string cell is never evaluated, whatever it starts with ("f" would be a formula).
    assert [cell.data_type for cell in cells] == ["s"] * len(HOSTILE)
    # Held as typed (the XLSX format stores a carriage return as a line feed).
    assert [cell.value for cell in cells] == [v.replace("\r", "\n") for v in HOSTILE]
