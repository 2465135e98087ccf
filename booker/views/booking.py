"""Online booking, the public flow (issue 17): a session type, a day, a slot held for a few
minutes, then one page per step — questions, account, contract, payment — and the booking's
own page (/reserver/r/<token>/).

Thin views: the slots, who may see a booking and what it costs come from booker.selectors;
holding, answering, claiming, signing, submitting go through booker.services, and a refusal
(StudioError) becomes a message. A visitor without an account holds the slot with their
Django session's key (kept in the session itself, so that logging in, which changes the key,
does not lose it); once the account step is done the booking is theirs."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, password_validation
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from booker import selectors, services, throttle
from booker.booking.availability import PARIS
from booker.http import client_ip
from booker.models import Booking, BookingQuestion, SessionType, User
from booker.views.files import serve_private as serve_private_file

# The Django session's key that held the slot (see the module's docstring).
HOLDER_KEY = "booking_holder_key"
# Rate limits (settings.BOOKE_RATE_LIMITS): holding slots, and accounts made while booking.
HOLD = "booking_hold"
SIGNUP = "booking_signup"
# The steps, in order: (url name, title). A step done is never asked again.
STEPS = (
    ("questions", gettext_lazy("Questions")),
    ("account", gettext_lazy("Account")),
    ("contract", gettext_lazy("Contract")),
    ("payment", gettext_lazy("Payment")),
)
Status = Booking.Status


# --- The day and slot picker (also the portal's "move my session") ---------------------------


@dataclass(frozen=True)
class DayCell:
    day: date
    in_month: bool
    free: bool
    selected: bool
    url: str


def _month(value: str | None, today: date) -> date:
    """The month asked for (?mois=YYYY-MM), else this one; never before this month."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        asked = date(year, month, 1)
    except ValueError:
        asked = today.replace(day=1)
    return max(asked, today.replace(day=1))


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return None


def _shift_month(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _photographer_id(request: HttpRequest, photographers: list[User]) -> int | None:
    """The photographer chosen (?photographe=<id>) if they shoot this type; else anyone."""
    try:
        wanted = int(request.GET.get("photographe", "") or request.POST.get("photographe", ""))
    except ValueError:
        return None
    return wanted if any(p.pk == wanted for p in photographers) else None


def picker_context(request: HttpRequest, session_type: SessionType, base_url: str, *,
                   opens_on: date | None = None) -> dict:
    """The month grid of days with free slots (?mois, ?photographe) and, for the day chosen
    (?jour), its slots: what templates/booker/booking/_picker.html shows. Without ?mois it
    opens on the month of `opens_on` (a session being moved), else this month."""
    now = timezone.now()
    today = now.astimezone(PARIS).date()
    last_day = (now + timedelta(days=session_type.horizon_days)).astimezone(PARIS).date()
    photographers = _photographers(session_type)
    photographer_id = _photographer_id(request, photographers)
    chosen_day = _day(request.GET.get("jour"))
    default = f"{opens_on:%Y-%m}" if opens_on else None
    first = _month(request.GET.get("mois", default), today)
    if chosen_day is not None and today <= chosen_day <= last_day:
        first = chosen_day.replace(day=1)
    else:
        chosen_day = None
    first = min(first, last_day.replace(day=1))
    month_end = _shift_month(first, 1) - timedelta(days=1)
    free_days = set(selectors.days_with_slots(session_type, first, month_end,
                                              photographer=photographer_id, now=now))
    if "mois" not in request.GET and chosen_day is None and not free_days and not opens_on:
        # Nothing left this month: open on the next one (a visitor late in the month).
        following = _shift_month(first, 1)
        if following <= last_day:
            first, month_end = following, _shift_month(following, 1) - timedelta(days=1)
            free_days = set(selectors.days_with_slots(
                session_type, first, month_end, photographer=photographer_id, now=now))

    def link(**params: Any) -> str:
        query = {"photographe": photographer_id or "", **params}
        return f"{base_url}?{urlencode({k: v for k, v in query.items() if v})}"

    weeks = [
        [
            DayCell(day=day, in_month=day.month == first.month, free=day in free_days,
                    selected=day == chosen_day,
                    url=link(mois=f"{first:%Y-%m}", jour=day.isoformat()) + "#creneaux")
            for day in week
        ]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    ]
    previous = _shift_month(first, -1)
    following = _shift_month(first, 1)
    day_slots = []
    if chosen_day is not None:
        day_slots = selectors.slots(session_type, chosen_day, chosen_day,
                                    photographer=photographer_id, now=now)
    return {
        "session_type": session_type,
        "month": first,
        "weeks": weeks,
        "previous_url": link(mois=f"{previous:%Y-%m}") if previous >= today.replace(day=1)
        else None,
        "next_url": link(mois=f"{following:%Y-%m}") if following <= last_day else None,
        "has_free_days": bool(free_days),
        "photographers": photographers,
        "photographer_id": photographer_id,
        "photographer_links": [(None, _("Any photographer"), link(mois=f"{first:%Y-%m}"))] + [
            (p.pk, p.get_full_name() or p.get_short_name(),
             f"{base_url}?{urlencode({'photographe': p.pk, 'mois': f'{first:%Y-%m}'})}")
            for p in photographers
        ],
        "chosen_day": chosen_day,
        "day_slots": day_slots,
    }


def _photographers(session_type: SessionType) -> list[User]:
    return selectors.booking_photographers(session_type)


def _posted_start(request: HttpRequest) -> datetime | None:
    """The slot's start as the picker posts it (ISO, with its offset)."""
    try:
        start = datetime.fromisoformat(request.POST.get("start", ""))
    except ValueError:
        return None
    return start if start.tzinfo is not None else None


# --- Who holds a booking -----------------------------------------------------------------------


def holder_key(request: HttpRequest) -> str:
    """The key this visitor's held slots are under ("" when they hold none)."""
    return request.session.get(HOLDER_KEY, "")


def _new_holder_key(request: HttpRequest) -> str:
    key = holder_key(request)
    if not key:
        if request.session.session_key is None:
            request.session.save()
        key = request.session.session_key
        request.session[HOLDER_KEY] = key
    return key


def booking_or_404(request: HttpRequest, token: str) -> Booking:
    """The booking if this person holds or owns it; a 404 for anyone else (the same answer
    as a token that does not exist)."""
    user = request.user if request.user.is_authenticated else None
    booking = selectors.booking_for(token, user=user, holder_key=holder_key(request))
    if booking is None:
        raise Http404("No such booking.")
    return booking


# --- The steps ---------------------------------------------------------------------------------


def _hold_alive(booking: Booking) -> bool:
    return booking.status == Status.HELD and (
        booking.held_until is None or booking.held_until > timezone.now()
    )


def _questions_done(request: HttpRequest, booking: Booking) -> bool:
    if not selectors.asks_questions(booking.session_type):
        return True
    return bool(booking.answers) or booking.token in request.session.get("booking_answered", [])


def _account_done(booking: Booking) -> bool:
    # claim_booking names who booked; a hold made logged in names the client only, so the
    # person still says whom the session is for (themselves or a company they manage).
    return booking.booked_by_id is not None


def steps_of(request: HttpRequest, booking: Booking) -> list[dict]:
    """The steps shown at the top of each page: done, current or to come."""
    has_questions = selectors.asks_questions(booking.session_type)
    done = {
        "questions": _questions_done(request, booking),
        "account": _account_done(booking),
        "contract": booking.contract_signed_at is not None,
        "payment": False,
    }
    return [
        {"name": name, "title": title, "done": done[name]}
        for name, title in STEPS
        if name != "questions" or has_questions
    ]


def next_step(request: HttpRequest, booking: Booking) -> str:
    """The first step not done yet."""
    for step in steps_of(request, booking):
        if not step["done"]:
            return step["name"]
    return "payment"


def _step_url(booking: Booking, step: str) -> str:
    return reverse(f"booking:{step}", args=[booking.token])


def _step_guard(request: HttpRequest, booking: Booking, step: str) -> HttpResponse | None:
    """Back to the booking's page when the hold is over; to the first missing step when one
    before this one is not done."""
    if not _hold_alive(booking):
        return redirect("booking:status", token=booking.token)
    order = [name for name, _title in STEPS]
    wanted = next_step(request, booking)
    if order.index(wanted) < order.index(step):
        return redirect(_step_url(booking, wanted))
    return None


def _step_page(request: HttpRequest, booking: Booking, step: str, template: str,
               context: dict) -> HttpResponse:
    return render(request, template, {
        "booking": booking, "step": step, "steps": steps_of(request, booking), **context,
    })


# --- 1. The session types ---------------------------------------------------------------------


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "booker/booking/index.html",
                  {"session_types": selectors.bookable_session_types()})


# --- 2. A day and a slot ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def pick_slot(request: HttpRequest, slug: str) -> HttpResponse:
    session_type = get_object_or_404(SessionType, slug=slug, is_active=True)
    base_url = reverse("booking:type", args=[slug])
    if request.method == "POST":
        return _hold(request, session_type, base_url)
    context = picker_context(request, session_type, base_url)
    return render(request, "booker/booking/pick.html", context)


def _hold(request: HttpRequest, session_type: SessionType, base_url: str) -> HttpResponse:
    throttled = throttle.attempt_for(request, HOLD)
    if throttled is not None:
        return throttle.refused(request, throttled)
    start = _posted_start(request)
    photographer_id = _photographer_id(request, _photographers(session_type))
    if start is None:
        messages.error(request, _("Which slot? The request was incomplete."))
        return redirect(base_url)
    query = {"jour": start.astimezone(PARIS).date().isoformat()}
    if photographer_id:
        query["photographe"] = photographer_id
    back = f"{base_url}?{urlencode(query)}#creneaux"
    user = request.user if request.user.is_authenticated else None
    try:
        booking = services.hold_slot(
            session_type, start, photographer_id=photographer_id, user=user,
            holder_key="" if user else _new_holder_key(request),
        )
    except services.StudioError as exc:
        messages.error(request, str(exc))
        return redirect(back)
    return redirect(_step_url(booking, next_step(request, booking)))


# --- 3. The steps ------------------------------------------------------------------------------


class QuestionsForm(forms.Form):
    """The session type's questionnaire: one field per question, named q<id>."""

    def __init__(self, questions, *args, travel=(), **kwargs):
        super().__init__(*args, **kwargs)
        kinds = BookingQuestion.Kind
        if travel:
            # On site: the distance band, whose fee joins the price.
            field = forms.ChoiceField(
                label=_("How far from the studio is the session?"), choices=list(travel),
                widget=forms.RadioSelect,
                help_text=_("Farther than the last distance: please call the studio."))
            field.kind = kinds.CHOICE
            self.fields[selectors.TRAVEL_KEY] = field
        for question in questions:
            common = {"label": question.label, "help_text": question.help_text,
                      "required": question.required}
            if question.kind == kinds.CHOICE:
                field = forms.ChoiceField(
                    choices=[(c, c) for c in question.choice_list], widget=forms.RadioSelect,
                    **common)
            elif question.kind == kinds.DATE:
                field = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
            elif question.kind == kinds.FILE:
                field = forms.FileField(**common)
            else:
                field = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                                        **common)
            field.kind = question.kind
            self.fields[f"q{question.pk}"] = field


@never_cache
@require_http_methods(["GET", "POST"])
def questions(request: HttpRequest, token: str) -> HttpResponse:
    booking = booking_or_404(request, token)
    if (refused := _step_guard(request, booking, "questions")) is not None:
        return refused
    asked = selectors.booking_questions(booking.session_type)
    if not selectors.asks_questions(booking.session_type):
        return redirect(_step_url(booking, next_step(request, booking)))
    initial = {f"q{a['question']}": a["value"] for a in booking.answers or []
               if a.get("kind") != "file"}
    if booking.travel_up_to_km:
        initial[selectors.TRAVEL_KEY] = str(booking.travel_up_to_km)
    form = QuestionsForm(asked, request.POST or None, request.FILES or None, initial=initial,
                         travel=selectors.travel_choices(booking.session_type))
    if request.method == "POST" and form.is_valid():
        data = {key: value.isoformat() if isinstance(value, date) else str(value or "")
                for key, value in form.cleaned_data.items() if form.fields[key].kind != "file"}
        files = {key: value for key, value in form.cleaned_data.items()
                 if form.fields[key].kind == "file" and value}
        try:
            services.save_answers(booking, data, files)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            answered = request.session.get("booking_answered", [])
            request.session["booking_answered"] = [*answered[-9:], booking.token]
            return redirect(_step_url(booking, next_step(request, booking)))
    return _step_page(request, booking, "questions", "booker/booking/questions.html",
                      {"form": form})


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for key, errors in error.message_dict.items():
            form.add_error(key if key in form.fields else None, errors)
    else:
        form.add_error(None, error)


class SignupForm(forms.Form):
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=150)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=150)
    email = forms.EmailField(label=gettext_lazy("Email"))
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=32)
    password = forms.CharField(label=gettext_lazy("Password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if User.objects.filter(email__iexact=email.strip()).exists():
            raise ValidationError(_("An account already exists for this email address: "
                                    "log in to continue."))
        return email

    def clean(self) -> dict:
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            probe = User(email=cleaned.get("email", ""), first_name=cleaned.get("first_name", ""),
                         last_name=cleaned.get("last_name", ""))
            try:
                password_validation.validate_password(password, probe)
            except ValidationError as error:
                self.add_error("password", error)
        return cleaned


def _create_account(data: dict) -> User:
    return services.register_client(data["email"], data["password"],
                                    first_name=data["first_name"],
                                    last_name=data["last_name"], phone=data["phone"])


@never_cache
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest, token: str) -> HttpResponse:
    booking = booking_or_404(request, token)
    if (refused := _step_guard(request, booking, "account")) is not None:
        return refused
    if request.user.is_authenticated:
        return _account_logged_in(request, booking)
    form = SignupForm(request.POST or None)
    if request.method == "POST":
        throttled = throttle.attempt_for(request, SIGNUP)
        if throttled is not None:
            return throttle.refused(request, throttled)
        if form.is_valid():
            try:
                user = _create_account(form.cleaned_data)
                services.claim_booking(booking, user=user)
            except services.StudioError as exc:
                form.add_error(None, str(exc))
            else:
                login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
                messages.success(request, _("Your account is created."))
                booking.refresh_from_db()
                return redirect(_step_url(booking, next_step(request, booking)))
    here = reverse("booking:account", args=[booking.token])
    return _step_page(request, booking, "account", "booker/booking/account.html", {
        "form": form, "login_url": f"{reverse('login')}?{urlencode({'next': here})}",
    })


def _account_logged_in(request: HttpRequest, booking: Booking) -> HttpResponse:
    companies = selectors.managed_companies(request.user)
    if request.method == "POST":
        company = None
        chosen = request.POST.get("for", "me")
        if chosen != "me":
            company = next((c for c in companies if str(c.pk) == chosen), None)
            if company is None:
                messages.error(request, _("Choose who the session is for."))
                return redirect("booking:account", token=booking.token)
        try:
            services.claim_booking(booking, user=request.user, company=company)
        except services.StudioError as exc:
            messages.error(request, str(exc))
            return redirect("booking:account", token=booking.token)
        booking.refresh_from_db()
        return redirect(_step_url(booking, next_step(request, booking)))
    return _step_page(request, booking, "account", "booker/booking/account.html",
                      {"companies": companies})


class ContractForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Your full name"), max_length=200)
    accept = forms.BooleanField(label=gettext_lazy("I have read and accept the contract"))


def contract_text(booking: Booking) -> str:
    """The terms as the client reads them before signing (the signed text once signed)."""
    return selectors.contract_preview(booking)


@never_cache
@require_http_methods(["GET", "POST"])
def contract(request: HttpRequest, token: str) -> HttpResponse:
    booking = booking_or_404(request, token)
    if (refused := _step_guard(request, booking, "contract")) is not None:
        return refused
    person = booking.client or booking.booked_by
    form = ContractForm(request.POST or None,
                        initial={"name": person.get_full_name() if person else ""})
    if request.method == "POST" and form.is_valid():
        try:
            services.sign_contract(booking, name=form.cleaned_data["name"],
                                   ip=client_ip(request))
        except services.StudioError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("booking:payment", token=booking.token)
    try:
        terms = contract_text(booking)
    except services.StudioError:
        # The studio's text does not render: never a 500 for the client, the studio is told
        # by the admin's own check when it saves the terms.
        terms = _("The contract could not be shown. Please contact the studio.")
    return _step_page(request, booking, "contract", "booker/booking/contract.html",
                      {"form": form, "terms": terms})


@never_cache
@require_http_methods(["GET", "POST"])
def payment(request: HttpRequest, token: str) -> HttpResponse:
    booking = booking_or_404(request, token)
    if (refused := _step_guard(request, booking, "payment")) is not None:
        return refused
    if request.method == "POST":
        try:
            booking = services.submit_booking(booking, actor=request.user)
        except services.StudioError as exc:
            messages.error(request, str(exc))
            return redirect("booking:payment", token=booking.token)
        if booking.status == Status.HELD and booking.deposit_due > 0:
            url = selectors.deposit_payment_url(booking)
            if url:
                return redirect(url)
            messages.error(request, _("Online payment is not available at the moment: "
                                      "the studio will contact you."))
        return redirect("booking:status", token=booking.token)
    return _step_page(request, booking, "payment", "booker/booking/payment.html", {})


# --- 4. The booking's page ---------------------------------------------------------------------


@never_cache
@require_GET
def status(request: HttpRequest, token: str) -> HttpResponse:
    """Where the booking stands. A hold still running opens its next step."""
    booking = booking_or_404(request, token)
    if _hold_alive(booking):
        return redirect(_step_url(booking, next_step(request, booking)))
    session = booking.session
    return render(request, "booker/booking/status.html", {
        "booking": booking,
        "hold_over": booking.status in (Status.HELD, Status.EXPIRED),
        "ics": session is not None and session.scheduled_at is not None
        and request.user.is_authenticated,
        "portal": request.user.is_authenticated,
        "can_move": request.user.is_authenticated and booking.status in (
            Status.CONFIRMED, Status.REQUESTED) and selectors.can_reschedule(booking),
        "can_cancel": request.user.is_authenticated and booking.status in (
            Status.CONFIRMED, Status.REQUESTED),
    })


@login_required
@require_GET
def contract_pdf(request: HttpRequest, token: str) -> HttpResponse:
    booking = booking_or_404(request, token)
    return serve_private_file(booking.contract_pdf, inline=False,
                              download_name=f"contrat-{booking.token[:8]}.pdf")

