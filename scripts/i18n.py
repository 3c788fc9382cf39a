"""The translation catalogues: extract the messages from the code, fill the French and
Spanish catalogues, compile them, check them.

    python scripts/i18n.py extract            # locale/atlas.pot from the code; merged into each .po
    python scripts/i18n.py fill FILE.json ... # translations {"msgid": {"fr": ..., "es": ...}} into the .po files
    python scripts/i18n.py compile            # locale/<lang>/LC_MESSAGES/atlas.mo (setup runs it)
    python scripts/i18n.py check              # exit 1: a message untranslated, or a catalogue stale
    python scripts/i18n.py missing [--lang fr] # the messages a catalogue lacks, as JSON to fill

Messages are ``_("...")``, ``N_("...")`` and ``ngettext("...", "...", n)`` in ``app.py``,
``app_pages/`` and ``geo/`` (see geo/i18n.py). The ``.po`` files are committed; the
``.mo`` files are built, never committed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

REPO = Path(__file__).resolve().parent.parent
LOCALE = REPO / "locale"
POT = LOCALE / "atlas.pot"
LANGS = ("fr", "es")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
SOURCES = ("app.py", "app_pages", "geo")


def source_files() -> list[Path]:
    """Every Python file messages are taken from, in a stable order."""
    out = []
    for name in SOURCES:
        path = REPO / name
        out += [path] if path.is_file() else sorted(path.rglob("*.py"))
    return out


def extract() -> Catalog:
    """The messages of the code as a template catalogue (locations relative to the repo)."""
    catalog = Catalog(project="Arrival Atlas", domain="atlas", charset="utf-8")
    for path in source_files():
        rel = path.relative_to(REPO).as_posix()
        for lineno, message, comments, _ctx in extract_from_file(
            "python", str(path), keywords=KEYWORDS, comment_tags=("i18n:",)
        ):
            catalog.add(message, locations=[(rel, lineno)], auto_comments=comments)
    return catalog


def po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "atlas.po"


def read(lang: str) -> Catalog:
    path = po_path(lang)
    if not path.exists():
        return Catalog(locale=lang, domain="atlas", project="Arrival Atlas")
    with path.open("rb") as f:
        return read_po(f, locale=lang, domain="atlas")


def write(lang: str, catalog: Catalog) -> None:
    path = po_path(lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        write_po(f, catalog, width=100, omit_header=False, sort_output=True, no_location=True)


def current(lang: str, template: Catalog) -> Catalog:
    """A language's catalogue with the code's messages: new ones added, gone ones dropped."""
    catalog = read(lang)
    catalog.update(template, no_fuzzy_matching=True)
    catalog.obsolete.clear()
    return catalog


def translated(message) -> bool:
    """Whether a catalogue entry has every form translated and is not fuzzy."""
    if message is None:
        return False
    forms = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(forms) and "fuzzy" not in message.flags


def cmd_extract(_args) -> int:
    template = extract()
    LOCALE.mkdir(exist_ok=True)
    with POT.open("wb") as f:
        write_po(f, template, width=100, sort_output=True, no_location=True)
    for lang in LANGS:
        write(lang, current(lang, template))
    print(f"{len(template)} messages; catalogues updated: {', '.join(LANGS)}")
    return 0


def cmd_fill(args) -> int:
    wanted: dict[str, dict[str, str]] = {}
    for name in args.files:
        wanted.update(json.loads(Path(name).read_text(encoding="utf-8")))
    template = extract()
    for lang in LANGS:
        catalog = current(lang, template)
        filled = 0
        for msg in catalog:
            if not msg.id:
                continue
            key = msg.id if isinstance(msg.id, str) else msg.id[0]
            text = wanted.get(key, {}).get(lang)
            if text is None:
                continue
            if isinstance(msg.id, tuple):
                # French and Spanish have 3 CLDR forms (one, many, other): a list of two
                # repeats its plural, or gettext would fall back to English from n = 2.
                forms = list(text) if isinstance(text, list) else [text, text]
                forms += [forms[-1]] * (catalog.num_plurals - len(forms))
                msg.string = tuple(forms[: catalog.num_plurals])
            else:
                msg.string = text
            msg.flags.discard("fuzzy")
            filled += 1
        write(lang, catalog)
        print(f"{lang}: {filled} translations filled")
    return 0


def problems() -> list[str]:
    """What is wrong with the catalogues: a message of the code with no translation in a
    language, or a catalogue that holds messages the code no longer has (stale)."""
    template = extract()
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
    out = []
    for lang in LANGS:
        if not po_path(lang).exists():
            out.append(f"{lang}: no catalogue at {po_path(lang).relative_to(REPO)}")
            continue
        catalog = read(lang)
        have = {}
        for m in catalog:
            if m.id:
                have[m.id if isinstance(m.id, str) else m.id[0]] = m
        for mid in sorted(ids):
            if not translated(have.get(mid)):
                out.append(f"{lang}: no translation of {mid!r}")
        for mid in sorted(set(have) - ids):
            out.append(f"{lang}: stale message {mid!r} (gone from the code: run extract)")
    return out


def cmd_check(_args) -> int:
    found = problems()
    for line in found[:200]:
        print(line)
    if found:
        print(f"{len(found)} problems in the catalogues", file=sys.stderr)
        return 1
    print("catalogues complete and current")
    return 0


def cmd_missing(args) -> int:
    template = extract()
    out = {}
    langs = [args.lang] if args.lang else list(LANGS)
    cats = {lang: read(lang) for lang in langs}
    for m in template:
        if not m.id:
            continue
        mid = m.id if isinstance(m.id, str) else m.id[0]
        for lang, cat in cats.items():
            if not translated(cat.get(m.id)):
                out.setdefault(mid, {"where": m.locations[0][0]})[lang] = ""
    print(json.dumps(out, ensure_ascii=False, indent=1))
    return 0


def cmd_compile(_args) -> int:
    for lang in LANGS:
        if not po_path(lang).exists():
            continue
        catalog = read(lang)
        with (po_path(lang).with_suffix(".mo")).open("wb") as f:
            write_mo(f, catalog)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("extract").set_defaults(fn=cmd_extract)
    p = sub.add_parser("fill")
    p.add_argument("files", nargs="+")
    p.set_defaults(fn=cmd_fill)
    sub.add_parser("compile").set_defaults(fn=cmd_compile)
    sub.add_parser("check").set_defaults(fn=cmd_check)
    p = sub.add_parser("missing")
    p.add_argument("--lang", choices=LANGS)
    p.set_defaults(fn=cmd_missing)
    args = parser.parse_args(argv)
    return args.fn(args)


if __name__ == "__main__":
    raise SystemExit(main())
