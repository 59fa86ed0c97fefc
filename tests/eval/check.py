#!/usr/bin/env python3
"""Validate the assistant evaluation set (issue 10). Standard library only.

Checks: every kb/*.json and every line of dev.jsonl / heldout.jsonl parses; fields, classes,
decisions and languages are valid; every `article` exists in its knowledge base; ids are unique
across both files; per-class minimums (held-out >= 15, dev >= 10), >= 300 items in total with the
held-out part >= 55%; the sha256 of heldout.jsonl recorded in README.md matches the file.
Prints counts per class and per language for each file. Exit status 1 on any error.

    python3 tests/eval/check.py            # check and print counts
    python3 tests/eval/check.py --markdown # print the counts as Markdown tables
"""
import hashlib
import json
import os
import re
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
CLASSES = [
    "kb_question", "kb_word_forms", "kb_common_words", "kb_near_tie", "kb_typos",
    "kb_multi_sentence", "no_answer", "greeting_thanks", "direct_request", "negated_request",
    "reported_speech", "question_about_people", "frustration", "anger_complaint", "emergency",
    "billing_dispute", "call_me", "named_team", "other_language", "repeated_unanswered",
]
LANGS = ["en", "es", "fr", "de", "pt"]
EXPECTED = ["answer", "offer", "handoff"]
ITEM_FIELDS = {"id": str, "kb": str, "lang": str, "class": str, "turns": list,
               "expected": str, "note": str}
ARTICLE_FIELDS = {"id": str, "title": str, "body": str, "category": str, "keywords": list,
                  "language": str}
MIN_PER_CLASS = {"heldout.jsonl": 15, "dev.jsonl": 10}
MULTI_TURN_MIN = {"repeated_unanswered": 3}

errors = []


def err(where, msg):
    errors.append(f"{where}: {msg}")


def load_kbs():
    kbs = {}
    kb_dir = os.path.join(HERE, "kb")
    for name in sorted(os.listdir(kb_dir)):
        if not name.endswith(".json"):
            continue
        path = os.path.join(kb_dir, name)
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            err(name, f"does not parse: {e}")
            continue
        kb = name[:-5]
        if doc.get("kb") != kb:
            err(name, f"'kb' is {doc.get('kb')!r}, expected {kb!r}")
        arts = doc.get("articles")
        if not isinstance(arts, list):
            err(name, "no 'articles' list")
            continue
        if not 12 <= len(arts) <= 25:
            err(name, f"{len(arts)} articles, expected 12-25")
        ids = {}
        for i, a in enumerate(arts):
            where = f"{name}[{i}]"
            if not isinstance(a, dict):
                err(where, "article is not an object")
                continue
            for k, t in ARTICLE_FIELDS.items():
                if not isinstance(a.get(k), t):
                    err(where, f"field {k!r} missing or not {t.__name__}")
            if a.get("language") not in LANGS:
                err(where, f"language {a.get('language')!r} not in {LANGS}")
            if isinstance(a.get("keywords"), list) and not all(isinstance(w, str) for w in a["keywords"]):
                err(where, "keywords must be strings")
            if a.get("id") in ids:
                err(where, f"duplicate article id {a.get('id')!r}")
            ids[a.get("id")] = a
        kbs[kb] = ids
    if len(kbs) < 4:
        err("kb/", f"{len(kbs)} knowledge bases, expected at least 4")
    return kbs


def load_items(fname, kbs, seen_ids):
    items = []
    path = os.path.join(HERE, fname)
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            where = f"{fname}:{n}"
            if not line.strip():
                err(where, "empty line")
                continue
            try:
                x = json.loads(line)
            except ValueError as e:
                err(where, f"does not parse: {e}")
                continue
            if not isinstance(x, dict):
                err(where, "not an object")
                continue
            for k, t in ITEM_FIELDS.items():
                if not isinstance(x.get(k), t):
                    err(where, f"field {k!r} missing or not {t.__name__}")
            if "article" not in x:
                err(where, "field 'article' missing (use null)")
            extra = set(x) - set(ITEM_FIELDS) - {"article", "clarify"}
            if extra:
                err(where, f"unknown fields {sorted(extra)}")
            iid = x.get("id")
            if iid in seen_ids:
                err(where, f"duplicate id {iid!r} (also {seen_ids[iid]})")
            seen_ids[iid] = where
            cls, kb, exp, art = x.get("class"), x.get("kb"), x.get("expected"), x.get("article")
            if cls not in CLASSES:
                err(where, f"class {cls!r} not one of the {len(CLASSES)} classes")
            if x.get("lang") not in LANGS:
                err(where, f"lang {x.get('lang')!r} not in {LANGS}")
            if exp not in EXPECTED:
                err(where, f"expected {exp!r} not in {EXPECTED}")
            if kb not in kbs:
                err(where, f"kb {kb!r} has no kb/{kb}.json")
            turns = x.get("turns")
            if isinstance(turns, list):
                if not turns or not all(isinstance(t, str) and t.strip() for t in turns):
                    err(where, "turns must be a non-empty list of non-empty strings")
                if len(turns) > 5:
                    err(where, f"{len(turns)} turns, at most 5")
                if cls in MULTI_TURN_MIN and len(turns) < MULTI_TURN_MIN[cls]:
                    err(where, f"{cls} needs at least {MULTI_TURN_MIN[cls]} turns")
            if art is not None:
                if not isinstance(art, str):
                    err(where, "article must be a string or null")
                elif kb in kbs and art not in kbs[kb]:
                    err(where, f"article {art!r} not in kb/{kb}.json")
                if exp != "answer":
                    err(where, "an article is only given when the expected decision is 'answer'")
            clar = x.get("clarify", False)
            if not isinstance(clar, bool):
                err(where, "clarify must be true or false")
            elif clar and (exp != "answer" or art is not None):
                err(where, "clarify: true needs expected 'answer' and article null")
            if iid and not re.fullmatch(r"[a-z]+-[a-z0-9]+-\d{2,}", iid):
                err(where, f"id {iid!r} does not look like <file>-<class>-<nn>")
            items.append(x)
    return items


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def table(items, key, keys):
    c = Counter(x.get(key) for x in items)
    return [(k, c.get(k, 0)) for k in keys]


def main():
    markdown = "--markdown" in sys.argv
    kbs = load_kbs()
    seen = {}
    files = {}
    for fname in ("heldout.jsonl", "dev.jsonl"):
        if not os.path.exists(os.path.join(HERE, fname)):
            err(fname, "missing")
            continue
        files[fname] = load_items(fname, kbs, seen)
    for fname, items in files.items():
        for cls, n in table(items, "class", CLASSES):
            if n < MIN_PER_CLASS[fname]:
                err(fname, f"class {cls}: {n} items, at least {MIN_PER_CLASS[fname]} needed")
    total = sum(len(v) for v in files.values())
    held = len(files.get("heldout.jsonl", []))
    if total < 300:
        err("set", f"{total} items in total, at least 300 needed")
    if total and held / total < 0.55:
        err("set", f"held-out part is {held / total:.0%} of the set, at least 55% needed")
    readme = os.path.join(HERE, "README.md")
    hpath = os.path.join(HERE, "heldout.jsonl")
    if os.path.exists(readme) and os.path.exists(hpath):
        digest = sha256(hpath)
        with open(readme, encoding="utf-8") as f:
            text = f.read()
        if digest not in text:
            err("README.md", f"does not record the sha256 of heldout.jsonl ({digest})")

    if markdown:
        names = list(files)
        print("| class | " + " | ".join(names) + " |")
        print("|---|" + "---:|" * len(names))
        for cls in CLASSES:
            print(f"| {cls} | " + " | ".join(str(dict(table(files[n], 'class', CLASSES))[cls]) for n in names) + " |")
        print("| **total** | " + " | ".join(str(len(files[n])) for n in names) + " |")
        print()
        print("| language | " + " | ".join(names) + " |")
        print("|---|" + "---:|" * len(names))
        for lang in LANGS:
            print(f"| {lang} | " + " | ".join(str(dict(table(files[n], 'lang', LANGS))[lang]) for n in names) + " |")
        print()
        print("| expected | " + " | ".join(names) + " |")
        print("|---|" + "---:|" * len(names))
        for e in EXPECTED:
            print(f"| {e} | " + " | ".join(str(dict(table(files[n], 'expected', EXPECTED))[e]) for n in names) + " |")
        clar = {n: sum(1 for x in files[n] if x.get("clarify")) for n in names}
        print("| (answer with clarify) | " + " | ".join(str(clar[n]) for n in names) + " |")
    else:
        for kb, arts in sorted(kbs.items()):
            langs = Counter(a.get("language") for a in arts.values())
            print(f"kb {kb}: {len(arts)} articles " + " ".join(f"{k}={v}" for k, v in sorted(langs.items())))
        for fname, items in files.items():
            print(f"{fname}: {len(items)} items")
            print("  class:    " + " ".join(f"{k}={v}" for k, v in table(items, "class", CLASSES)))
            print("  lang:     " + " ".join(f"{k}={v}" for k, v in table(items, "lang", LANGS)))
            print("  expected: " + " ".join(f"{k}={v}" for k, v in table(items, "expected", EXPECTED)))
        print(f"total {total}, held-out {held} ({held / total:.0%})" if total else "total 0")
        if os.path.exists(hpath):
            print(f"sha256(heldout.jsonl) = {sha256(hpath)}")

    if errors:
        for e in errors:
            print("ERROR " + e, file=sys.stderr)
        print(f"{len(errors)} error(s)", file=sys.stderr)
        return 1
    if not markdown:
        print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
