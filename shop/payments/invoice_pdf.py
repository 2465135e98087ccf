"""An invoice as a PDF, with the mentions French law requires (Code de commerce L441-9,
L441-10, D441-5; CGI art. 242 nonies A): seller's identity, SIRET and VAT number, the buyer's,
number and dates, lines with VAT, totals excluding and including VAT, due date, late-payment
penalties and the 40 € recovery indemnity.

Rendered from the invoice's snapshot (seller and buyer as they were at issue) and the order's
lines, which Oscar never changes once placed: the same invoice gives the same document."""

from __future__ import annotations

import io
from decimal import ROUND_HALF_UP, Decimal
from xml.sax.saxutils import escape

from django.utils.formats import date_format
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .models import CreditNote, Invoice


def euros(amount: Decimal) -> str:
    whole = f"{amount.quantize(Decimal('0.01'), ROUND_HALF_UP):,.2f}"
    return whole.replace(",", " ").replace(".", ",") + " €"


def _rate(excl: Decimal, incl: Decimal) -> str:
    if not excl:
        return "0 %"
    rate = ((incl - excl) / excl * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"{rate.normalize():f} %".replace(".", ",")


def _lines(text: str) -> str:
    return "<br/>".join(escape(part) for part in (text or "").splitlines() if part.strip())


def _parties(seller: dict, buyer: dict, normal) -> Table:
    seller_block = Paragraph(
        f"<b>{escape(seller.get('name', ''))}</b><br/>{_lines(seller.get('address', ''))}<br/>"
        f"SIRET {escape(seller.get('siret', ''))}<br/>"
        f"TVA intracommunautaire {escape(seller.get('vat_number', ''))}<br/>"
        f"{escape(seller.get('email', ''))}",
        normal,
    )
    buyer_lines = [f"<b>{escape(buyer.get('name', ''))}</b>", _lines(buyer.get("address", ""))]
    if buyer.get("siret"):
        buyer_lines.append(f"SIRET {escape(buyer['siret'])}")
    if buyer.get("vat_number"):
        buyer_lines.append(f"TVA intracommunautaire {escape(buyer['vat_number'])}")
    if buyer.get("contact") and buyer.get("contact") != buyer.get("name"):
        buyer_lines.append(f"À l'attention de {escape(buyer['contact'])}")
    buyer_block = Paragraph("<br/>".join(line for line in buyer_lines if line), normal)
    header = Table([[seller_block, buyer_block]], colWidths=[87 * mm, 87 * mm])
    header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return header


def render_credit_note(note: CreditNote) -> bytes:
    """A credit note ("avoir"): it names the invoice it cancels, all or part of, and why; its
    amount is split into excluding VAT and VAT at the invoice's own rate."""
    invoice = note.invoice
    order = invoice.order
    styles = getSampleStyleSheet()
    small = ParagraphStyle("small", parent=styles["Normal"], fontSize=8, leading=10)
    normal = ParagraphStyle("normal", parent=styles["Normal"], fontSize=9.5, leading=12)
    title = ParagraphStyle("title", parent=styles["Title"], alignment=0, fontSize=18)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
        bottomMargin=16 * mm, title=f"Avoir {note.number}",
        subject=f"Avoir {note.number} — facture {invoice.number}",
        author=note.seller.get("name", ""),
    )
    story = [_parties(note.seller, note.buyer, normal), Spacer(1, 10 * mm)]
    story.append(Paragraph(f"Avoir n° {escape(note.number)}", title))
    facts = [
        f"Date d'émission : {date_format(note.issued_on, 'j F Y')}",
        f"Annule {'totalement' if note.amount >= order.total_incl_tax else 'partiellement'} "
        f"la facture n° {escape(invoice.number)} du {date_format(invoice.issued_on, 'j F Y')} "
        f"(commande n° {escape(order.number)})",
    ]
    if invoice.po_number:
        facts.append(f"Bon de commande client : {escape(invoice.po_number)}")
    facts.append(f"Motif : {escape(note.reason)}")
    story += [Paragraph("<br/>".join(facts), normal), Spacer(1, 6 * mm)]
    total_excl, total_incl = order.total_excl_tax, order.total_incl_tax
    excl = (note.amount * total_excl / total_incl).quantize(Decimal("0.01"), ROUND_HALF_UP) if (
        total_incl
    ) else note.amount
    totals = Table(
        [
            ["Montant HT", euros(excl)],
            [f"TVA ({_rate(total_excl, total_incl)})", euros(note.amount - excl)],
            ["Montant de l'avoir TTC", euros(note.amount)],
        ],
        colWidths=[50 * mm, 30 * mm], hAlign="RIGHT",
    )
    totals.setStyle(TableStyle([
        ("ALIGN", (1, 0), (1, -1), "RIGHT"),
        ("FONTNAME", (0, 2), (-1, 2), "Helvetica-Bold"),
        ("LINEABOVE", (0, 2), (-1, 2), 0.5, colors.black),
    ]))
    story += [totals, Spacer(1, 8 * mm)]
    settle = ("Ce montant vient en déduction de la facture, qui n'est plus due à hauteur de "
              "l'avoir." if not invoice.paid_on else
              "La facture ayant été réglée, ce montant vous est remboursé par virement.")
    story += [Paragraph(settle, small), Spacer(1, 4 * mm)]
    legal = " — ".join(
        escape(part)
        for part in (
            note.seller.get("name", ""), note.seller.get("legal_form", ""),
            note.seller.get("rcs", ""), f"SIRET {note.seller.get('siret', '')}",
            f"TVA {note.seller.get('vat_number', '')}",
        )
        if part
    )
    story.append(Paragraph(legal, small))
    doc.build(story)
    return buffer.getvalue()


def render(invoice: Invoice) -> bytes:
    order = invoice.order
    seller, buyer = invoice.seller, invoice.buyer
    styles = getSampleStyleSheet()
    small = ParagraphStyle("small", parent=styles["Normal"], fontSize=8, leading=10)
    normal = ParagraphStyle("normal", parent=styles["Normal"], fontSize=9.5, leading=12)
    title = ParagraphStyle("title", parent=styles["Title"], alignment=0, fontSize=18)

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=f"Facture {invoice.number}",
        subject=f"Facture {invoice.number} — commande {order.number}",
        author=seller.get("name", ""),
    )
    story = []

    header = _parties(seller, buyer, normal)
    story += [header, Spacer(1, 10 * mm)]

    story.append(Paragraph(f"Facture n° {escape(invoice.number)}", title))
    facts = [
        f"Date d'émission : {date_format(invoice.issued_on, 'j F Y')}",
        f"Date d'échéance : {date_format(invoice.due_on, 'j F Y')}",
        f"Commande n° {escape(order.number)} du {date_format(order.date_placed, 'j F Y')}",
    ]
    if invoice.po_number:
        facts.append(f"Bon de commande client : {escape(invoice.po_number)}")
    story += [Paragraph("<br/>".join(facts), normal), Spacer(1, 6 * mm)]

    rows = [["Désignation", "Qté", "PU HT", "TVA", "Total HT", "Total TTC"]]
    for line in order.lines.all():
        rows.append(
            [
                Paragraph(escape(line.title), normal),
                str(line.quantity),
                euros(line.unit_price_excl_tax or Decimal("0")),
                _rate(line.line_price_excl_tax, line.line_price_incl_tax),
                euros(line.line_price_excl_tax),
                euros(line.line_price_incl_tax),
            ]
        )
    if order.shipping_incl_tax:
        rows.append(
            [
                Paragraph(f"Livraison — {escape(order.shipping_method)}", normal),
                "1",
                euros(order.shipping_excl_tax),
                _rate(order.shipping_excl_tax, order.shipping_incl_tax),
                euros(order.shipping_excl_tax),
                euros(order.shipping_incl_tax),
            ]
        )
    lines_table = Table(
        rows, colWidths=[68 * mm, 12 * mm, 24 * mm, 16 * mm, 27 * mm, 27 * mm], repeatRows=1
    )
    lines_table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeae4")),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#cccccc")),
            ]
        )
    )
    story += [lines_table, Spacer(1, 4 * mm)]

    excl, incl = order.total_excl_tax, order.total_incl_tax
    # Credit notes issued since reduce what is due (the invoice itself never changes).
    notes = list(invoice.credit_notes.order_by("number")) if invoice.pk else []
    due = incl - sum((note.amount for note in notes), Decimal("0"))
    totals = Table(
        [
            ["Total HT", euros(excl)],
            ["TVA", euros(incl - excl)],
            ["Total TTC", euros(incl)],
            *[[f"Avoir {note.number}", euros(-note.amount)] for note in notes],
            ["Net à payer", euros(Decimal("0") if invoice.paid_on else max(due, Decimal("0")))],
        ],
        colWidths=[40 * mm, 30 * mm],
        hAlign="RIGHT",
    )
    totals.setStyle(
        TableStyle(
            [
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("FONTNAME", (0, 2), (-1, 2), "Helvetica-Bold"),
                ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
                ("LINEABOVE", (0, 2), (-1, 2), 0.5, colors.black),
            ]
        )
    )
    story += [totals, Spacer(1, 8 * mm)]

    terms = [
        f"Paiement à réception, au plus tard le {date_format(invoice.due_on, 'j F Y')}, "
        f"par virement sur le compte IBAN {escape(seller.get('iban', ''))} en rappelant le "
        "numéro de facture. Pas d'escompte pour paiement anticipé.",
        "En cas de retard de paiement, des pénalités sont exigibles au taux de trois fois le "
        "taux d'intérêt légal (art. L441-10 du Code de commerce), ainsi qu'une indemnité "
        "forfaitaire pour frais de recouvrement de 40 € (art. D441-5 du Code de commerce).",
    ]
    if invoice.paid_on:
        terms.insert(0, f"<b>Facture acquittée le {date_format(invoice.paid_on, 'j F Y')}.</b>")
    for term in terms:
        story += [Paragraph(term, small), Spacer(1, 2 * mm)]
    legal = " — ".join(
        escape(part)
        for part in (
            seller.get("name", ""),
            seller.get("legal_form", ""),
            seller.get("rcs", ""),
            f"SIRET {seller.get('siret', '')}",
            f"TVA {seller.get('vat_number', '')}",
        )
        if part
    )
    story += [Spacer(1, 4 * mm), Paragraph(legal, small)]

    doc.build(story)
    return buffer.getvalue()
