"""A booking's contract: the session type's terms rendered for this client, date and price,
and the signed copy as a PDF (who accepted, when, from which address), kept and emailed.

The terms are written by the studio in the admin as a Django template over plain values only
(never a model), rendered as plain text; the PDF escapes them."""

from __future__ import annotations

import io
from pathlib import Path
from xml.sax.saxutils import escape

from django.template import Context, Engine, TemplateSyntaxError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from booker.branding import studio_details
from booker.errors import StudioError
from booker.money import euros

from .availability import PARIS
from .models import Booking
from .selectors import balance_due_on

# The studio's terms when a type has none of its own (French: what the client reads).
DEFAULT_TERMS = (Path(__file__).parent / "default_contract.txt").read_text(encoding="utf-8")

_engine = Engine(autoescape=False)


def variables(booking: Booking) -> dict[str, object]:
    """The plain values the terms may use."""
    start = booking.starts_at.astimezone(PARIS)
    if booking.company_id:
        client = booking.company.name
    elif booking.client_id:
        client = booking.client.get_full_name() or booking.client.email
    else:
        client = booking.contract_signed_name
    balance_due = booking.balance_due_on or balance_due_on(booking)
    return {
        "client_name": client,
        "date": date_format(start, "l j F Y"),
        "time": start.strftime("%H:%M"),
        "session_type": booking.session_type.name,
        "price": euros(booking.price),
        "deposit": euros(booking.deposit),
        "balance": euros(booking.balance),
        "balance_due_on": date_format(balance_due, "j F Y") if balance_due else "",
        "cancellation_policy": booking.session_type.cancellation_policy,
        "studio_name": studio_details()["name"] or _("the studio"),
        "needs_approval": booking.session_type.needs_approval,
        "travel_fee": euros(booking.travel_fee) if booking.travel_fee else "",
    }


def check_terms(text: str) -> None:
    """Raise StudioError (the reason in the editor's words) when the terms do not render."""
    try:
        _engine.from_string(text)
    except TemplateSyntaxError as error:
        raise StudioError(_("The contract's text has an error: %(error)s") % {
            "error": error}) from None


def render_terms(booking: Booking) -> str:
    text = booking.session_type.contract_terms.strip() or DEFAULT_TERMS
    check_terms(text)
    # Plain text (the PDF and the page escape it): an apostrophe stays an apostrophe.
    return _engine.from_string(text).render(Context(variables(booking), autoescape=False)).strip()


def contract_pdf(booking: Booking) -> bytes:
    """The signed copy: the studio, the terms as accepted, and the acceptance's record."""
    studio = studio_details()
    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["BodyText"], fontSize=10, leading=14)
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=11)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm,
                            topMargin=18 * mm, bottomMargin=18 * mm,
                            title=f"Contrat {booking.session_type.name}",
                            author=studio["name"] or "Booké")
    story = [
        Paragraph(escape(studio["name"] or ""), styles["Title"]),
        Paragraph(escape(" · ".join(v for v in (studio["address"], studio["email"],
                                                studio["phone"]) if v)), small),
        Spacer(1, 6 * mm),
        Paragraph(escape(_("Session contract — %(type)s") % {
            "type": booking.session_type.name}), styles["Heading2"]),
    ]
    for paragraph in booking.contract_text.split("\n\n"):
        story.append(Paragraph(escape(paragraph).replace("\n", "<br/>"), body))
        story.append(Spacer(1, 2 * mm))
    signed_at = timezone.localtime(booking.contract_signed_at)
    story += [
        Spacer(1, 6 * mm),
        Paragraph(escape(_("Accepted online by %(name)s on %(date)s at %(time)s "
                           "(Paris time), from the address %(ip)s.") % {
            "name": booking.contract_signed_name,
            "date": date_format(signed_at, "j F Y"),
            "time": signed_at.strftime("%H:%M:%S"),
            "ip": booking.contract_signed_ip or "—",
        }), body),
        Paragraph(escape(_("Booking reference: %(ref)s") % {"ref": booking.token}), small),
    ]
    doc.build(story)
    return buffer.getvalue()
