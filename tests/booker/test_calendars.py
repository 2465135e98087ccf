"""Calendars (issue 17): the photographer's private feed, the client's .ics of a session, and
the busy times read from the photographer's own calendar (served here by a local HTTP server).
Every calendar written is checked by parsing it back with icalendar."""

from __future__ import annotations

import html
import ipaddress
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone, translation
from icalendar import Calendar

from booker import outbound, roles, services
from booker.calendars import selectors as calendar_selectors
from booker.calendars import services as calendars
from booker.models import ExternalCalendar, PhotoSession
from tests.factories import UserFactory, user_with_role

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def events_of(ics: bytes) -> list:
    return Calendar.from_ical(ics).walk("VEVENT")


@pytest.fixture
def shooter(db):
    return user_with_role(roles.PHOTOGRAPHER)


@pytest.fixture
def customer(db):
    return UserFactory(first_name="Léa", last_name="Martin", email="lea@example.test")


def book(photographer, client, *, at: datetime | None, title: str = "Portrait") -> PhotoSession:
    return services.create_session(title=title, client=client, photographer=photographer,
                                   scheduled_at=at, location="Studio, 12 rue Oberkampf")


def soon(days: int = 10, hour: int = 14) -> datetime:
    return (timezone.localtime() + timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0)


# --- The photographer's private feed ------------------------------------------------------------


def test_the_feed_lists_the_photographer_s_dated_sessions_as_events_with_stable_uids(
        client, shooter, customer, settings):
    settings.SITE_URL = "https://studio.example.fr"
    first = book(shooter, customer, at=soon(3), title="Portrait de Léa")
    second = book(shooter, customer, at=soon(5), title="Famille Martin")
    book(shooter, customer, at=None, title="Sans date")
    book(user_with_role(roles.PHOTOGRAPHER), customer, at=soon(4), title="Pas la sienne")

    response = client.get(calendars.feed_url(calendars.feed_for(shooter)).removeprefix(
        "https://studio.example.fr"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    events = events_of(response.content)
    assert [str(e["UID"]) for e in events] == [
        f"session-{first.pk}@studio.example.fr", f"session-{second.pk}@studio.example.fr"]
    event = events[0]
    assert event.decoded("DTSTART") == first.scheduled_at
    assert event.decoded("DTSTART").tzinfo is not None
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(hours=1)
    assert str(event["SUMMARY"]) == f"Portrait de Léa — {customer}"
    assert str(event["LOCATION"]) == "Studio, 12 rue Oberkampf"
    studio_page = reverse("admin:booker_photosession_studio", args=[first.pk])
    assert f"https://studio.example.fr{studio_page}" in str(event["DESCRIPTION"])


def test_a_new_feed_address_kills_the_old_one(client, shooter):
    old = calendars.feed_for(shooter)
    assert calendars.feed_for(shooter) == old  # asked again: the same address
    old_path = reverse("calendars:feed", args=[old.token])
    assert client.get(old_path).status_code == 200

    new = calendars.rotate_feed(shooter)

    assert new.token != old.token
    assert client.get(old_path).status_code == 404
    assert client.get(reverse("calendars:feed", args=[new.token])).status_code == 200
    assert client.get(reverse("calendars:feed", args=["not-a-token"])).status_code == 404


def test_a_cancelled_session_drops_out_of_the_feed(client, shooter, customer):
    kept = book(shooter, customer, at=soon(3))
    dropped = book(shooter, customer, at=soon(4))
    services.cancel_session(dropped, actor=shooter)

    ics = calendars.photographer_calendar(shooter)

    assert [str(e["UID"]) for e in events_of(ics)] == [calendars.session_uid(kept)]


def test_the_photographer_s_page_shows_the_feed_and_rotates_it(client, shooter):
    client.force_login(shooter)
    url = reverse("admin:booker_photosession_calendars")
    old = calendars.feed_for(shooter)

    page = client.get(url)
    assert page.status_code == 200
    assert calendars.feed_url(old) in page.content.decode()

    client.post(url, {"action": "rotate"})
    assert calendar_selectors.live_feed(old.token) is None
    client.post(url, {"url": "webcal://calendar.example.test/private.ics"})
    assert ExternalCalendar.objects.get(photographer=shooter).url == (
        "https://calendar.example.test/private.ics")


# --- The client's .ics --------------------------------------------------------------------------


def test_the_client_s_ics_keeps_its_uid_and_raises_its_sequence_when_moved_then_cancelled(
        shooter, customer, django_capture_on_commit_callbacks):
    session = book(shooter, customer, at=soon(7))
    first = events_of(calendars.session_ics(session, "REQUEST"))[0]
    assert Calendar.from_ical(calendars.session_ics(session))["METHOD"] == "REQUEST"

    with django_capture_on_commit_callbacks(execute=True):
        services.reschedule_session(session, soon(8, hour=10), actor=shooter)
    session.refresh_from_db()
    moved = events_of(calendars.session_ics(session, "REQUEST"))[0]

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_session(session, actor=shooter)
    session.refresh_from_db()
    cancel = Calendar.from_ical(calendars.session_ics(session, "CANCEL"))
    cancelled = cancel.walk("VEVENT")[0]

    assert str(first["UID"]) == str(moved["UID"]) == str(cancelled["UID"])
    assert first["SEQUENCE"] < moved["SEQUENCE"] < cancelled["SEQUENCE"]
    assert moved.decoded("DTSTART") == soon(8, hour=10)
    assert cancel["METHOD"] == "CANCEL"
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert str(cancelled["ATTENDEE"]) == "mailto:lea@example.test"


def test_the_client_downloads_the_ics_from_the_portal_and_another_client_gets_a_404(
        client, shooter, customer):
    session = book(shooter, customer, at=soon(7))
    url = reverse("portal:session-ics", args=[session.pk])

    client.force_login(customer)
    page = client.get(reverse("portal:session", args=[session.pk]))
    assert url in page.content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert str(events_of(response.content)[0]["UID"]) == calendars.session_uid(session)

    services.cancel_session(session, actor=shooter)
    page = client.get(reverse("portal:session", args=[session.pk]))
    assert url not in page.content.decode()  # nothing to add to a calendar any more

    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


def test_emails_about_a_dated_session_s_booking_move_or_cancellation_carry_its_ics(
        shooter, customer):
    session = book(shooter, customer, at=soon(7))
    name, content, mimetype = calendars.attachment_for(session, "session.rescheduled")
    assert name.endswith(".ics") and mimetype.startswith("text/calendar")
    assert Calendar.from_ical(content)["METHOD"] == "REQUEST"
    cancel = calendars.attachment_for(session, "session.cancelled")
    assert Calendar.from_ical(cancel[1])["METHOD"] == "CANCEL"
    assert calendars.attachment_for(session, "session.delivered") is None
    email = EmailMessage("Votre séance", "À bientôt", to=["lea@example.test"])
    email.attach(name, content, mimetype)
    sent = message_from_bytes(email.message().as_bytes())
    part = next(p for p in sent.walk() if p.get_content_type() == "text/calendar")
    assert part.get_filename() == name
    assert str(events_of(part.get_payload(decode=True))[0]["UID"]) == (
        calendars.session_uid(session))
    assert calendars.attachment_for(book(shooter, customer, at=None), "session.booked") is None


# --- Busy times from the photographer's own calendar --------------------------------------------

EXTERNAL_ICS = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Test//EN
BEGIN:VTIMEZONE
TZID:Europe/Paris
BEGIN:STANDARD
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VEVENT
UID:weekly-yoga
DTSTAMP:20310101T000000Z
DTSTART;TZID=Europe/Paris:20310106T090000
DTEND;TZID=Europe/Paris:20310106T100000
RRULE:FREQ=WEEKLY;COUNT=10
SUMMARY:Yoga
END:VEVENT
BEGIN:VEVENT
UID:holiday
DTSTAMP:20310101T000000Z
DTSTART;VALUE=DATE:20310110
DTEND;VALUE=DATE:20310111
SUMMARY:Congé
END:VEVENT
BEGIN:VEVENT
UID:dentist
DTSTAMP:20310101T000000Z
DTSTART:20310108T150000Z
DTEND:20310108T153000Z
SUMMARY:Dentiste
END:VEVENT
BEGIN:VEVENT
UID:free-time
DTSTAMP:20310101T000000Z
DTSTART:20310109T150000Z
DTEND:20310109T160000Z
TRANSP:TRANSPARENT
SUMMARY:Libre
END:VEVENT
END:VCALENDAR
""".replace("\n", "\r\n").encode()


class CalendarServer:
    """An ICS file on 127.0.0.1, answering `status` (200, an error, or a redirect to
    `location`), and counting the requests it gets."""

    def __init__(self) -> None:
        self.status = 200
        self.body = EXTERNAL_ICS
        self.location = ""
        self.hits = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 -- http.server's name
                server.hits += 1
                self.send_response(server.status)
                if server.location:
                    self.send_header("Location", server.location)
                self.send_header("Content-Type", "text/calendar")
                self.send_header("Content-Length", str(len(server.body)))
                self.end_headers()
                self.wfile.write(server.body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/private.ics"


@pytest.fixture
def calendar_server(settings) -> Iterator[CalendarServer]:
    # The server is on loopback, which the fetch refuses unless the settings open it.
    settings.BOOKER_CALENDAR_ALLOWED_PRIVATE_NETWORKS = ["127.0.0.0/8"]
    server = CalendarServer()
    thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


NOW = datetime(2031, 1, 1, 8, 0, tzinfo=UTC)


def test_busy_times_expand_recurring_events_and_block_all_day_events_local_days(
        shooter, calendar_server):
    calendar = calendars.set_external_calendar(shooter, calendar_server.url)
    assert calendars.refresh_calendar(calendar, now=NOW)

    busy = calendar_selectors.busy_intervals(
        [shooter.pk], datetime(2031, 1, 6, tzinfo=PARIS), datetime(2031, 1, 21, tzinfo=PARIS)
    )[shooter.pk]

    yoga = [(datetime(2031, 1, d, 9, tzinfo=PARIS), datetime(2031, 1, d, 10, tzinfo=PARIS))
            for d in (6, 13, 20)]
    holiday = (datetime(2031, 1, 10, tzinfo=PARIS), datetime(2031, 1, 11, tzinfo=PARIS))
    dentist = (datetime(2031, 1, 8, 15, tzinfo=UTC), datetime(2031, 1, 8, 15, 30, tzinfo=UTC))
    assert busy == sorted([*yoga, holiday, dentist])
    assert all(start.tzinfo is not None for start, _end in busy)
    calendar.refresh_from_db()
    assert calendar.last_fetched_at == NOW and calendar.last_error == ""


def test_busy_intervals_answer_every_photographer_asked_for_within_the_range(
        shooter, calendar_server):
    other = user_with_role(roles.PHOTOGRAPHER)
    calendars.refresh_calendar(calendars.set_external_calendar(shooter, calendar_server.url),
                               now=NOW)

    found = calendar_selectors.busy_intervals(
        [shooter.pk, other.pk],
        datetime(2031, 1, 13, 9, 30, tzinfo=PARIS), datetime(2031, 1, 14, tzinfo=PARIS),
    )

    assert found == {
        shooter.pk: [(datetime(2031, 1, 13, 9, tzinfo=PARIS),
                      datetime(2031, 1, 13, 10, tzinfo=PARIS))],
        other.pk: [],
    }


def test_a_failing_fetch_keeps_the_previous_busy_times_and_records_the_error(
        shooter, calendar_server):
    calendar = calendars.set_external_calendar(shooter, calendar_server.url)
    calendars.refresh_calendar(calendar, now=NOW)
    before = calendar.busy.count()
    assert before > 0

    calendar_server.status = 500
    with translation.override("fr"):
        assert calendars.refresh_external_calendars() == {"refreshed": 0, "failed": 1}

    calendar.refresh_from_db()
    assert calendar.busy.count() == before
    assert "Le serveur a répondu par une erreur (500)" in calendar.last_error
    assert calendar.last_fetched_at == NOW


def test_a_file_that_is_no_calendar_is_said_so_in_french(shooter, calendar_server):
    calendar_server.body = b"<html>Not a calendar</html>"

    assert "n'est pas un agenda lisible" in failure_reason(shooter, calendar_server.url)


def test_the_refresh_runs_every_quarter_of_an_hour():
    from booker.schedules import MINUTES, get

    entry = get("booker.refresh_external_calendars")
    assert (entry.func, entry.schedule_type, entry.minutes) == (
        "booker.tasks.refresh_external_calendars", MINUTES, 15)


def test_a_photographer_who_loses_the_role_loses_the_feed(client, shooter):
    path = reverse("calendars:feed", args=[calendars.feed_for(shooter).token])
    assert client.get(path).status_code == 200
    shooter.groups.clear()
    shooter.is_staff = False
    shooter.save()
    assert client.get(path).status_code == 404


# --- The photographer's address is read from the public Internet only (booker.outbound) --------


@pytest.fixture
def connections(monkeypatch) -> list[str]:
    """Every address the fetch opens a socket to. Only loopback is really reached (the test
    server): anything else is recorded and refused here, so a broken guard sends no packet
    out of this machine and the test sees where it would have gone."""
    from urllib3.util import connection

    opened: list[str] = []
    real = connection.create_connection

    def create_connection(address, *args, **kwargs):
        opened.append(address[0])
        if not ipaddress.ip_address(address[0]).is_loopback:
            raise ConnectionRefusedError(f"test: no traffic to {address[0]}")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(connection, "create_connection", create_connection)
    return opened


def fake_dns(monkeypatch, names: dict[str, list[list[str]]]) -> None:
    """`names` answer these addresses, one list per lookup in turn (the last one repeats);
    every other name resolves as usual."""
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in names:
            return real(host, port, *args, **kwargs)
        answers = names[host]
        current = answers.pop(0) if len(answers) > 1 else answers[0]
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                 (a, port)) for a in current]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def failure_reason(shooter, url: str) -> str:
    calendar = calendars.set_external_calendar(shooter, url)
    with translation.override("fr"):
        assert calendars.refresh_calendar(calendar, now=NOW) is False
    calendar.refresh_from_db()
    assert calendar.last_fetched_at is None and not calendar.busy.exists()
    return calendar.last_error


PRIVATE_REASON = "une adresse privée ou réservée"


def test_a_calendar_on_loopback_is_refused_unless_the_settings_open_loopback(
        shooter, calendar_server, connections, settings):
    settings.BOOKER_CALENDAR_ALLOWED_PRIVATE_NETWORKS = []

    reason = failure_reason(shooter, calendar_server.url)

    assert PRIVATE_REASON in reason and "127.0.0.1" in reason
    assert calendar_server.hits == 0 and connections == []


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/private.ics",
    "http://10.0.0.7/private.ics",
    "http://192.168.1.1/private.ics",
    "http://169.254.169.254/latest/meta-data/",
    "http://100.64.0.1/private.ics",
    "http://0.0.0.0/private.ics",
    "http://[::1]/private.ics",
    "http://[::ffff:127.0.0.1]/private.ics",
    "http://[::ffff:169.254.169.254]/private.ics",
    "http://[fd00::1]/private.ics",
    "http://[fe80::1]/private.ics",
    "http://[2002:a00:1::1]/private.ics",  # 6to4 around 10.0.0.1
    "http://224.0.0.1/private.ics",
    "http://240.0.0.1/private.ics",
    "webcal://localhost/private.ics",
    "https://localhost/private.ics",
])
def test_an_address_leading_to_a_private_network_is_refused_before_any_connection(
        shooter, connections, url):
    reason = failure_reason(shooter, url)

    assert PRIVATE_REASON in reason
    assert connections == []


def test_a_name_resolving_to_loopback_or_mixing_public_and_private_addresses_is_refused(
        shooter, connections, monkeypatch):
    fake_dns(monkeypatch, {"calendar.example.test": [["127.0.0.1"]],
                           "mixed.example.test": [["93.184.215.14", "10.1.2.3"]]})

    assert PRIVATE_REASON in failure_reason(shooter, "https://calendar.example.test/a.ics")
    assert PRIVATE_REASON in failure_reason(shooter, "https://mixed.example.test/a.ics")
    assert connections == []


def test_the_connection_goes_to_the_address_that_was_checked_not_to_a_second_lookup(
        shooter, connections, monkeypatch):
    # DNS rebinding: the name answers a public address to the check, then loopback.
    fake_dns(monkeypatch, {"rebind.example.test": [["93.184.215.14"], ["127.0.0.1"]]})

    calendar = calendars.set_external_calendar(shooter, "http://rebind.example.test/a.ics")
    assert calendars.refresh_calendar(calendar, now=NOW) is False

    assert connections == ["93.184.215.14"]


def test_a_redirect_to_a_private_address_is_refused(
        shooter, calendar_server, connections, monkeypatch):
    fake_dns(monkeypatch, {"metadata.example.test": [["169.254.169.254"]]})
    for target in ("http://169.254.169.254/latest/meta-data/",
                   "http://metadata.example.test/latest/meta-data/",
                   "http://[::1]/private.ics"):
        calendar_server.status, calendar_server.location = 302, target

        assert PRIVATE_REASON in failure_reason(shooter, calendar_server.url)
    assert set(connections) == {"127.0.0.1"}


def test_redirects_are_followed_three_times_at_most(shooter, calendar_server, connections):
    calendar_server.status = 302
    calendar_server.location = calendar_server.url

    assert "plus de 3 fois" in failure_reason(shooter, calendar_server.url)
    assert calendar_server.hits == 4  # the address, then three redirects


def test_a_redirect_to_another_scheme_and_an_address_other_than_http_are_refused(
        shooter, calendar_server, connections):
    calendar_server.status, calendar_server.location = 302, "file:///etc/passwd"
    assert "Seules les adresses http et https" in failure_reason(shooter, calendar_server.url)

    assert "Seules les adresses http et https" in failure_reason(shooter, "ftp://example.test/a")


def test_a_calendar_file_over_the_size_cap_is_refused(
        shooter, calendar_server, connections, monkeypatch):
    monkeypatch.setattr(calendars, "MAX_CALENDAR_BYTES", len(EXTERNAL_ICS) - 1)

    assert "plus de" in failure_reason(shooter, calendar_server.url)


def test_the_photographer_reads_why_their_address_was_refused(client, shooter, connections):
    failure_reason(shooter, "http://169.254.169.254/latest/meta-data/")
    client.force_login(shooter)

    with translation.override("fr"):
        page = client.get(reverse("admin:booker_photosession_calendars"),
                          HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert "169.254.169.254, une adresse privée ou réservée" in html.unescape(page)


@pytest.mark.parametrize(("address", "public"), [
    ("93.184.215.14", True), ("2606:4700::1111", True),
    ("127.0.0.2", False), ("10.1.1.1", False), ("172.16.0.1", False), ("192.168.0.1", False),
    ("169.254.0.1", False), ("100.64.0.1", False), ("0.0.0.0", False), ("224.0.0.251", False),
    ("239.255.255.250", False), ("240.0.0.1", False), ("255.255.255.255", False),
    ("::1", False), ("::", False), ("fe80::1", False), ("fc00::1", False), ("ff02::1", False),
    ("::ffff:10.0.0.1", False), ("2002:7f00:1::", False), ("64:ff9b::a00:1", False),
])
def test_which_addresses_are_public(address, public):
    assert outbound.is_public(ipaddress.ip_address(address)) is public


def _certificate(tmp_path, name: str) -> tuple[str, str, str]:
    """A CA, and a certificate it signs for `name`: the files (CA, certificate, key)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    def subject(common_name: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])

    now = datetime.now(UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(subject("Test CA")).issuer_name(subject("Test CA"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    leaf = (x509.CertificateBuilder().subject_name(subject(name)).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    files = (tmp_path / "ca.pem", tmp_path / "cert.pem", tmp_path / "key.pem")
    files[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files[1].write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    files[2].write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return tuple(str(f) for f in files)


def test_https_still_checks_the_certificate_against_the_name_not_the_address_connected_to(
        shooter, calendar_server, connections, monkeypatch, tmp_path):
    # The calendar server speaks TLS with a certificate for calendar.example.test (which
    # resolves to it), signed by a CA the fetch trusts for this test only.
    import ssl

    import requests.adapters

    ca, cert, key = _certificate(tmp_path, "calendar.example.test")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    calendar_server.httpd.socket = context.wrap_socket(calendar_server.httpd.socket,
                                                       server_side=True)
    monkeypatch.setattr(requests.adapters, "DEFAULT_CA_BUNDLE_PATH", ca)
    fake_dns(monkeypatch, {"calendar.example.test": [["127.0.0.1"]],
                           "other.example.test": [["127.0.0.1"]]})
    port = calendar_server.httpd.server_address[1]

    good = calendars.set_external_calendar(shooter, f"https://calendar.example.test:{port}/a.ics")
    assert calendars.refresh_calendar(good, now=NOW), good.last_error
    assert good.busy.exists()

    other = user_with_role(roles.PHOTOGRAPHER)
    wrong = calendars.set_external_calendar(other, f"https://other.example.test:{port}/a.ics")
    assert calendars.refresh_calendar(wrong, now=NOW) is False
    assert "certificat" in wrong.last_error, wrong.last_error


def test_a_calendar_address_is_read_as_soon_as_it_is_saved(client, shooter, calendar_server):
    client.force_login(shooter)

    with translation.override("fr"):
        page = client.post(reverse("admin:booker_photosession_calendars"),
                           {"url": calendar_server.url}, follow=True,
                           HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert calendar_server.hits == 1
    calendar = ExternalCalendar.objects.get(photographer=shooter)
    # The sample's events are in 2031, past the look-ahead from today: read, none kept.
    assert calendar.last_fetched_at is not None and calendar.last_error == ""
    assert "enregistrée et lue : 0 indisponibilité" in html.unescape(page)


def test_an_address_that_cannot_be_read_is_saved_with_the_reason_shown_at_once(
        client, shooter, connections):
    client.force_login(shooter)

    with translation.override("fr"):
        page = client.post(reverse("admin:booker_photosession_calendars"),
                           {"url": "http://169.254.169.254/latest/meta-data/"}, follow=True,
                           HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert ExternalCalendar.objects.filter(photographer=shooter).exists()
    assert "n'a pas pu être lue" in html.unescape(page)
    assert "169.254.169.254, une adresse privée ou réservée" in html.unescape(page)
