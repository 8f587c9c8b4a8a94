"""The Swedish demo content that `manage.py seed_demo` builds.

Plain data, kept apart from the command so the texts can be read and corrected in one
place. Lectures come from ``home/demo/lectures/lectures.json`` (made by
``scripts/make_demo_media.py``) and are referred to here by their stable key.

The equality course follows the four-module concept of a municipality south of Stockholm
(one basic module, three advanced ones that unlock in turn); the minorities series the
joint lecture series of Sundbyberg, Järfälla, Upplands Väsby and Upplands-Bro.
"""

from __future__ import annotations

# --- Question helpers: compact definitions the command turns into StreamField JSON ---------


def choice(text: str, *, correct: bool = False, feedback: str = "") -> dict:
    return {"text": text, "correct": correct, "feedback": feedback}


def single_choice(question: str, choices: list[dict], *, explanation: str = "") -> dict:
    return {
        "type": "single_choice",
        "question": question,
        "choices": choices,
        "explanation": explanation,
    }


def multiple_choice(question: str, choices: list[dict], *, explanation: str = "") -> dict:
    return {
        "type": "multiple_choice",
        "question": question,
        "choices": choices,
        "explanation": explanation,
    }


def true_false(
    statement: str,
    *,
    answer: bool,
    feedback_true: str = "",
    feedback_false: str = "",
    explanation: str = "",
) -> dict:
    return {
        "type": "true_false",
        "question": statement,
        "correct_answer": "true" if answer else "false",
        "feedback_true": feedback_true,
        "feedback_false": feedback_false,
        "explanation": explanation,
    }


# --- Site --------------------------------------------------------------------------------

SITE_NAME = "Kommunens lärplattform"

HOME = {
    "title": "Lärplattformen",
    "slug": "hem",
    "intro": (
        "<p>Välkommen till kommunens lärplattform. Här finns kurser om jämlikhet, "
        "mänskliga rättigheter och nationella minoriteter, med inspelade föreläsningar som "
        "du kan se när det passar dig, med textning, kapitel och utskrift.</p>"
    ),
}

CATALOGUE = {
    "title": "Kurser",
    "slug": "kurser",
    "intro": (
        "<p>Alla kurser som är öppna för kommunens medarbetare. Vissa moduler låses upp "
        "först när du har gått den föregående.</p>"
    ),
}

# --- Quizzes -------------------------------------------------------------------------------
# Keyed by a stable key; the command finds an existing quiz by its title.

QUIZZES: dict[str, dict] = {
    "grundmodul": {
        "title": "Kunskapstest: Grundmodul",
        "description": "Fem frågor om jämlikhet och diskrimineringslagen. Du har tre försök.",
        "max_attempts": 3,
        "questions": [
            single_choice(
                "Hur många diskrimineringsgrunder finns i diskrimineringslagen?",
                [
                    choice("Fem", feedback="Det är fler än så."),
                    choice("Sju", correct=True, feedback="Rätt."),
                    choice("Nio", feedback="Det är färre än så."),
                ],
                explanation=(
                    "<p>Kön, könsöverskridande identitet eller uttryck, etnisk tillhörighet, "
                    "religion eller annan trosuppfattning, funktionsnedsättning, sexuell "
                    "läggning och ålder.</p>"
                ),
            ),
            multiple_choice(
                "Vilka av följande är diskrimineringsgrunder enligt diskrimineringslagen?",
                [
                    choice("Ålder", correct=True),
                    choice("Sexuell läggning", correct=True),
                    choice("Funktionsnedsättning", correct=True),
                    choice(
                        "Politisk åsikt", feedback="Politisk åsikt är inte en av de sju grunderna."
                    ),
                    choice(
                        "Utbildningsnivå",
                        feedback="Utbildningsnivå är inte en av de sju grunderna.",
                    ),
                ],
            ),
            true_false(
                "Jämlikhet betyder att alla alltid ska behandlas exakt likadant.",
                answer=False,
                feedback_true=(
                    "Inte riktigt. Ibland behövs olika insatser för att alla ska få likvärdiga "
                    "förutsättningar."
                ),
                feedback_false=(
                    "Rätt. Jämlikhet handlar om likvärdiga förutsättningar, inte om att göra "
                    "exakt likadant för alla."
                ),
            ),
            true_false(
                "Alla arbetsgivare ska arbeta förebyggande med aktiva åtgärder mot diskriminering.",
                answer=True,
                feedback_true="Rätt. Kravet gäller alla arbetsgivare, oavsett storlek.",
                feedback_false="Kravet gäller alla arbetsgivare, oavsett storlek.",
                explanation=(
                    "<p>Arbetsgivare med minst 25 anställda ska dessutom dokumentera arbetet "
                    "skriftligt.</p>"
                ),
            ),
            single_choice(
                "Vilket av följande är en form av diskriminering enligt lagen?",
                [
                    choice("Bristande tillgänglighet", correct=True),
                    choice("Högt arbetstempo"),
                    choice("Olika åsikter i en arbetsgrupp"),
                ],
                explanation=(
                    "<p>Lagen förbjuder direkt och indirekt diskriminering, bristande "
                    "tillgänglighet, trakasserier, sexuella trakasserier och instruktioner "
                    "att diskriminera.</p>"
                ),
            ),
        ],
    },
    "normkritik": {
        "title": "Kunskapstest: Normkritik i vardagen",
        "description": "Fyra frågor om normer och ett normkritiskt arbetssätt.",
        "questions": [
            single_choice(
                "Vad menas med en norm?",
                [
                    choice(
                        "En oskriven regel eller förväntning om vad som är normalt",
                        correct=True,
                    ),
                    choice("En lag som riksdagen har beslutat"),
                    choice("En policy som kommunfullmäktige har antagit"),
                ],
            ),
            true_false(
                "Normkritik handlar om att granska normerna snarare än de personer som "
                "bryter mot dem.",
                answer=True,
            ),
            multiple_choice(
                "Vilka frågor hör till ett normkritiskt arbetssätt?",
                [
                    choice("Vem är kallelsen utformad för?", correct=True),
                    choice("Vem syns i våra bilder och exempel?", correct=True),
                    choice("Vilka antaganden gör vi om dem vi möter?", correct=True),
                    choice(
                        "Hur får vi dem som avviker att anpassa sig?",
                        feedback="Normkritik flyttar fokus från dem som avviker till normen.",
                    ),
                ],
            ),
            true_false(
                "Den som tillhör normen märker oftast tydligt sina egna fördelar.",
                answer=False,
                feedback_false="Rätt. Fördelarna är ofta osynliga för den som har dem.",
                feedback_true="Oftast inte: fördelarna är ofta osynliga för den som har dem.",
            ),
        ],
    },
    "styrning": {
        "title": "Kunskapstest: Jämlik styrning",
        "description": "Fyra frågor om att styra och följa upp med ett jämlikhetsperspektiv.",
        "questions": [
            true_false(
                "Jämlikhetsarbetet blir mest hållbart om det drivs som ett eget projekt, "
                "utanför den ordinarie styrningen.",
                answer=False,
                feedback_false="Rätt. Det ska vara en del av mål, planering och uppföljning.",
                feedback_true="Nej, det ska vara en del av mål, planering och uppföljning.",
            ),
            single_choice(
                "Statistiken visar en skillnad mellan två grupper. Vad är ett bra första steg?",
                [
                    choice("Undersöka vad skillnaden beror på", correct=True),
                    choice("Bortse från den om den är liten"),
                    choice("Ta bort måttet ur uppföljningen"),
                ],
            ),
            multiple_choice(
                "Vilka uppgifter är känsliga personuppgifter enligt dataskyddsförordningen?",
                [
                    choice("Etniskt ursprung", correct=True),
                    choice("Uppgifter om hälsa", correct=True),
                    choice("Sexuell läggning", correct=True),
                    choice("Bostadsområde", feedback="Bostadsområde är inte en känslig uppgift."),
                ],
                explanation=(
                    "<p>Känsliga personuppgifter får bara behandlas med särskilt stöd i "
                    "dataskyddsreglerna. Statistik över sådana grunder tas oftast fram "
                    "genom anonyma enkäter eller från officiell statistik.</p>"
                ),
            ),
            single_choice(
                "Vem ansvarar för att jämlikhetsperspektivet finns med i verksamhetens "
                "planering och uppföljning?",
                [
                    choice("Verksamhetens chef", correct=True),
                    choice("Enbart HR-avdelningen"),
                    choice("Ingen särskild"),
                ],
            ),
        ],
    },
    "analys": {
        "title": "Kunskapstest: Jämlikhetsanalys",
        "description": "Fyra frågor om jämlikhetsanalysens fem steg.",
        "questions": [
            single_choice(
                "Vilket steg kommer först i en jämlikhetsanalys?",
                [
                    choice("Att beskriva verksamheten och vilka den berör", correct=True),
                    choice("Att besluta om åtgärder"),
                    choice("Att följa upp åtgärderna"),
                ],
            ),
            true_false(
                "Erfarenheter från dem som berörs är ett viktigt underlag vid sidan av statistik.",
                answer=True,
            ),
            multiple_choice(
                "Vad bör ett beslut om åtgärder innehålla?",
                [
                    choice("En ansvarig", correct=True),
                    choice("En tidsplan", correct=True),
                    choice("Hur åtgärden ska följas upp", correct=True),
                    choice(
                        "Namnen på de invånare som berörs",
                        feedback="Nej, åtgärderna gäller verksamheten, inte enskilda personer.",
                    ),
                ],
            ),
            true_false(
                "När åtgärderna är genomförda är analysen klar och behöver inte följas upp.",
                answer=False,
                feedback_false="Rätt. Uppföljningen visar om åtgärderna fick effekt.",
                feedback_true="Nej, uppföljningen visar om åtgärderna fick effekt.",
            ),
        ],
    },
    "minoriteter": {
        "title": "Kunskapstest: Nationella minoriteter",
        "description": (
            "Fem frågor dras slumpvis ur en bank på åtta, så att försöken skiljer sig åt."
        ),
        "draw_count": 5,
        "questions": [
            multiple_choice(
                "Vilka grupper är nationella minoriteter i Sverige?",
                [
                    choice("Judar", correct=True),
                    choice("Romer", correct=True),
                    choice("Samer", correct=True),
                    choice("Sverigefinnar", correct=True),
                    choice("Tornedalingar", correct=True),
                    choice(
                        "Finlandssvenskar",
                        feedback="Finlandssvenskar är inte en nationell minoritet i Sverige.",
                    ),
                ],
            ),
            single_choice(
                "Vilket av följande språk är inte ett nationellt minoritetsspråk?",
                [
                    choice("Älvdalska", correct=True),
                    choice("Meänkieli"),
                    choice("Jiddisch"),
                    choice("Finska"),
                ],
                explanation=(
                    "<p>Minoritetsspråken är finska, jiddisch, meänkieli, romani chib och "
                    "samiska.</p>"
                ),
            ),
            true_false("Samerna är både en nationell minoritet och ett urfolk.", answer=True),
            single_choice(
                "Sedan vilket år gäller lagen om nationella minoriteter och minoritetsspråk?",
                [
                    choice("2000", feedback="Då erkändes minoriteterna; lagen kom senare."),
                    choice("2010", correct=True),
                    choice("2019", feedback="Då skärptes lagen; den gäller sedan tidigare."),
                ],
            ),
            true_false(
                "För att höra till en nationell minoritet måste man tala minoritetsspråket.",
                answer=False,
                feedback_false="Rätt. Tillhörigheten bygger på självidentifikation.",
                feedback_true="Nej, tillhörigheten bygger på självidentifikation.",
            ),
            single_choice(
                "Vad innebär det att en kommun ingår i förvaltningsområdet för finska?",
                [
                    choice(
                        "Enskilda har utökade rättigheter att använda finska, bland annat i "
                        "förskola och äldreomsorg",
                        correct=True,
                    ),
                    choice("Alla anställda måste kunna finska"),
                    choice("Kommunens information får bara finnas på finska"),
                ],
            ),
            true_false(
                "Alla kommuner, inte bara de i ett förvaltningsområde, ska informera de "
                "nationella minoriteterna om deras rättigheter.",
                answer=True,
            ),
            multiple_choice(
                "Vad kan du som medarbetare göra när du möter någon från en nationell minoritet?",
                [
                    choice("Fråga vilket språk personen föredrar", correct=True),
                    choice("Informera om rätten att använda minoritetsspråket", correct=True),
                    choice(
                        "Be personen visa att hen tillhör minoriteten",
                        feedback="Nej, tillhörigheten bygger på självidentifikation.",
                    ),
                ],
            ),
        ],
    },
}

# --- Courses -------------------------------------------------------------------------------
# Steps are (block type, value); "lecture" and "quiz" values name a lecture key / quiz key.
# A module's "prerequisite" is the slug of a module in the same course.

EQUALITY_COURSE = {
    "title": "Jämlikhet, normkritik och jämlik styrning",
    "slug": "jamlikhet-normkritik-och-jamlik-styrning",
    "summary": (
        "Fyra moduler för chefer och strategiska roller: från grunderna i jämlikhet och "
        "diskrimineringslagen till normkritik, jämlik styrning och en egen jämlikhetsanalys."
    ),
    "audience": "Chefer och strategiska roller",
    "learning_outcomes": (
        "<ul>"
        "<li>förklara vad jämlikhet och likvärdiga förutsättningar innebär</li>"
        "<li>känna till diskrimineringslagens sju grunder och arbetsgivarens aktiva åtgärder</li>"
        "<li>granska rutiner, lokaler och bemötande med ett normkritiskt perspektiv</li>"
        "<li>använda statistik och resultat för att styra och följa upp jämlikhet</li>"
        "<li>leda en jämlikhetsanalys i din egen verksamhet</li>"
        "</ul>"
    ),
    "estimated_minutes": 160,
    "organiser": "Huddinge kommun",
    "cover_lecture": "jamlikhet-1-grundmodul",
    "modules": [
        {
            "title": "Grundmodul",
            "slug": "grundmodul",
            "level": 1,
            "estimated_minutes": 40,
            "summary": (
                "Vad är jämlikhet? Likvärdiga förutsättningar, diskrimineringslagens sju "
                "grunder och arbetsgivarens aktiva åtgärder. Alla börjar här."
            ),
            "steps": [
                ("lecture", {"lecture": "jamlikhet-1-grundmodul"}),
                (
                    "reading",
                    {
                        "title": "Jämlikhet: begrepp och lagstöd",
                        "body": (
                            "<h2>Jämlikhet och jämställdhet</h2>"
                            "<p>Jämlikhet betyder att alla människor har lika värde och samma "
                            "rättigheter och möjligheter, oavsett bakgrund. Jämställdhet är en "
                            "del av jämlikheten: att kvinnor och män ska ha samma makt att "
                            "forma samhället och sina egna liv.</p>"
                            "<p>Likvärdiga förutsättningar kräver ibland olika insatser. En "
                            "tolk, ett anpassat material eller en lokal utan trappsteg gör inte "
                            "någon särbehandlad, utan ger samma möjlighet att ta del av "
                            "kommunens tjänster.</p>"
                            "<h2>Diskrimineringslagen</h2>"
                            "<p>Diskrimineringslagen (2008:567) skyddar mot diskriminering som "
                            "har samband med sju grunder:</p>"
                            "<ul><li>kön</li><li>könsöverskridande identitet eller uttryck</li>"
                            "<li>etnisk tillhörighet</li>"
                            "<li>religion eller annan trosuppfattning</li>"
                            "<li>funktionsnedsättning</li><li>sexuell läggning</li>"
                            "<li>ålder</li></ul>"
                            "<p>Lagen förbjuder sex former av diskriminering: direkt och "
                            "indirekt diskriminering, bristande tillgänglighet, trakasserier, "
                            "sexuella trakasserier och instruktioner att diskriminera.</p>"
                            "<h2>Aktiva åtgärder</h2>"
                            "<p>Alla arbetsgivare ska arbeta förebyggande: undersöka risker för "
                            "diskriminering, analysera orsakerna, vidta åtgärder och följa upp "
                            "dem. Arbetsgivare med minst 25 anställda ska också dokumentera "
                            "arbetet skriftligt.</p>"
                        ),
                    },
                ),
                (
                    "reflection",
                    {
                        "title": "Jämlikhet i min verksamhet",
                        "prompt": (
                            "<p>Tänk på en tjänst eller ett beslut i din verksamhet. Vilka "
                            "invånare eller medarbetare har bäst och sämst förutsättningar i "
                            "dag? Vad skulle behöva ändras för att förutsättningarna ska bli "
                            "mer likvärdiga?</p>"
                        ),
                        "min_length": 100,
                    },
                ),
                ("quiz", {"quiz": "grundmodul"}),
            ],
        },
        {
            "title": "Fördjupning 1",
            "slug": "fordjupning-1",
            "level": 2,
            "prerequisite": "grundmodul",
            "estimated_minutes": 40,
            "summary": (
                "Normkritik i vardagen: vad normer är, hur de kan utesluta och hur vi "
                "granskar våra egna blanketter, lokaler och rutiner."
            ),
            "steps": [
                ("lecture", {"lecture": "jamlikhet-2-normkritik"}),
                (
                    "reading",
                    {
                        "title": "Normer och normkritik",
                        "body": (
                            "<p>Normer är oskrivna regler och förväntningar om vad som är "
                            "normalt. De hjälper oss att förstå varandra, men de gör också att "
                            "vissa människor ses som självklara och andra som avvikande.</p>"
                            "<h2>Ett normkritiskt perspektiv</h2>"
                            "<p>Normkritik flyttar fokus från dem som avviker till normerna "
                            "själva. I stället för att fråga hur andra ska anpassa sig frågar "
                            "vi vilka normer som stänger ute, och vem som har makt att ändra "
                            "dem.</p>"
                            "<h2>Frågor att ställa</h2>"
                            "<ul><li>Vem är blanketten, lokalen eller informationen gjord "
                            "för?</li><li>Vem syns i våra bilder och exempel, och vem syns "
                            "inte?</li><li>Vilka antaganden gör vi om namn, familj, kön, ålder "
                            "eller språk?</li><li>Vem behöver förklara sig, och vem behöver "
                            "aldrig göra det?</li></ul>"
                        ),
                    },
                ),
                (
                    "reflection",
                    {
                        "title": "Ett exempel från min vardag",
                        "prompt": (
                            "<p>Beskriv en situation i din verksamhet där en norm gjorde att "
                            "någon fick ett sämre bemötande eller inte kom till tals. Vilken "
                            "norm handlade det om, och hur skulle ni kunna göra "
                            "annorlunda?</p>"
                        ),
                        "min_length": 100,
                    },
                ),
                ("quiz", {"quiz": "normkritik"}),
            ],
        },
        {
            "title": "Fördjupning 2",
            "slug": "fordjupning-2",
            "level": 3,
            "prerequisite": "fordjupning-1",
            "estimated_minutes": 40,
            "summary": (
                "Jämlik styrning och uppföljning: jämlikhet i lednings- och styrsystemet, "
                "statistik, analys, mål och uppföljning."
            ),
            "steps": [
                ("lecture", {"lecture": "jamlikhet-3-styrning"}),
                (
                    "reading",
                    {
                        "title": "Jämlikhet i lednings- och styrsystemet",
                        "body": (
                            "<p>Jämlikhetsarbetet blir hållbart när det är en del av den "
                            "ordinarie styrningen: mål, budget, verksamhetsplaner och "
                            "uppföljning. Alla verksamheter ska mäta och analysera statistik "
                            "och resultat utifrån ett jämlikhetsperspektiv.</p>"
                            "<h2>Att mäta</h2>"
                            "<p>Dela upp statistiken där det går, till exempel efter kön, ålder "
                            "och bostadsområde, och jämför resultat, nöjdhet och tillgång till "
                            "tjänster mellan grupper. Uppgifter om till exempel etniskt "
                            "ursprung, hälsa eller sexuell läggning är känsliga "
                            "personuppgifter och får bara behandlas med särskilt stöd i "
                            "dataskyddsreglerna.</p>"
                            "<h2>Att analysera och följa upp</h2>"
                            "<p>En skillnad i statistiken är en fråga, inte ett svar. Ta reda "
                            "på vad den beror på, sätt mål, besluta om åtgärder med ansvar och "
                            "tidsplan, och följ upp dem i den vanliga uppföljningen.</p>"
                        ),
                    },
                ),
                (
                    "reflection",
                    {
                        "title": "Vår statistik",
                        "prompt": (
                            "<p>Vilka resultat följer din verksamhet upp i dag? Vilka av dem "
                            "skulle kunna delas upp för att visa skillnader mellan grupper, och "
                            "vad skulle ni göra om ni hittade en skillnad?</p>"
                        ),
                        "min_length": 100,
                    },
                ),
                ("quiz", {"quiz": "styrning"}),
            ],
        },
        {
            "title": "Fördjupning 3",
            "slug": "fordjupning-3",
            "level": 4,
            "prerequisite": "fordjupning-2",
            "estimated_minutes": 40,
            "summary": (
                "Jämlikhetsanalys i praktiken: fem steg från beskrivning till uppföljning, "
                "tillämpade på en verklig verksamhet."
            ),
            "steps": [
                ("lecture", {"lecture": "jamlikhet-4-analys"}),
                (
                    "reading",
                    {
                        "title": "En jämlikhetsanalys i fem steg",
                        "body": (
                            "<ol>"
                            "<li><b>Beskriv</b> verksamheten och vilka invånare eller "
                            "medarbetare den berör.</li>"
                            "<li><b>Samla underlag</b>: statistik, synpunkter och klagomål, och "
                            "erfarenheter från dem som berörs.</li>"
                            "<li><b>Analysera</b>: vilka skillnader finns, och vilka normer och "
                            "rutiner bidrar till dem?</li>"
                            "<li><b>Besluta</b> om åtgärder, med ansvar, tidsplan och hur de "
                            "ska följas upp.</li>"
                            "<li><b>Följ upp</b> och utvärdera, och ta med lärdomarna i nästa "
                            "planering.</li>"
                            "</ol>"
                            "<p>Låt de grupper som påverkas vara med i arbetet. Deras kunskap "
                            "gör analysen bättre och åtgärderna mer träffsäkra.</p>"
                        ),
                    },
                ),
                (
                    "reflection",
                    {
                        "title": "Min analysplan",
                        "prompt": (
                            "<p>Välj en tjänst eller process i din verksamhet. Beskriv kort "
                            "hur du skulle gå igenom de fem stegen: vilka underlag behövs, "
                            "vilka behöver vara med, och när följer ni upp?</p>"
                        ),
                        "min_length": 150,
                    },
                ),
                ("quiz", {"quiz": "analys"}),
            ],
        },
    ],
}

MINORITIES_COURSE = {
    "title": "Nationella minoriteter – föreläsningsserie",
    "slug": "nationella-minoriteter",
    "summary": (
        "Tre inspelade föreläsningar om Sveriges nationella minoriteter, med särskilt fokus "
        "på sverigefinnar: historia, rättigheter, språkets betydelse och språkdiskriminering."
    ),
    "audience": (
        "Alla medarbetare i kommunerna, till exempel inom förskola, skola och äldreomsorg. "
        "Föreläsningarna kan ses när det passar, även i efterhand."
    ),
    "learning_outcomes": (
        "<ul>"
        "<li>vilka de fem nationella minoriteterna och minoritetsspråken är</li>"
        "<li>vad lagen om nationella minoriteter och minoritetsspråk kräver av kommunen</li>"
        "<li>vad förvaltningsområdet för finska innebär</li>"
        "<li>hur språkdiskriminering och normer påverkar minoriteterna</li>"
        "</ul>"
    ),
    "estimated_minutes": 45,
    "organiser": "Sundbyberg, Järfälla, Upplands Väsby och Upplands-Bro",
    "cover_lecture": "minoriteter-1-lagen",
    "modules": [
        {
            "title": "Sveriges nationella minoriteter och minoritetslagen",
            "slug": "minoriteterna-och-lagen",
            "level": 1,
            "estimated_minutes": 15,
            "summary": "De fem nationella minoriteterna, minoritetsspråken och vad lagen kräver.",
            "steps": [
                ("lecture", {"lecture": "minoriteter-1-lagen"}),
                (
                    "reading",
                    {
                        "title": "Lagen i korthet",
                        "body": (
                            "<p>Lagen (2009:724) om nationella minoriteter och "
                            "minoritetsspråk gäller sedan den 1 januari 2010. De nationella "
                            "minoriteterna är judar, romer, samer, sverigefinnar och "
                            "tornedalingar; samerna är också ett urfolk. Minoritetsspråken är "
                            "finska, jiddisch, meänkieli, romani chib och samiska.</p>"
                            "<h2>Det här gäller alla kommuner</h2>"
                            "<ul><li>Informera de nationella minoriteterna om deras "
                            "rättigheter.</li><li>Skydda och främja minoritetsspråken och "
                            "minoriteternas möjligheter att behålla och utveckla sin "
                            "kultur.</li><li>Särskilt främja barns utveckling av en kulturell "
                            "identitet och användning av det egna minoritetsspråket.</li>"
                            "<li>Ge minoriteterna möjlighet till inflytande och samråda med dem "
                            "i frågor som berör dem.</li><li>Anta mål och riktlinjer för "
                            "kommunens minoritetspolitiska arbete.</li></ul>"
                        ),
                    },
                ),
            ],
        },
        {
            "title": "Sverigefinnarnas historia och språkets betydelse",
            "slug": "sverigefinnarnas-historia",
            "level": 1,
            "estimated_minutes": 15,
            "summary": (
                "Den gemensamma historien, förvaltningsområdet för finska och varför "
                "språket är viktigt."
            ),
            "steps": [
                ("lecture", {"lecture": "minoriteter-2-sverigefinnar"}),
                (
                    "reading",
                    {
                        "title": "Förvaltningsområdet för finska",
                        "body": (
                            "<p>Sundbyberg, Järfälla, Upplands Väsby och Upplands-Bro ingår i "
                            "förvaltningsområdet för finska. Där har enskilda rätt att använda "
                            "finska i muntliga och skriftliga kontakter med kommunen i ärenden "
                            "där de är part.</p>"
                            "<p>Kommunen ska erbjuda förskola där hela eller delar av "
                            "verksamheten bedrivs på finska, och äldreomsorg där hela eller "
                            "delar av servicen och omvårdnaden ges av personal som kan "
                            "finska.</p>"
                            "<p>Många sverigefinnar fick aldrig lära sig finska som barn. Att "
                            "visa att språket är välkommet, i förskolan, skolan och "
                            "äldreomsorgen, stödjer dem som vill ta tillbaka det.</p>"
                        ),
                    },
                ),
            ],
        },
        {
            "title": "Språkdiskriminering, identitet och normer",
            "slug": "sprakdiskriminering-identitet-och-normer",
            "level": 1,
            "estimated_minutes": 15,
            "summary": (
                "Språkdiskriminering, historiska erfarenheter, självidentifikation och normer "
                "om vad som räknas som svenskt."
            ),
            "steps": [
                ("lecture", {"lecture": "minoriteter-3-sprakdiskriminering"}),
                (
                    "reading",
                    {
                        "title": "Självidentifikation och bemötande",
                        "body": (
                            "<p>Vem som tillhör en nationell minoritet avgör var och en själv. "
                            "Det finns inget krav på att kunna språket eller att visa sin "
                            "tillhörighet.</p>"
                            "<p>Språk är ingen egen grund i diskrimineringslagen, men den som "
                            "missgynnas för sitt språk eller sin brytning kan ha blivit "
                            "diskriminerad på grund av etnisk tillhörighet.</p>"
                            "<h2>I mötet med invånare</h2>"
                            "<ul><li>Fråga vilket språk personen föredrar.</li>"
                            "<li>Informera om rätten att använda minoritetsspråket.</li>"
                            "<li>Ifrågasätt inte någons identitet.</li></ul>"
                        ),
                    },
                ),
                ("quiz", {"quiz": "minoriteter"}),
            ],
        },
    ],
}

COURSES = [EQUALITY_COURSE, MINORITIES_COURSE]

# --- Accounts ------------------------------------------------------------------------------

DEMO_PASSWORD = "demo"  # noqa: S105 - demo accounts only; seed_demo refuses to run with DEBUG off

ACCOUNTS = [
    {
        "username": "learner",
        "first_name": "Lena",
        "last_name": "Lärande",
        "role": "learner: takes courses",
    },
    {
        "username": "editor",
        "first_name": "Erik",
        "last_name": "Ekström",
        "group": "Redaktörer",
        "role": "editor: courses, lectures, quizzes, images (not a superuser)",
    },
    {
        "username": "hr",
        "first_name": "Hanna",
        "last_name": "Rosén",
        "group": "HR",
        "role": "HR: compliance reports for Huddinge kommun",
    },
    {
        "username": "hr2",
        "first_name": "Hugo",
        "last_name": "Bergqvist",
        "group": "HR Botkyrka",
        "role": "HR: compliance reports for Botkyrka kommun",
    },
    {
        "username": "admin",
        "first_name": "Alva",
        "last_name": "Andersson",
        "superuser": True,
        "role": "superuser",
    },
]
EMAIL_DOMAIN = "example.se"


# --- Organisation and staff (HR demo) ------------------------------------------------------

MUNICIPALITY = "Huddinge kommun"
UNITS = {
    "Socialförvaltningen": ["Hemtjänst Trångsund", "Äldreboende Flemingsberg"],
    "Utbildningsförvaltningen": ["Förskolan Snättringe", "Stensängsskolan"],
    "Kommunstyrelsens förvaltning": ["HR-avdelningen"],
}
FIRST_NAMES = [
    "Amina",
    "Björn",
    "Cecilia",
    "Daniel",
    "Elin",
    "Farid",
    "Greta",
    "Hassan",
    "Ida",
    "Johan",
    "Karin",
    "Leo",
    "Maja",
    "Nils",
    "Olivia",
    "Per",
    "Rana",
    "Sara",
    "Tobias",
    "Ulla",
    "Viktor",
    "Wilma",
    "Yusuf",
    "Zara",
]
LAST_NAMES = [
    "Andersson",
    "Berg",
    "Carlsson",
    "Dahl",
    "Ek",
    "Forsberg",
    "Gustafsson",
    "Holm",
    "Isaksson",
    "Jonsson",
    "Karlsson",
    "Lind",
    "Mohammed",
    "Nyström",
    "Olsson",
    "Persson",
    "Qvist",
    "Ramos",
    "Svensson",
    "Tran",
    "Ullberg",
    "Virtanen",
    "Wikström",
    "Yilmaz",
]
STAFF_PER_UNIT = 5

# A second municipality on the same platform, with its own HR (`hr2`), so the wall between
# organisations can be seen from both sides. Its staff take the same shared courses.
SECOND_MUNICIPALITY = {
    "name": "Botkyrka kommun",
    "units": {
        "Vård- och omsorgsförvaltningen": ["Hemtjänst Tumba", "Äldreboende Alby"],
        "Utbildningsförvaltningen": ["Förskolan Hallunda"],
    },
    "staff_per_unit": 4,
    "first_employee_number": 2001,
    "email_domain": "botkyrka.example.se",
    "hr_group": "HR Botkyrka",
    "name_offset": 11,  # other names than Huddinge's staff
}
# The equality programme is required for managers; the minorities series for everyone in
# education (pre-school and school staff), as the four municipalities' coordinators asked.
ASSIGNMENTS = [
    {
        "course": "jamlikhet-normkritik-och-jamlik-styrning",
        "unit": None,
        "audience": "managers",
        "due_days": 90,
        "target": 80,
        "recurrence_months": 36,
    },
    {
        "course": "nationella-minoriteter",
        "unit": "Utbildningsförvaltningen",
        "audience": "all",
        "due_days": 60,
        "target": 80,
        "recurrence_months": None,
    },
]
