"""The demo's accessibility statement (issue 25): the platform measured against WCAG 2.1 AA
(EN 301 549), partially compliant, with the barriers we know of, among them parts of
Wagtail's own admin, and one reported barrier in the admin's list. Idempotent: a statement
someone already filled in is left alone, the report is created once."""

from __future__ import annotations

from datetime import date

from wagtail.models import Site

from wagtail_learning.accessibility import api as accessibility

ORGANISATION = "Huddinge kommun"
CONTACT = "tillganglighet@huddinge.example.se"
ADMIN_BARRIER = (
    "Delar av Wagtails administrationsgränssnitt (/admin/), som redaktörer, HR och "
    "samordnare använder, uppfyller inte kraven: textredigeraren (fält med formaterad "
    "text) saknar ett namn som skärmläsare kan läsa upp, och på sidor utan länkar går "
    "huvudytan att rulla men inte att nå med tangentbordet."
)
# What the browser suite measures inside Wagtail's own views and cannot fix in our
# templates (tests/browser/a11y.py KNOWN_WAGTAIL_BARRIERS); a barrier per criterion.
ADMIN_REFLOW_BARRIER = (
    "Wagtails egna redigeringsvyer (sidredigeraren, utforskaren och listor och formulär "
    "för kursinnehåll) går inte att använda i ett 320 pixlar brett fönster utan att rulla i "
    "sidled: sidhuvudets brödsmulor, minikartan, sidopanelerna och tabellerna får inte plats. "
    "Plattformens egna administrationssidor (HR, evenemang, textning) fungerar i den bredden."
)
BARRIERS = [
    {
        "what": ADMIN_BARRIER,
        "requirement": "WCAG 2.1 4.1.2 Namn, roll, värde; 2.1.1 Tangentbord",
        "reason": accessibility.BarrierReason.NON_COMPLIANCE,
        "plan": (
            "Administrationsgränssnittet kommer från Wagtail. Vi rapporterar bristerna till "
            "Wagtail-projektet och uppdaterar när nya versioner rättar dem. Den som inte kan "
            "använda administrationen får hjälp av sin utbildningssamordnare."
        ),
        "fixed_by": date(2027, 6, 30),
    },
    {
        "what": ADMIN_REFLOW_BARRIER,
        "requirement": "WCAG 2.1 1.4.10 Anpassning till skärmstorlek",
        "reason": accessibility.BarrierReason.NON_COMPLIANCE,
        "plan": (
            "Redigeringsvyerna kommer från Wagtail. Vi rapporterar bristen till "
            "Wagtail-projektet; till dess går de att använda i ett bredare fönster eller med "
            "förstoring upp till 200 procent."
        ),
        "fixed_by": date(2027, 6, 30),
    },
    {
        "what": (
            "En del inspelade föreläsningar saknar syntolkning av det som bara visas i bild "
            "(bilder och diagram som föreläsaren inte beskriver)."
        ),
        "requirement": "WCAG 2.1 1.2.5 Syntolkning (förinspelad)",
        "reason": accessibility.BarrierReason.NON_COMPLIANCE,
        "plan": (
            "Transkriptionerna kompletteras med beskrivningar av det som bara syns, "
            "föreläsning för föreläsning."
        ),
        "fixed_by": date(2027, 3, 31),
    },
]
REPORT = (
    "I kapitellistan under föreläsningen om samiska går det inte att se vilket kapitel "
    "som spelas när jag använder skärmförstoring."
)


def seed_accessibility(note) -> None:
    site = Site.objects.filter(is_default_site=True).first()
    statement = accessibility.get_statement()
    if statement.organisation_name:
        note("accessibility", "statement", created=False)
    else:
        statement.organisation_name = ORGANISATION
        statement.conformance = accessibility.Conformance.PARTIAL
        statement.conformance_note = (
            "Vi granskar tjänsten mot WCAG 2.2 nivå AA, den nuvarande rekommendationen; "
            "lagen kräver WCAG 2.1 nivå AA enligt EN 301 549."
        )
        statement.barriers = [("barrier", barrier) for barrier in BARRIERS]
        statement.alternatives = (
            "Om du inte kan använda delar av tjänsten hjälper vi dig att få innehållet på "
            "annat sätt, till exempel en föreläsnings transkription som dokument eller "
            "ett intyg i annat format."
        )
        statement.contact_email = CONTACT
        statement.response_time = "Vi svarar inom fem arbetsdagar."
        statement.assessment_method = accessibility.AssessmentMethod.SELF
        statement.assessment_note = (
            "Vi har granskat tjänsten själva: automatiska kontroller med axe-core i en "
            "riktig webbläsare på varje sidtyp för varje roll, navigering med enbart "
            "tangentbord och kontroll av att intygen är taggade PDF/UA-filer."
        )
        statement.assessed_on = date(2026, 11, 30)
        statement.published_on = date(2026, 9, 1)
        statement.reviewed_on = date(2026, 12, 1)
        statement.save()
        note("accessibility", "statement", created=True)
    _, created = accessibility.BarrierReport.objects.get_or_create(
        description=REPORT,
        defaults={"site": site, "page_url": "/kurser/", "status": accessibility.ReportStatus.NEW},
    )
    note("accessibility", "barrier report", created=created)
