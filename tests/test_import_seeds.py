"""The ``import_seeds`` command: what the seeds become, and how re-runs behave."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from wagtail.models import Page, Revision

from blog.models import BlogPage, Category
from events.models import EventPage
from fss_site.models import Topic
from people.models import PersonPage, PersonRole
from seeds import importer

SEEDS = Path(settings.BASE_DIR) / "seeds" / "data"

TITLES = [
    "Håller tillitsfönstret på att stängas?",
    "Professionellt och politiskt ledarskap",
    "Tillgänglig socialtjänst förebygger sociala problem",
    "Socialtjänsten inte en del av kriminalpolitiken",
    "Hade varit en kioskvältare för omställningen i välfärden",
    "Vi kan inte informera bort tillitsbristen",
    "FSS i Almedalen 2023",
    "Socialtjänstministern: ”Ny socialtjänstlag 2024”",
    "Varför hatkampanj mot socialtjänsten?",
    "Första och andra linjens socialtjänst – FILM",
    "En rörelse mot ökad tillit",
    "Tillit till professionen ska ge en bättre socialtjänst",
]


def run(*args):
    out = StringIO()
    call_command("import_seeds", *[str(a) for a in args], stdout=out)
    return out.getvalue()


@pytest.fixture
def imported(db):
    return run()


def post(title):
    return BlogPage.objects.get(title=title)


def test_twelve_posts_with_their_titles(imported):
    assert sorted(BlogPage.objects.live().values_list("title", flat=True)) == sorted(TITLES)


def test_meta_line_gives_date_category_and_author(imported):
    page = post(TITLES[0])
    assert str(page.date) == "2022-10-24"
    assert page.category.name == "Första linjens socialtjänst"
    author = page.authors.get()
    assert author.person.title == "Anna Burston"
    assert author.byline == "verksamhetschef socialpsykiatri, Lunds kommun"


def test_bylines_keep_the_title_printed_in_each_post(imported):
    lina = PersonPage.objects.get(title="Lina Blombergsson")
    byline = post("Varför hatkampanj mot socialtjänsten?").authors.get()
    assert byline.person == lina
    assert "bitr. socialdirektör i Huddinge kommun" in byline.byline
    # The person page shows the newest job: the 2023 board list beats the older byline.
    assert lina.employer == "Stockholms stad"
    assert "Huddinge" not in lina.job_title


def test_subheadings_stay_subheadings(imported):
    headings = {
        title: [b.value["text"] for b in post(title).body if b.block_type == "heading"]
        for title in [
            TITLES[0],
            "Varför hatkampanj mot socialtjänsten?",
            "En rörelse mot ökad tillit",
        ]
    }
    assert "Bra känsla men orosmolnen hopar sig" in headings[TITLES[0]]
    assert "Tillitsbrist" in headings["Varför hatkampanj mot socialtjänsten?"]
    assert "Cynism – naivitet" in headings["En rörelse mot ökad tillit"]
    kiosk = post("Hade varit en kioskvältare för omställningen i välfärden")
    assert "För snävt fokus?" in [b.value["text"] for b in kiosk.body if b.block_type == "heading"]


def test_captions_quotes_lists_and_links(imported):
    tillit = post("En rörelse mot ökad tillit")
    lists = [b.value["items"] for b in tillit.body if b.block_type == "bullet_list"]
    assert [len(items) for items in lists] == [5, 4]
    captions = [b.value for b in tillit.body if b.block_type == "caption"]
    assert captions[0]["credit"] == "bringselius.se"
    minister = post("Socialtjänstministern: ”Ny socialtjänstlag 2024”")
    assert any(b.block_type == "quote" for b in minister.body)
    links = [b.value for b in post(TITLES[0]).body if b.block_type == "attachment"]
    assert links[0]["title"].startswith("Läs om de sju tillitsprinciperna")
    assert links[0]["url"] == ""


def test_people_roles_jobs_and_competence_areas(imported):
    names = set(PersonPage.objects.values_list("title", flat=True))
    assert {
        "Monica Persson",
        "Lina Blombergsson",
        "Jonas Hampus",
        "Helena Åhman",
        "Anna Burston",
    } <= names
    anna = PersonPage.objects.get(title="Anna Burston")
    assert anna.employer == "Lunds kommun"
    assert anna.job_title == "verksamhetschef socialpsykiatri"
    kinds = {(r.kind, r.region) for r in anna.roles.all()}
    assert (PersonRole.REGIONAL_CHAIR, "Skåne") in kinds
    assert PersonRole.BOARD_MEMBER in {k for k, _ in kinds}
    jonas = PersonPage.objects.get(title="Jonas Hampus")
    assert [(r.kind, r.region) for r in jonas.roles.all()] == [
        (PersonRole.REGIONAL_LEAD, "Gävle/Dala")
    ]
    assert jonas.employer == "Falu kommun"
    # A competence area shared by two people is one topic.
    shared = Topic.find("äldreomsorg")
    assert set(shared.people.values_list("title", flat=True)) == {"Jonas Hampus", "Helena Åhman"}
    assert Topic.find("kvalitets- och utvecklingsfrågor") is not None
    names = [t.name_key for t in Topic.objects.all()]
    assert len(names) == len(set(names)) == 10
    monica = PersonPage.objects.get(title="Monica Persson")
    assert monica.is_spokesperson and monica.is_board_member
    assert [r.kind for r in monica.roles.all()] == [PersonRole.CHAIR]


def test_almedalen_event_with_days(imported):
    event = post("FSS i Almedalen 2023").related_event
    assert event is not None
    days = {}
    for row in event.attendance_days.select_related("person").order_by("person", "day"):
        days.setdefault(row.person.title, []).append((row.day.strftime("%A"), row.preliminary))
    assert set(days) == {"Monica Persson", "Lina Blombergsson", "Jonas Hampus", "Helena Åhman"}
    assert [d for d, _ in days["Monica Persson"]] == [
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
    ]
    assert [d for d, _ in days["Lina Blombergsson"]] == ["Tuesday", "Wednesday"]
    assert days["Jonas Hampus"] == [("Wednesday", True), ("Thursday", True)]
    assert all(not prelim for _, prelim in days["Helena Åhman"])
    assert event.local_start.year == 2023


def test_seminars_with_organisers_and_participants(imported):
    seminar = post("En rörelse mot ökad tillit").related_event
    assert seminar.local_start.date().isoformat() == "2017-04-21"
    assert seminar.all_day
    assert seminar.organisers.count() >= 1
    speaker = seminar.participants.get()
    assert speaker.display_name == "Louise Bringselius"
    assert speaker.part == "speaker"

    minister = post("Socialtjänstministern: ”Ny socialtjänstlag 2024”").related_event
    assert minister.local_start.date().isoformat() == "2022-12-07"
    organisers = set(minister.organisers.values_list("name", flat=True))
    assert {"Vision", "SKR", "Akademikerförbundet SSR", "Bris"} <= organisers
    participants = {p.display_name: p for p in minister.participants.all()}
    assert "Camilla Waltersson Grönvall" in participants
    # A board member among the participants is linked to her person page.
    assert participants["Lina Blombergsson"].person.title == "Lina Blombergsson"
    assert participants["Lina Blombergsson"].title.startswith("vice ordförande FSS")


def test_report_names_editorial_facts_and_missing_ones(imported):
    assert "Fakta från redaktionsfilen" in imported
    assert "editorial.toml" in imported
    assert "Behöver en redaktör" in imported
    assert "länkadress saknas" in imported


def test_second_run_changes_nothing(imported):
    revisions = Revision.objects.count()
    pages = Page.objects.count()
    second = run()
    assert "Inget ändrades" in second
    assert "Oförändrade: 20" in second
    assert Revision.objects.count() == revisions
    assert Page.objects.count() == pages


def test_editors_work_wins(imported):
    page = post(TITLES[0])
    page.excerpt = "Redaktörens ingress"
    page.save_revision().publish()
    seed_copy_report = run()
    page.refresh_from_db()
    assert page.excerpt == "Redaktörens ingress"
    assert "Ändrade av redaktör sedan importen (lämnades orörda): 1" in seed_copy_report
    assert TITLES[0] in seed_copy_report


def test_changed_seed_updates_imported_page(imported, tmp_path):
    for source in SEEDS.glob("*.txt"):
        text = source.read_text(encoding="utf-8")
        text = text.replace("Ta offentlig plats.", "Ta offentlig plats, tillsammans.")
        (tmp_path / source.name).write_text(text, encoding="utf-8")
    report = run(tmp_path)
    assert "Uppdaterade: 1" in report
    tillit = post("En rörelse mot ökad tillit")
    items = [b.value["items"] for b in tillit.body if b.block_type == "bullet_list"][-1]
    assert items[-1] == "Ta offentlig plats, tillsammans."


def test_dry_run_writes_nothing(db):
    report = run("--dry-run")
    assert "Provkörning" in report
    assert not BlogPage.objects.exists()
    assert not PersonPage.objects.exists()
    assert not Topic.objects.exists()


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda d: d / "saknas.txt", "saknas"),
        (lambda d: _write(d / "tom.txt", b""), "tom"),
        (lambda d: _write(d / "binar.txt", b"\x00\x01\x02abc"), "binär"),
        (lambda d: _write(d / "latin1.txt", "Håller".encode("latin-1")), "UTF-8"),
    ],
)
def test_bad_input_is_a_clear_error_and_writes_nothing(db, tmp_path, make, message):
    path = make(tmp_path)
    with pytest.raises(CommandError) as error:
        run(path)
    assert message.lower() in str(error.value).lower()
    assert "\n" not in str(error.value)
    assert not BlogPage.objects.exists()


def test_no_recognisable_post(db, tmp_path):
    path = _write(tmp_path / "punkt.txt", b"...\n")
    with pytest.raises(CommandError):
        run(path)
    assert not BlogPage.objects.exists()


def _write(path, data):
    path.write_bytes(data)
    return path


def test_failure_part_way_rolls_everything_back(db, monkeypatch):
    calls = {"n": 0}
    original = importer._Writer.write_post

    def failing(self, record):
        calls["n"] += 1
        if calls["n"] == 5:
            raise RuntimeError("avbruten")
        return original(self, record)

    monkeypatch.setattr(importer._Writer, "write_post", failing)
    with pytest.raises(RuntimeError):
        run()
    assert not BlogPage.objects.exists()
    assert not PersonPage.objects.exists()
    assert not EventPage.objects.exists()
    assert not Category.objects.exists()
    monkeypatch.undo()
    run()
    assert BlogPage.objects.count() == 12


# One long line per board member, as on the old site.
NEW_FORMAT = "\n".join(
    [
        "Styrelsen på plats i Almedalen 2031",
        "",
        "Här är vi som du kan möta under veckan.",
        "",
        "Karin Exempel, FSS ordförande. Socialchef i Exempelby kommun. Särskilda "
        "kompetensområden: Missbruk, äldreomsorg. Är i Almedalen måndag och tisdag.",
        "",
        "Per Prov, Ledamot FSS riksstyrelse. Förvaltningschef i Provstad. Särskilda "
        "kompetensområden: Missbruk. Är i Almedalen preliminärt onsdag.",
        "",
        "Ett nytt seminarium om missbruk",
        "",
        "mar 3, 2031 | Missbruk, Karin Exempel",
        "",
        "Den 12 mars 2031 höll vi ett seminarium <script>alert(1)</script> om missbruksvård.",
        "",
        "Karin Exempel, socialchef, Exempelby kommun",
        "",
    ]
)


def test_new_document_in_the_same_format(db, tmp_path, client):
    (tmp_path / "ny.txt").write_text(NEW_FORMAT, encoding="utf-8")
    run(tmp_path)
    titles = set(BlogPage.objects.values_list("title", flat=True))
    assert titles == {"Styrelsen på plats i Almedalen 2031", "Ett nytt seminarium om missbruk"}
    karin = PersonPage.objects.get(title="Karin Exempel")
    assert karin.employer == "Exempelby kommun"
    assert set(karin.topics.values_list("name", flat=True)) == {"Missbruk", "Äldreomsorg"}
    seminar = post("Ett nytt seminarium om missbruk")
    assert str(seminar.date) == "2031-03-03"
    assert seminar.authors.get().person == karin
    # HTML in a seed is text, never markup.
    html = client.get(seminar.url).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_imported_post_page_shows_its_opening_once(imported, client):
    page = post(TITLES[0])
    assert page.excerpt and page.excerpt_repeats_body
    html = client.get(page.url).content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    assert main.count("I veckan hade vi Förvaltningsdag") == 1
