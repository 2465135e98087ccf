"""The picks exported for Lightroom / Capture One: filename search, CSV, XMP sidecars."""

import csv
import io
import zipfile
from types import SimpleNamespace
from xml.etree import ElementTree

import pytest

from booker import selectors
from booker.proofing import exports
from tests.booker.factories_studio import submitted_session

NS = {
    "x": "adobe:ns:meta/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "dc": "http://purl.org/dc/elements/1.1/",
}
XMP = "{http://ns.adobe.com/xap/1.0/}"


def item(filename: str, picked: bool = True, comment: str = ""):
    return SimpleNamespace(rush=SimpleNamespace(original_filename=filename), picked=picked,
                           comment=comment)


PICKS = [
    item("IMG_0040.CR2", comment="Recadrer serré, enlever le bouton"),
    item("IMG_0012.CR2"),
    item("IMG_0020.CR2", picked=False, comment="Pourquoi pas celle-ci ?"),
]


def parse_xmp(data: bytes) -> ElementTree.Element:
    root = ElementTree.fromstring(data)
    assert root.tag == "{adobe:ns:meta/}xmpmeta"
    return root.find("rdf:RDF/rdf:Description", NS)


def test_search_string_lists_the_picked_stems_in_file_order():
    assert exports.search_string(PICKS) == "IMG_0012, IMG_0040"


def test_search_string_of_no_pick_is_empty():
    assert exports.search_string([item("IMG_0001.CR2", picked=False, comment="bof")]) == ""


def test_a_raw_and_jpeg_pair_is_one_photo_everywhere():
    pair = [item("IMG_0007.CR2", comment="a"), item("IMG_0007.JPG", comment="b")]
    assert exports.search_string(pair) == "IMG_0007"
    with zipfile.ZipFile(io.BytesIO(exports.xmp_zip(pair))) as archive:
        assert archive.namelist() == ["IMG_0007.xmp"]
        description = parse_xmp(archive.read("IMG_0007.xmp")).find("dc:description", NS)
        assert description.find("rdf:Alt/rdf:li", NS).text == "a\nb"


def test_csv_has_one_row_per_picked_or_commented_photo():
    rows = list(csv.reader(io.StringIO(exports.picks_csv(PICKS))))
    assert rows == [
        ["filename", "stem", "picked", "comment"],
        ["IMG_0012.CR2", "IMG_0012", "yes", ""],
        ["IMG_0020.CR2", "IMG_0020", "no", "Pourquoi pas celle-ci ?"],
        ["IMG_0040.CR2", "IMG_0040", "yes", "Recadrer serré, enlever le bouton"],
    ]


def test_csv_keeps_commas_quotes_and_newlines_and_defuses_formulas():
    tricky = [item("IMG_1.CR2", comment='Il a dit "non", puis\noui'),
              item("IMG_2.CR2", comment="=HYPERLINK(\"http://evil\")")]
    rows = list(csv.reader(io.StringIO(exports.picks_csv(tricky))))
    assert rows[1][3] == 'Il a dit "non", puis\noui'
    assert rows[2][3] == "'=HYPERLINK(\"http://evil\")", "a spreadsheet must not run it"


def test_xmp_zip_has_one_sidecar_per_picked_stem_with_rating_label_and_comment():
    with zipfile.ZipFile(io.BytesIO(exports.xmp_zip(PICKS))) as archive:
        assert sorted(archive.namelist()) == ["IMG_0012.xmp", "IMG_0040.xmp"]
        for name in archive.namelist():
            data = archive.read(name)
            assert data.startswith(b"<?xpacket begin=")
            assert data.rstrip().endswith(b'<?xpacket end="w"?>')
            description = parse_xmp(data)
            assert description.get(f"{XMP}Rating") == "5"
            assert description.get(f"{XMP}Label") == "Green"
        commented = parse_xmp(archive.read("IMG_0040.xmp"))
        li = commented.find("dc:description/rdf:Alt/rdf:li", NS)
        assert li.text == "Recadrer serré, enlever le bouton"
        assert li.get("{http://www.w3.org/XML/1998/namespace}lang") == "x-default"
        assert parse_xmp(archive.read("IMG_0012.xmp")).find("dc:description", NS) is None


def test_xmp_escapes_markup_and_drops_characters_xml_cannot_hold():
    data = exports.xmp_sidecar('<b>plus "clair"</b> & net\x07').encode()
    li = parse_xmp(data).find("dc:description/rdf:Alt/rdf:li", NS)
    assert li.text == '<b>plus "clair"</b> & net'


@pytest.mark.django_db
def test_exports_work_on_the_real_picks_of_a_session():
    session = submitted_session(4, picks={0: "", 2: "Plus de lumière"}, notes={3: "Et celle-là ?"})
    picks = list(selectors.picks(session))
    assert exports.search_string(picks) == "IMG_0000, IMG_0002"
    rows = list(csv.reader(io.StringIO(exports.picks_csv(picks))))
    assert [r[0] for r in rows[1:]] == ["IMG_0000.CR2", "IMG_0002.CR2", "IMG_0003.CR2"]
    assert [r[2] for r in rows[1:]] == ["yes", "yes", "no"]


def test_the_sidecars_label_is_the_one_the_studio_sets(settings):
    settings.BOOKER_XMP_LABEL = "Purple"
    assert 'xmp:Label="Purple"' in exports.xmp_sidecar("")


def test_capture_one_gets_one_picked_stem_a_line_since_its_filter_takes_one_term():
    assert exports.capture_one_names(PICKS) == "IMG_0012\r\nIMG_0040\r\n"
    pair = [item("IMG_0007.CR2"), item("IMG_0007.JPG")]
    assert exports.capture_one_names(pair) == "IMG_0007\r\n"
    assert exports.capture_one_names([item("IMG_0001.CR2", picked=False, comment="x")]) == ""


def test_the_picks_keyword_is_one_word_lightroom_does_not_split():
    keyword = exports.picks_keyword(42)
    assert keyword == "choix-client-42"
    assert not set(keyword) & {" ", ",", ";", "|", ">"}


@pytest.mark.django_db
def test_the_studio_page_downloads_the_names_for_capture_one(studio):
    from django.urls import reverse

    session = submitted_session(4, picks={0: "", 2: ""})
    page = studio.get(reverse("admin:booker_photosession_studio", args=[session.pk]))
    html = page.content.decode()
    assert "Capture One" in html and f"choix-client-{session.pk}" in html
    url = reverse("admin:booker_photosession_export", args=[session.pk, "capture-one"])
    assert url in html
    answer = studio.get(url)
    assert answer.status_code == 200
    assert answer.content == b"IMG_0000\r\nIMG_0002\r\n"
    assert answer["Content-Disposition"].endswith(f'-{session.pk}-capture-one.txt"')
