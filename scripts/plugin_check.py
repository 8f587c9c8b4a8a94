#!/usr/bin/env python3
"""make plugin-check: the plugin installed into a site fresh from `wagtail start`.

Builds the wheel; makes a new virtualenv in a temporary folder and installs the wheel (its
dependencies from the package index, at the versions of requirements.lock where they fit);
then for each host: `wagtail start`, exactly the README's "Add to an existing Wagtail
site" steps (the blocks between its `plugin-check` markers, inserted as they are written),
migrate, collectstatic, `check`, and the journey of scripts/plugin_journey.py in the host.

Hosts: the full app list and the core only (the README's lines marked `optional` and
`with identity` left out), on the Wagtail of the lock file; then each `--also-wagtail`
version is installed into the same virtualenv and the full host, upgraded to it, migrates
and takes the journey again.

    python scripts/plugin_check.py [--also-wagtail 8.1rc1] [--keep] [--workdir DIR]

Prints each step with its time; exits 1 on the first failure.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
LOCK = ROOT / "requirements.lock"
JOURNEY = Path(__file__).resolve().parent / "plugin_journey.py"
DIST = "wagtail-learning-platform"

BLOCK = re.compile(
    r"<!-- plugin-check:(?P<name>[a-z-]+) -->\n```python\n(?P<body>.*?)```\n"
    r"<!-- /plugin-check:(?P=name) -->",
    re.S,
)
# Where the README's URL line goes: before Wagtail's admin in the host's urls.py.
ADMIN_URL_LINE = 'path("admin/", include(wagtailadmin_urls)),'


def readme_blocks(text: str) -> dict[str, str]:
    """The README's installation blocks by name: installed-apps, settings, urls."""
    blocks = {m["name"]: m["body"] for m in BLOCK.finditer(text)}
    missing = {"installed-apps", "settings", "urls"} - set(blocks)
    if missing:
        raise SystemExit(f"README.md has no plugin-check block {sorted(missing)}")
    return blocks


def for_variant(block: str, variant: str) -> str:
    """The block's lines for a host with every app ("full") or the core only ("core"): the
    README marks the lines of the optional apps `# optional`, the identity app's settings
    `# with identity`, and what replaces them `# without identity`."""
    kept = []
    for line in block.splitlines(keepends=True):
        code = line.rstrip()
        if variant == "core" and ("# optional" in code or code.endswith("# with identity")):
            continue
        if variant == "full" and code.endswith("# without identity"):
            continue
        kept.append(line)
    return "".join(kept)


def apply_readme(host: Path, project: str, blocks: dict[str, str], variant: str) -> None:
    """The README's steps 2-4 applied to a `wagtail start` site."""
    settings = host / project / "settings" / "base.py"
    settings.write_text(
        settings.read_text()
        + "\n\n# wagtail-learning-platform (README: Add to an existing Wagtail site)\n"
        + for_variant(blocks["installed-apps"], variant)
        + "\n"
        + for_variant(blocks["settings"], variant)
    )
    urls = host / project / "urls.py"
    text = urls.read_text()
    at = text.index(ADMIN_URL_LINE)
    line_start = text.rindex("\n", 0, at) + 1
    urls.write_text(text[:line_start] + blocks["urls"] + text[line_start:])


class Run:
    def __init__(self) -> None:
        self.started = time.monotonic()

    def __call__(self, label: str, cmd: list, *, cwd=None, env=None, quiet=True) -> None:
        t0 = time.monotonic()
        print(f"--- {label}", flush=True)
        result = subprocess.run(  # noqa: S603 - our fixed commands, argument lists
            [str(c) for c in cmd],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE if quiet else None,
            stderr=subprocess.STDOUT if quiet else None,
            text=True,
        )
        if result.returncode != 0:
            if quiet:
                print(result.stdout[-6000:])
            raise SystemExit(f"plugin-check FAILED at: {label}")
        print(f"    ok ({time.monotonic() - t0:.0f} s)", flush=True)


def make_video(path: Path, run: Run) -> None:
    """Six seconds of WebM (VP9 with Opus), small."""
    run(
        "a six-second lecture video (ffmpeg)",
        [
            "ffmpeg", "-loglevel", "error", "-y",
            "-f", "lavfi", "-i", "testsrc=duration=6:size=160x90:rate=10",
            "-f", "lavfi", "-i", "sine=frequency=440:duration=6",
            "-c:v", "libvpx-vp9", "-b:v", "40k", "-c:a", "libopus", "-b:a", "24k",
            "-shortest", path,
        ],
    )  # fmt: skip


def constraints(work: Path, without: set[str]) -> Path:
    """requirements.lock as constraints, less the packages asked for at another version."""
    lines = [
        line
        for line in LOCK.read_text().splitlines()
        if line.split("==")[0].strip().lower() not in without
    ]
    path = work / f"constraints-{'-'.join(sorted(without)) or 'lock'}.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


def host_env(venv: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hostsite.settings.dev",
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    env.pop("DATABASE_URL", None)
    return env


def migrate_and_journey(run: Run, host: Path, venv: Path, video: Path, variant: str, tag: str):
    env = host_env(venv)
    manage = [venv / "bin" / "python", "manage.py"]
    label = f"[{tag} {variant}]"
    run(f"{label} manage.py check", [*manage, "check"], cwd=host, env=env)
    run(f"{label} manage.py migrate", [*manage, "migrate", "--noinput"], cwd=host, env=env)
    # Nothing of ours for the host's makemigrations to write (into site-packages).
    run(
        f"{label} manage.py makemigrations --check",
        [*manage, "makemigrations", "--check", "--dry-run"],
        cwd=host,
        env=env,
    )
    run(
        f"{label} manage.py collectstatic",
        [*manage, "collectstatic", "--noinput"],
        cwd=host,
        env=env,
    )
    shutil.copy(JOURNEY, host / "learning_journey.py")
    run(
        f"{label} the journey",
        [venv / "bin" / "python", "learning_journey.py", variant, video],
        cwd=host,
        env=env,
        quiet=False,
    )


def new_host(run: Run, work: Path, venv: Path, blocks, variant: str, tag: str) -> Path:
    """A site fresh from `wagtail start`, with the README's steps 2-4 applied."""
    host = work / f"host-{tag}-{variant}"
    shutil.rmtree(host, ignore_errors=True)
    host.mkdir()
    run(
        f"[{tag} {variant}] wagtail start hostsite",
        [venv / "bin" / "wagtail", "start", "hostsite", host],
        env=host_env(venv),
    )
    apply_readme(host, "hostsite", blocks, variant)
    print("    README steps 2-4 applied (INSTALLED_APPS, settings, the URL include)")
    return host


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--also-wagtail", action="append", default=[], metavar="VERSION")
    parser.add_argument("--variants", default="full,core", help="full,core (the lock's Wagtail)")
    parser.add_argument("--workdir", type=Path, help="default: a new temporary folder")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--python", default=sys.executable, help="the hosts' Python")
    parser.add_argument(
        "--reuse-venv", action="store_true", help="with --workdir: keep its virtualenv"
    )
    args = parser.parse_args(argv)

    blocks = readme_blocks(README.read_text())
    work = args.workdir or Path(tempfile.mkdtemp(prefix="plugin-check-"))
    work.mkdir(parents=True, exist_ok=True)
    run = Run()
    print(f"plugin-check in {work}")
    try:
        dist = work / "dist"
        shutil.rmtree(dist, ignore_errors=True)
        run(
            "build the wheel",
            [sys.executable, "-m", "pip", "wheel", ROOT, "--no-deps", "-w", dist, "-q"],
        )
        (wheel,) = dist.glob("wagtail_learning_platform-*.whl")
        print(f"    {wheel.name}")
        venv = work / "venv"
        if not (args.reuse_venv and (venv / "bin" / "python").exists()):
            shutil.rmtree(venv, ignore_errors=True)
            # Without pip of its own (ensurepip alone takes a minute on a busy machine): this
            # pip installs into it (`pip --python`), with its cache of wheels.
            run("a new virtualenv", [args.python, "-m", "venv", "--without-pip", venv])
        # --no-compile: byte-compiling every file of Django and Wagtail was most of the
        # install's time; Python compiles what the hosts import as they import it.
        install = [
            sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "-q",
            "install", "--no-compile",
        ]  # fmt: skip
        run(
            "install the wheel (dependencies at the lock's versions)",
            [*install, "--force-reinstall", "--no-deps", wheel],
        )
        run("its dependencies", [*install, wheel, "-c", constraints(work, set())])
        video = work / "lecture.webm"
        make_video(video, run)
        lock_wagtail = next(
            line.split("==")[1] for line in LOCK.read_text().splitlines()
            if line.lower().startswith("wagtail==")
        )  # fmt: skip
        hosts = {}
        for variant in [v for v in args.variants.split(",") if v]:
            tag = f"wagtail-{lock_wagtail}"
            hosts[variant] = new_host(run, work, venv, blocks, variant, tag)
            migrate_and_journey(run, hosts[variant], venv, video, variant, tag)
        for version in args.also_wagtail:
            # The full host upgrades Wagtail, as a site in use would: migrate, collect the
            # static files and take the journey again (a new course, learner and name).
            run(
                f"install Wagtail {version} into the virtualenv",
                [*install, f"wagtail=={version}", "-c", constraints(work, {"wagtail"})],
            )
            host = hosts.get("full") or new_host(run, work, venv, blocks, "full", version)
            migrate_and_journey(run, host, venv, video, "full", f"wagtail-{version}")
    finally:
        if not args.keep and not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    print(f"plugin-check passed in {time.monotonic() - run.started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
