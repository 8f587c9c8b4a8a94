#!/usr/bin/env python3
"""Generate the demo lectures that ship in ``home/demo/lectures/``.

Developers run this; users never do. Its outputs are committed, and ``manage.py seed_demo``
loads them. Rerun it after changing a script below::

    python scripts/make_demo_media.py            # all lectures
    python scripts/make_demo_media.py --only minoriteter-1-lagen

Needs ``espeak-ng`` (with the Swedish voice) and ``ffmpeg``/``ffprobe`` with libvpx,
libopus and libfreetype; nothing from the project's virtualenv.

For each lecture it:

1. speaks every sentence separately with ``espeak-ng -v sv`` to a WAV file and measures it
   with ``ffprobe``;
2. joins the clips with short silences (sample-exact, with the ``wave`` module), so each
   sentence's start and end are known to the millisecond;
3. writes a WebVTT caption file with one cue per sentence at exactly those times;
4. renders a calm slide (course, title, current chapter, sentence counter, speakers) with
   ffmpeg ``drawtext`` and encodes it with the audio as WebM (VP9 + Opus, 640x360 at 12 fps,
   a key frame at every slide change and at least every three seconds so seeking is cheap),
   about 300 KB a lecture, small enough to keep in git;
5. renders a poster PNG from the same slide;
6. records title, speakers, chapters, transcript and file names in ``lectures.json``.

Output is bit-exact across runs on the same ffmpeg/espeak-ng build (``+bitexact``, single
encoder thread), so rerunning without changes does not churn the repository.

The speech is synthetic, and the descriptions say so. The lecture texts are short,
factual summaries written for the demo: the equality course follows the four-module
concept of a municipality south of Stockholm, the minorities series the joint lecture
series of Sundbyberg, Järfälla, Upplands Väsby and Upplands-Bro.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import subprocess  # noqa: S404 - runs the fixed tools below with argument lists, no shell
import sys
import tempfile
import textwrap
import wave
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "home" / "demo" / "lectures"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

VOICE = "sv"
WORDS_PER_MINUTE = 170
LEAD_IN = 0.6  # seconds of silence before the first sentence
PAUSE = 0.5  # between sentences
TAIL = 1.2  # after the last one
WIDTH, HEIGHT, FPS = 640, 360, 12  # a slide needs no more frames than this
GOP = 36  # a key frame at least every three seconds (and at every slide change)
CAPTION_LINE = 44  # characters per caption line
# espeak-ng reads years before 1900 as "ett tusen åttahundra ..."; the captions keep the digits.
SPOKEN_FORMS = {"1809": "artonhundranio"}
FFMPEG = ["ffmpeg", "-hide_banner", "-v", "error", "-y"]
# VP9 at a high constant quality: the slide is flat colour and text, so almost all bytes
# go to the key frames. One encoder thread keeps the output identical from run to run.
VIDEO_CRF = 55
VIDEO_CODEC = [
    "-c:v", "libvpx-vp9", "-pix_fmt", "yuv420p", "-b:v", "0", "-crf", str(VIDEO_CRF),
    "-deadline", "good", "-cpu-used", "4", "-threads", "1",
]  # fmt: skip
AUDIO_CODEC = ["-c:a", "libopus", "-b:a", "16k", "-ac", "1", "-application", "voip"]
BITEXACT = ["-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact"]

COURSES = {
    "jamlikhet": {
        "name": "Jämlikhet, normkritik och jämlik styrning",
        "background": "0x1d3b4f",
        "accent": "0xf2c14e",
    },
    "minoriteter": {
        "name": "Nationella minoriteter – föreläsningsserie",
        "background": "0x23413a",
        "accent": "0x9fd8cb",
    },
}

EQUALITY_ORGANISER = "Huddinge kommun"
MINORITIES_ORGANISER = "Sundbyberg, Järfälla, Upplands Väsby och Upplands-Bro"

# Chapters are (index of the sentence the chapter starts at, title); the first starts at 0.
LECTURES: list[dict] = [
    {
        "key": "jamlikhet-1-grundmodul",
        "course": "jamlikhet",
        "title": "Grundmodul: Vad är jämlikhet?",
        "description": (
            "Introduktion till jämlikhet, likvärdiga förutsättningar och diskrimineringslagens "
            "sju grunder. Grunden för de tre fördjupningsmodulerna."
        ),
        "speakers": ["Anna Lindqvist, jämlikhetsstrateg"],
        "organiser": EQUALITY_ORGANISER,
        "recorded_on": "2024-09-10",
        "sentences": [
            "Välkommen till grundmodulen om jämlikhet, normkritik och jämlik styrning.",
            "Jämlikhet betyder att alla människor har samma värde och samma rättigheter.",
            "Det handlar inte om att behandla alla exakt lika, "
            "utan om att ge alla likvärdiga förutsättningar.",
            "Diskrimineringslagen skyddar mot diskriminering som har samband med sju grunder.",
            "Grunderna är kön, könsöverskridande identitet eller uttryck, etnisk tillhörighet "
            "och religion eller annan trosuppfattning.",
            "De är också funktionsnedsättning, sexuell läggning och ålder.",
            "Alla arbetsgivare ska dessutom arbeta förebyggande med aktiva åtgärder.",
            "I utbildningen bygger vi först en gemensam grund "
            "och fördjupar oss sedan steg för steg.",
        ],
        "chapters": [(0, "Välkommen"), (1, "Vad betyder jämlikhet?"), (3, "De sju grunderna")],
    },
    {
        "key": "jamlikhet-2-normkritik",
        "course": "jamlikhet",
        "title": "Normkritik i vardagen",
        "description": (
            "Vad normer är, hur de kan utesluta och hur ett normkritiskt perspektiv hjälper oss "
            "att granska blanketter, lokaler och rutiner."
        ),
        "speakers": ["Johan Ekberg, utvecklingsledare för mänskliga rättigheter"],
        "organiser": EQUALITY_ORGANISER,
        "recorded_on": "2024-09-24",
        "sentences": [
            "I den här modulen tittar vi på normer och hur de påverkar vårt arbete.",
            "Normer är oskrivna regler om vad som ses som normalt i en grupp eller en situation.",
            "De kan göra vardagen enklare, men de kan också utesluta den som inte passar in.",
            "Normkritik innebär att vi granskar normerna, "
            "i stället för att peka ut dem som bryter mot dem.",
            "Fråga dig till exempel vem en blankett, en lokal eller en kallelse är gjord för.",
            "Den som tillhör normen märker sällan sina fördelar, därför behöver vi leta efter dem.",
            "Små ändringar i språk, bilder och rutiner kan göra stor skillnad för dem vi möter.",
            "Ta med dig ett exempel från din egen verksamhet till reflektionsuppgiften.",
        ],
        "chapters": [
            (0, "Vad är normer?"),
            (3, "Ett normkritiskt perspektiv"),
            (6, "Från insikt till förändring"),
        ],
    },
    {
        "key": "jamlikhet-3-styrning",
        "course": "jamlikhet",
        "title": "Jämlik styrning och uppföljning",
        "description": (
            "Hur jämlikhet blir en del av lednings- och styrsystemet: statistik, analys, mål "
            "och uppföljning utifrån ett jämlikhetsperspektiv."
        ),
        "speakers": ["Maria Sandström, verksamhetscontroller"],
        "organiser": EQUALITY_ORGANISER,
        "recorded_on": "2024-10-08",
        "sentences": [
            "Jämlikhet ska vara en del av hur kommunen styrs och följs upp, inte ett sidoprojekt.",
            "Därför är utbildningen kopplad till kommunens lednings- och styrsystem.",
            "Alla verksamheter ska mäta och analysera statistik och resultat "
            "utifrån ett jämlikhetsperspektiv.",
            "Börja med att dela upp statistiken, till exempel efter kön, ålder och bostadsområde.",
            "Skillnader i resultat är en signal om att något behöver undersökas närmare.",
            "Ställ frågan: får alla invånare samma kvalitet i våra tjänster?",
            "Sätt sedan mål, välj åtgärder och följ upp dem i den vanliga planeringen.",
            "Som chef ansvarar du för att jämlikhetsperspektivet finns med i varje steg.",
        ],
        "chapters": [
            (0, "Jämlikhet i styrsystemet"),
            (2, "Att mäta och analysera"),
            (6, "Mål, åtgärder och uppföljning"),
        ],
    },
    {
        "key": "jamlikhet-4-analys",
        "course": "jamlikhet",
        "title": "Jämlikhetsanalys i praktiken",
        "description": (
            "En jämlikhetsanalys i fem steg: beskriva, samla underlag, analysera, besluta om "
            "åtgärder och följa upp."
        ),
        "speakers": ["Karin Holm, utredare", "Anna Lindqvist, jämlikhetsstrateg"],
        "organiser": EQUALITY_ORGANISER,
        "recorded_on": "2024-10-22",
        "sentences": [
            "I den sista modulen gör vi en jämlikhetsanalys av en verklig verksamhet.",
            "Steg ett är att beskriva verksamheten och vilka invånare eller medarbetare den berör.",
            "Steg två är att samla underlag, både statistik och erfarenheter från dem som berörs.",
            "Steg tre är att analysera: vilka skillnader finns, och vad kan de bero på?",
            "Steg fyra är att besluta om åtgärder, med ansvar och tidsplan.",
            "Steg fem är att följa upp och se om åtgärderna fick effekt.",
            "Låt de grupper som påverkas vara med, deras kunskap gör analysen bättre.",
            "Efter modulen ska du kunna leda en jämlikhetsanalys i din egen verksamhet.",
        ],
        "chapters": [
            (0, "Inledning"),
            (1, "Beskriva och samla underlag"),
            (3, "Analysera, besluta, följa upp"),
        ],
    },
    {
        "key": "minoriteter-1-lagen",
        "course": "minoriteter",
        "title": "Sveriges nationella minoriteter och minoritetslagen",
        "description": (
            "De fem nationella minoriteterna, de fem minoritetsspråken och vad lagen (2009:724) "
            "om nationella minoriteter och minoritetsspråk kräver av alla kommuner."
        ),
        "speakers": ["Eva Lindberg, minoritetssamordnare"],
        "organiser": MINORITIES_ORGANISER,
        "recorded_on": "2021-03-11",
        "sentences": [
            "Sverige har fem nationella minoriteter: "
            "judar, romer, samer, sverigefinnar och tornedalingar.",
            "Samerna är också ett urfolk.",
            "Minoritetsspråken är finska, jiddisch, meänkieli, romani chib och samiska.",
            "Minoriteterna och språken erkändes år 2000, "
            "när Sverige anslöt sig till Europarådets konventioner.",
            "Sedan år 2010 gäller lagen om nationella minoriteter och minoritetsspråk.",
            "Alla kommuner ska informera minoriteterna om deras rättigheter "
            "och ge dem möjlighet till inflytande.",
            "Det allmänna har ett särskilt ansvar för att skydda och främja minoritetsspråken.",
            "Barns utveckling av en kulturell identitet och av sitt minoritetsspråk "
            "ska främjas särskilt.",
        ],
        "chapters": [
            (0, "Fem nationella minoriteter"),
            (2, "Minoritetsspråken"),
            (4, "Minoritetslagen"),
        ],
    },
    {
        "key": "minoriteter-2-sverigefinnar",
        "course": "minoriteter",
        "title": "Sverigefinnarnas historia och språkets betydelse",
        "description": (
            "Den gemensamma historien, flyttningen från Finland efter andra världskriget, "
            "rättigheterna i förvaltningsområdet för finska och varför språket är viktigt."
        ),
        "speakers": ["Päivi Niemi, samordnare för finskt förvaltningsområde"],
        "organiser": MINORITIES_ORGANISER,
        "recorded_on": "2021-03-25",
        "sentences": [
            "Finskspråkiga har levt i det som i dag är Sverige i många hundra år.",
            "Finland var en del av det svenska riket fram till år 1809.",
            "Efter andra världskriget flyttade många från Finland hit för att arbeta, "
            "inte minst inom industrin.",
            "Många barn uppmuntrades att bara tala svenska, "
            "och i en del familjer gick finskan förlorad.",
            "I ett förvaltningsområde för finska har sverigefinnar utökade rättigheter.",
            "Det gäller till exempel förskola och äldreomsorg helt eller delvis på finska.",
            "Språket bär identitet, historia och gemenskap.",
            "Flerspråkighet är en tillgång som vi kan uppmuntra i förskola, skola och äldreomsorg.",
        ],
        "chapters": [
            (0, "En gemensam historia"),
            (4, "Förvaltningsområdet för finska"),
            (6, "Språkets betydelse"),
        ],
    },
    {
        "key": "minoriteter-3-sprakdiskriminering",
        "course": "minoriteter",
        "title": "Språkdiskriminering, identitet och normer",
        "description": (
            "Språkdiskriminering, historiska erfarenheter i Tornedalen och Sápmi, "
            "självidentifikation och normer om vad som räknas som svenskt."
        ),
        "speakers": ["Mikael Kangas, språkkonsulent", "Eva Lindberg, minoritetssamordnare"],
        "organiser": MINORITIES_ORGANISER,
        "recorded_on": "2021-04-08",
        "sentences": [
            "Språk är ingen egen diskrimineringsgrund, men att missgynnas för sitt språk "
            "kan ha samband med etnisk tillhörighet.",
            "Under delar av 1900-talet fick många barn i Tornedalen och Sápmi "
            "inte tala sitt språk i skolan.",
            "Det har satt spår i flera generationer, "
            "och många har fått ta tillbaka språket som vuxna.",
            "Vem som tillhör en minoritet avgör var och en själv.",
            "Man behöver inte kunna språket för att höra till minoriteten.",
            "Normer om vad som är svenskt kan göra minoriteterna osynliga.",
            "Fråga vilket språk en person föredrar, "
            "och informera om rätten att använda sitt minoritetsspråk.",
            "Skyltar och information på minoritetsspråk visar att språken är välkomna.",
        ],
        "chapters": [
            (0, "Vad är språkdiskriminering?"),
            (1, "Historiska erfarenheter"),
            (3, "Identitet och normer"),
        ],
    },
]


# --- Helpers ------------------------------------------------------------------------------


def run(*args: str) -> str:
    result = subprocess.run(args, check=True, capture_output=True, text=True)  # noqa: S603
    return result.stdout


def probe_duration(path: Path) -> float:
    """The duration ffprobe reports, in seconds."""
    command = ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0"]
    return float(run(*command, str(path)).strip())


def timestamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def speak(text: str, wav: Path, work: Path) -> None:
    for written, spoken in SPOKEN_FORMS.items():
        text = text.replace(written, spoken)
    source = work / (wav.stem + ".txt")
    source.write_text(text, encoding="utf-8")
    run("espeak-ng", "-v", VOICE, "-s", str(WORDS_PER_MINUTE), "-f", str(source), "-w", str(wav))


def join_with_pauses(clips: list[Path], out: Path) -> list[tuple[float, float]]:
    """Concatenate WAV clips with silences; return each clip's (start, end) in seconds."""
    with wave.open(str(clips[0]), "rb") as first:
        params = first.getparams()
    rate, width, channels = params.framerate, params.sampwidth, params.nchannels

    def silence(seconds: float) -> bytes:
        return b"\x00" * (round(seconds * rate) * width * channels)

    spans = []
    position = 0  # in frames
    with wave.open(str(out), "wb") as target:
        target.setnchannels(channels)
        target.setsampwidth(width)
        target.setframerate(rate)
        for number, clip in enumerate(clips):
            gap = silence(LEAD_IN if number == 0 else PAUSE)
            target.writeframes(gap)
            position += len(gap) // (width * channels)
            with wave.open(str(clip), "rb") as source:
                if (source.getframerate(), source.getsampwidth(), source.getnchannels()) != (
                    rate,
                    width,
                    channels,
                ):
                    raise SystemExit(f"{clip}: unexpected WAV format")
                frames = source.readframes(source.getnframes())
            count = len(frames) // (width * channels)
            measured = probe_duration(clip)
            if abs(measured - count / rate) > 0.002:
                raise SystemExit(f"{clip}: ffprobe says {measured}s, the WAV {count / rate}s")
            spans.append((position / rate, (position + count) / rate))
            target.writeframes(frames)
            position += count
        target.writeframes(silence(TAIL))
    return spans


def filter_escape(path: Path) -> str:
    """A path as a filtergraph option value."""
    return str(path).replace("\\", "\\\\").replace(":", "\\:").replace("'", "\\'")


def drawtext(
    textfile: Path, *, font: str, size: int, color: str, x: str, y: int, enable: str | None = None
) -> str:
    parts = [
        f"fontfile={filter_escape(Path(font))}",
        f"textfile={filter_escape(textfile)}",
        "expansion=none",
        f"fontsize={size}",
        f"fontcolor={color}",
        f"x={x}",
        f"y={y}",
    ]
    if enable:
        parts.append(f"enable='{enable}'")
    return "drawtext=" + ":".join(parts)


def background(lecture: dict, total: float) -> str:
    """The lavfi source of the slide: the course colour for the lecture's length."""
    colour = COURSES[lecture["course"]]["background"]
    return f"color=c={colour}:s={WIDTH}x{HEIGHT}:r={FPS}:d={total:.3f}"


def change_frames(spans: list[tuple[float, float]]) -> list[int]:
    """The frame at which the slide changes to each sentence (the first at frame 0).

    A change is drawn from the first whole frame at or after the sentence starts, and that
    frame is forced to be a key frame: if the key frame fell one frame early, the new text
    would be patched in by a low-quality inter frame and leave a ghost of the old one.
    """
    return [0] + [math.ceil(start * FPS - 1e-6) for start, _end in spans[1:]]


def slide_filter(lecture: dict, spans: list[tuple[float, float]], work: Path) -> str:
    """The slide as a filter chain: course, title, chapter, sentence counter, speakers."""
    course = COURSES[lecture["course"]]
    counter = 0

    def text(value: str, **options) -> str:
        nonlocal counter
        counter += 1
        path = work / f"text{counter:03d}.txt"
        path.write_text(value, encoding="utf-8")
        return drawtext(path, **options)

    def frames(first: int, following: int | None) -> str:
        return f"gte(n,{first})" + (f"*lt(n,{following})" if following is not None else "")

    light, dim = "0xd8e6ea", "0xa9bcc2"
    filters = [
        text(course["name"], font=FONT, size=18, color=light, x="40", y=40),
        text("Demo · talsyntes", font=FONT, size=14, color=dim, x=f"{WIDTH - 40}-text_w", y=43),
        f"drawbox=x=40:y=70:w=64:h=5:color={course['accent']}:t=fill",
    ]
    for row, line in enumerate(textwrap.wrap(lecture["title"], 30)):
        filters.append(text(line, font=FONT_BOLD, size=32, color="white", x="40", y=96 + row * 44))

    starts = change_frames(spans)
    chapter_starts = [starts[index] for index, _title in lecture["chapters"]]
    for number, (_index, title) in enumerate(lecture["chapters"]):
        following = chapter_starts[number + 1] if number + 1 < len(chapter_starts) else None
        filters.append(
            text(f"Kapitel {number + 1}: {title}", font=FONT, size=22, color=course["accent"],
                 x="40", y=220, enable=frames(chapter_starts[number], following))
        )  # fmt: skip
    for number, first in enumerate(starts):
        following = starts[number + 1] if number + 1 < len(starts) else None
        filters.append(
            text(f"Del {number + 1} av {len(starts)}", font=FONT, size=18, color=light,
                 x="40", y=256, enable=frames(first, following))
        )  # fmt: skip

    speakers = lecture["speakers"]
    band = 22 * len(speakers) + 28
    filters.append(f"drawbox=x=0:y={HEIGHT - band}:w={WIDTH}:h={band}:color=black@0.25:t=fill")
    for row, speaker in enumerate(speakers):
        filters.append(
            text(speaker, font=FONT, size=16, color=light, x="40", y=HEIGHT - band + 14 + row * 22)
        )
    return ",".join(filters)


def write_vtt(lecture: dict, spans: list[tuple[float, float]], path: Path) -> None:
    lines = ["WEBVTT", ""]
    for number, (sentence, (start, end)) in enumerate(
        zip(lecture["sentences"], spans, strict=True), start=1
    ):
        lines.append(str(number))
        lines.append(f"{timestamp(start)} --> {timestamp(end)}")
        lines.extend(textwrap.wrap(sentence, CAPTION_LINE))
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


def transcript(lecture: dict) -> str:
    """The sentences, one paragraph per chapter."""
    starts = [index for index, _title in lecture["chapters"]] + [len(lecture["sentences"])]
    paragraphs = [" ".join(lecture["sentences"][start:end]) for start, end in pairwise(starts)]
    return "\n\n".join(paragraphs)


def build(lecture: dict, out: Path) -> dict:
    key = lecture["key"]
    video_name, vtt_name, poster_name = f"{key}.webm", f"{key}.sv.vtt", f"{key}.poster.png"
    with tempfile.TemporaryDirectory(prefix=f"demo-{key}-") as tmp:
        work = Path(tmp)
        clips = []
        for number, sentence in enumerate(lecture["sentences"]):
            clip = work / f"sentence{number:02d}.wav"
            speak(sentence, clip, work)
            clips.append(clip)
        audio = work / "audio.wav"
        spans = join_with_pauses(clips, audio)
        total = probe_duration(audio)

        slide = ["-f", "lavfi", "-i", background(lecture, total)]
        slide_vf = ["-vf", slide_filter(lecture, spans, work)]
        changes = ",".join(f"{frame / FPS:.6f}" for frame in change_frames(spans)[1:])
        run(
            *FFMPEG, *slide, "-i", str(audio), *slide_vf, "-map", "0:v", "-map", "1:a",
            *VIDEO_CODEC, "-g", str(GOP), "-force_key_frames", changes,
            *AUDIO_CODEC, "-t", f"{total:.3f}", *BITEXACT, str(out / video_name),
        )  # fmt: skip
        poster_at = f"{spans[0][0] + 0.5:.3f}"
        run(
            *FFMPEG, *slide, *slide_vf, "-ss", poster_at, "-frames:v", "1", *BITEXACT,
            str(out / poster_name),
        )  # fmt: skip
        write_vtt(lecture, spans, out / vtt_name)

    starts = [0.0] + [spans[index][0] for index, _title in lecture["chapters"][1:]]
    return {
        "key": key,
        "course": lecture["course"],
        "title": lecture["title"],
        "description": lecture["description"] + " Demoinspelning med syntetiskt tal.",
        "speakers": lecture["speakers"],
        "organiser": lecture["organiser"],
        "recorded_on": lecture["recorded_on"],
        "language": "sv",
        "duration_seconds": math.ceil(total),
        "video": video_name,
        "vtt": vtt_name,
        "poster": poster_name,
        "chapters": [
            {"start_seconds": round(start, 3), "title": title}
            for start, (_index, title) in zip(starts, lecture["chapters"], strict=True)
        ],
        "transcript": transcript(lecture),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    parser.add_argument("--only", action="append", metavar="KEY", help="rebuild only this lecture")
    args = parser.parse_args(argv)

    for tool in ("espeak-ng", "ffmpeg", "ffprobe"):
        if shutil.which(tool) is None:
            parser.error(f"{tool} is not installed")
    for font in (FONT, FONT_BOLD):
        if not Path(font).exists():
            parser.error(f"missing font {font} (Debian: fonts-dejavu-core)")

    keys = {lecture["key"] for lecture in LECTURES}
    unknown = set(args.only or []) - keys
    if unknown:
        parser.error(f"unknown lecture key(s): {', '.join(sorted(unknown))}")

    args.out.mkdir(parents=True, exist_ok=True)
    manifest_path = args.out / "lectures.json"
    previous = {}
    if manifest_path.exists():
        previous = {
            entry["key"]: entry
            for entry in json.loads(manifest_path.read_text(encoding="utf-8"))["lectures"]
        }

    entries = []
    for lecture in LECTURES:
        if args.only and lecture["key"] not in args.only and lecture["key"] in previous:
            entries.append(previous[lecture["key"]])
            continue
        entry = build(lecture, args.out)
        size = sum((args.out / entry[name]).stat().st_size for name in ("video", "vtt", "poster"))
        print(f"{entry['key']}: {entry['duration_seconds']} s, {size / 1024:.0f} KB")
        entries.append(entry)

    manifest = {
        "about": "Demo lectures for manage.py seed_demo. Generated by scripts/make_demo_media.py;"
        " do not edit by hand.",
        "lectures": entries,
    }
    manifest_path.write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    total = sum(path.stat().st_size for path in args.out.iterdir() if path.is_file())
    print(f"{len(entries)} lectures, {total / 1024:.0f} KB in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
