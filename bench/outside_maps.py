"""Maps written the way other teams write them, measured against data they never saw.

Four journeys (B2B SaaS onboarding, web-shop checkout, bank account opening, telecom
support) and a stages-only map live in ``bench/outside_maps/`` in the styles the
format allows. A seeded generator writes each journey's events, survey answers,
feedback and customer attributes with **planted** effects (drop-off after a signal
event, in-session loops, a payment incident in a period, a slow persona, low scores
and negative comments after a signal) and **nulls** (real events with no effect,
personas with no effect, a period with nothing in it, events that never occur). The
script runs ``journeymap validate`` and ``journeymap measure`` as a user would (whole
processes) and checks every verdict against the truth below:

- ``S``: planted, must be ``supported``;
- ``N``: null, must not be ``supported``;
- ``I``: untestable (an event the data lacks, no comparison group), must be
  ``insufficient_data``.

    python bench/outside_maps.py --customers 6000 --seeds 11 12 13

Writes nothing outside a temporary folder; prints one line per seed and map and every
verdict that disagrees with the truth. Exit 1 on an error or a traceback, or when more
than 5 % of the nulls are supported (alpha = 0.05 allows about that many).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

MAPS = Path(__file__).resolve().parent / "outside_maps"


START = dt.datetime(2026, 3, 2)
WEEKS = 12

POS = [
    "Quick and easy, great experience",
    "Really helpful staff, thank you",
    "Smooth process, I love it",
    "Worked fine",
    "Clear instructions",
]
NEG = [
    "Terrible, this was so frustrating and slow",
    "Awful experience, I was transferred three times",
    "Confusing and broken, I hate this",
    "Horrible wait, nobody helped me",
    "Very disappointed, it failed again",
]

# A domain: stages (each: list of (event, channel, prob)), continue probability per stage,
# mean gap (hours) to next stage, customer attributes, signals, persona effects, period effects.
DOMAINS = {
    "saas": {
        "attrs": {
            "company_size": (["smb", "mid", "enterprise"], [0.5, 0.3, 0.2]),
            "industry": (
                ["agency", "retail", "finance", "health"],
                [0.25, 0.25, 0.25, 0.25],
            ),
        },
        "stages": [
            (
                "signup",
                [("signup_form_submit", "web", 1.0), ("email_verified", "email", 0.9)],
                0.85,
                1,
            ),
            (
                "setup",
                [
                    ("workspace_created", "app", 1.0),
                    ("integration_connected", "app", 0.7),
                ],
                0.7,
                20,
            ),
            (
                "team",
                [("teammate_invited", "app", 1.0), ("sso_configured", "app", 0.2)],
                0.7,
                30,
            ),
            (
                "value",
                [("dashboard_created", "app", 1.0), ("report_shared", "email", 0.5)],
                0.5,
                40,
            ),
            (
                "paid",
                [
                    ("upgrade_clicked", "app", 1.0),
                    ("subscription_started", "web", 0.95),
                ],
                0.0,
                1,
            ),
        ],
        "signals": [
            # planted: integration failure -> +20pp dropoff at setup
            {
                "event": "integration_failed",
                "stage": "setup",
                "p": 0.2,
                "dropoff": 0.20,
            },
            # null: a real event with no effect
            {"event": "tooltip_dismissed", "stage": "setup", "p": 0.3},
            # planted low score at value stage (csat) for those who hit empty_state
            {
                "event": "empty_state_seen",
                "stage": "value",
                "p": 0.3,
                "low_score": 0.35,
            },
        ],
        "persona": [
            # planted: enterprise x2.5 slower at setup
            {"attr": ("company_size", "enterprise"), "stage": "setup", "slow": 2.5},
        ],
        "surveys": {"value": ("dashboard_created", "csat", 0.5)},
        "feedback": {"team": ("teammate_invited", 0.3)},
        "noise": ["page_view", "help_article_view"],
    },
    "shop": {
        "attrs": {
            "loyalty": (["new", "returning", "vip"], [0.5, 0.4, 0.1]),
            "country": (["de", "fr", "es"], [0.5, 0.3, 0.2]),
        },
        "event_attrs": {"platform": (["mobile", "desktop"], [0.55, 0.45])},
        "stages": [
            ("browse", [("product_view", "web", 1.0), ("search", "web", 0.6)], 0.6, 2),
            ("cart", [("add_to_cart", "web", 1.0), ("cart_view", "web", 0.8)], 0.65, 1),
            (
                "checkout",
                [
                    ("checkout_start", "web", 1.0),
                    ("address_entered", "web", 0.9),
                    ("shipping_selected", "web", 0.85),
                ],
                0.75,
                0.1,
            ),
            ("payment", [("payment_submit", "web", 1.0)], 0.85, 0.05),
            ("confirmation", [("order_confirmed", "email", 1.0)], 0.0, 1),
        ],
        "signals": [
            # null: coupon error that does nothing
            {"event": "coupon_error", "stage": "cart", "p": 0.15},
            # planted: card declined -> loop back to checkout in the same session (+30pp)
            {"event": "card_declined", "stage": "payment", "p": 0.15, "loop": 0.30},
        ],
        "persona": [
            # planted: new customers drop more at checkout (+12pp)
            {"attr": ("loyalty", "new"), "stage": "checkout", "dropoff": 0.12},
        ],
        "period": [
            # planted incident: weeks 5-7 payment dropoff +25pp with payment_error events
            {
                "from": 28,
                "to": 48,
                "stage": "payment",
                "dropoff": 0.25,
                "event": "payment_error",
            },
        ],
        "surveys": {"confirmation": ("order_confirmed", "csat", 0.4)},
        "feedback": {"confirmation": ("order_confirmed", 0.3)},
        "noise": ["home_view", "newsletter_signup"],
    },
    "bank": {
        "attrs": {
            "age_band": (["18-29", "30-49", "50-64", "65+"], [0.25, 0.35, 0.25, 0.15]),
            "segment": (["retail", "premium"], [0.8, 0.2]),
        },
        "stages": [
            (
                "apply",
                [
                    ("application_started", "web", 1.0),
                    ("personal_details_saved", "web", 0.9),
                ],
                0.8,
                0.2,
            ),
            (
                "verify",
                [("id_upload", "app", 1.0), ("selfie_taken", "app", 0.8)],
                0.75,
                24,
            ),
            ("fund", [("first_deposit", "web", 1.0)], 0.85, 48),
            ("activate", [("card_activated", "app", 1.0)], 0.0, 1),
        ],
        "signals": [
            # planted: id rejected -> dropoff +25pp at verify
            {
                "event": "id_rejected",
                "stage": "verify",
                "p": 0.2,
                "dropoff": 0.25,
                "neg_text": 0.5,
            },
            # null real event
            {"event": "address_autocomplete_used", "stage": "apply", "p": 0.5},
        ],
        "persona": [
            # planted: 65+ high effort (low CES answer) at verify
            {"attr": ("age_band", "65+"), "stage": "verify", "low_score": 0.35},
        ],
        "surveys": {"verify": ("id_upload", "ces", 0.5)},
        "feedback": {"verify": ("id_upload", 0.35)},
        "noise": ["faq_view"],
    },
    "telco": {
        "attrs": {
            "plan": (["prepaid", "postpaid", "business"], [0.3, 0.5, 0.2]),
            "tenure": (["<1y", "1-3y", "3y+"], [0.3, 0.4, 0.3]),
        },
        "stages": [
            (
                "detect",
                [("outage_notice_view", "app", 0.6), ("app_help_view", "app", 1.0)],
                0.8,
                0.3,
            ),
            (
                "contact",
                [("chat_open", "chat", 0.6), ("call_ivr", "phone", 0.7)],
                0.8,
                0.1,
            ),
            (
                "diagnose",
                [
                    ("agent_connected", "phone", 1.0),
                    ("remote_test_run", "backstage", 0.6),
                ],
                0.75,
                4,
            ),
            (
                "resolve",
                [("ticket_resolved", "phone", 1.0), ("technician_visit", "field", 0.3)],
                0.9,
                24,
            ),
            ("followup", [("nps_survey_sent", "email", 1.0)], 0.0, 1),
        ],
        "signals": [
            # planted: transferred between agents -> loop back to contact in session (+25pp), negative text
            {
                "event": "call_transferred",
                "stage": "diagnose",
                "p": 0.25,
                "loop": 0.25,
                "neg_text": 0.4,
            },
            # null: ivr menu repeated, no effect
            {"event": "ivr_menu_repeat", "stage": "contact", "p": 0.3},
        ],
        "persona": [
            # planted: prepaid slower to resolve x2
            {"attr": ("plan", "prepaid"), "stage": "resolve", "slow": 2.0},
        ],
        "surveys": {"followup": ("nps_survey_sent", "nps", 0.6)},
        "feedback": {"diagnose": ("agent_connected", 0.3)},
        "noise": ["bill_view"],
    },
}


def _pick(rng, spec):
    values, probs = spec
    return values[rng.choice(len(values), p=probs)]


def _row(cid, session, eattrs, ev, ch, when):
    return {"customer_id": cid, "timestamp": when, "event": ev, "channel": ch,
            "session_id": f"{cid}-{session}", **eattrs}  # fmt: skip


def simulate(domain: str, n: int, seed: int):
    d = DOMAINS[domain]
    rng = np.random.default_rng(seed)
    events, surveys, feedback, customers = [], [], [], []
    for i in range(n):
        cid = f"{domain[0]}{i:06d}"
        attrs = {k: _pick(rng, v) for k, v in d["attrs"].items()}
        customers.append({"customer_id": cid, **attrs})
        eattrs = {k: _pick(rng, v) for k, v in d.get("event_attrs", {}).items()}
        t = START + dt.timedelta(seconds=float(rng.uniform(0, (WEEKS - 2) * 7 * 86400)))
        session = 0

        for k, (sid, evs, p_next, gap_h) in enumerate(d["stages"]):
            drop = 0.0
            loop = 0.02
            slow = 1.0
            low = 0.15
            neg = 0.2
            for pe in d.get("persona", []):
                a, v = pe["attr"]
                if pe["stage"] == sid and attrs.get(a, eattrs.get(a)) == v:
                    drop += pe.get("dropoff", 0)
                    slow *= pe.get("slow", 1)
                    low += pe.get("low_score", 0)
            day = (t - START).days
            in_period = []
            for pp in d.get("period", []):
                if pp["stage"] == sid and pp["from"] <= day <= pp["to"]:
                    drop += pp["dropoff"]
                    in_period.append(pp)
            for ev, ch, p in evs:
                if rng.random() < p:
                    events.append(_row(cid, session, eattrs, ev, ch, t))
                    t += dt.timedelta(seconds=float(rng.exponential(60)))
            for pp in in_period:
                if rng.random() < 0.5:
                    events.append(_row(cid, session, eattrs, pp["event"], "web", t))
                    t += dt.timedelta(seconds=5)
            for sg in d["signals"]:
                if sg["stage"] == sid and rng.random() < sg["p"]:
                    events.append(_row(cid, session, eattrs, sg["event"], evs[0][1], t))
                    t += dt.timedelta(seconds=float(rng.exponential(30)))
                    drop += sg.get("dropoff", 0)
                    loop += sg.get("loop", 0)
                    low += sg.get("low_score", 0)
                    neg += sg.get("neg_text", 0)
            if rng.random() < 0.3:
                events.append(
                    _row(
                        cid,
                        session,
                        eattrs,
                        d["noise"][rng.integers(len(d["noise"]))],
                        "web",
                        t,
                    )
                )
                t += dt.timedelta(seconds=20)
            if k > 0 and rng.random() < loop:
                # loop back one stage within the session, then return
                pev, pch, _ = d["stages"][k - 1][1][0]
                events.append(_row(cid, session, eattrs, pev, pch, t))
                t += dt.timedelta(seconds=40)
                events.append(_row(cid, session, eattrs, evs[0][0], evs[0][1], t))
                t += dt.timedelta(seconds=40)
            if sid in d["surveys"]:
                ev, kind, p = d["surveys"][sid]
                if rng.random() < p:
                    is_low = rng.random() < low
                    if kind == "nps":
                        score = rng.integers(0, 7) if is_low else rng.integers(7, 11)
                    elif kind == "csat":
                        score = rng.integers(1, 3) if is_low else rng.integers(3, 6)
                    else:  # ces: 1-7, 7 easy? docs say low CES 1-3 is "low"
                        score = rng.integers(1, 4) if is_low else rng.integers(4, 8)
                    surveys.append(
                        {
                            "customer_id": cid,
                            "timestamp": t,
                            "event": ev,
                            "score": int(score),
                            "score_kind": kind,
                        }
                    )
            if sid in d["feedback"]:
                ev, p = d["feedback"][sid]
                if rng.random() < p:
                    txt = (NEG if rng.random() < neg else POS)[rng.integers(5)]
                    feedback.append(
                        {"customer_id": cid, "timestamp": t, "event": ev, "text": txt}
                    )
            if k == len(d["stages"]) - 1:
                break
            if rng.random() > max(0.0, p_next - drop):
                break
            gap = float(rng.exponential(gap_h * 3600)) * slow
            if gap > 1800:
                session += 1
            t += dt.timedelta(seconds=gap)
    end = START + dt.timedelta(days=WEEKS * 7)
    ev = pd.DataFrame(events)
    ev = ev[ev.timestamp < end]
    sv = pd.DataFrame(surveys)
    fb = pd.DataFrame(feedback)
    return ev, sv[sv.timestamp < end], fb[fb.timestamp < end], pd.DataFrame(customers)


TRUTH = {
    "saas": {
        "integration-breaks": "S", "tooltips-annoying": "N",
        "enterprise-slow-setup": "S", "agencies-drop": "N", "oauth-timeout": "I",
        "invite-negative": "I", "empty-state": "S", "share-loops": "N",
    },
    "shop": {
        "coupon-errors": "N", "vip-cart-drop": "N", "first-timers-leave": "S",
        "mobile-checkout-drop": "N", "shipping-costs": "N", "card-declined-loop": "S",
        "card-decline-typo": "I", "payment-outage": "S", "payment-outage-later": "N",
        "outage-events": "S", "unhappy-after": "I", "mobile-unhappy": "N",
    },
    "bank": {
        "autocomplete": "N", "postident-fehlt": "I", "ausweis-abgelehnt": "S",
        "ausweis-frust": "S", "senioren-aufwand": "S", "senioren-abbruch": "N",
        "video-ident-langsam": "I", "premium-langsam": "N",
    },
    "telco": {
        "ivr-confusing": "N", "ivr-loops": "N", "chat-vs-phone": "N", "transfers": "S",
        "transfer-anger": "S", "transfer-slow": "N", "business-slow-diag": "N",
        "prepaid-slow": "S", "newbies-slow": "N", "prepaid-detractors": "N",
    },
}  # fmt: skip


def write_data(folder: Path, customers: int, seed: int) -> None:
    for j, domain in enumerate(DOMAINS):
        events, surveys, feedback, attrs = simulate(domain, customers, seed + j)
        out = folder / "data" / domain
        out.mkdir(parents=True, exist_ok=True)
        if domain == "shop":
            events.to_parquet(out / "events.parquet", index=False)
        else:
            events.to_csv(out / "events.csv", index=False)
        surveys.to_csv(out / "surveys.csv", index=False)
        feedback.to_csv(out / "feedback.csv", index=False)
        attrs.to_csv(out / "customers.csv", index=False)


def run(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "journeymap", *args]
    return subprocess.run(command, cwd=folder, capture_output=True, text=True)


def check(folder: Path, name: str) -> dict[str, list[str]]:
    """Validate and measure one map; the verdicts that disagree with the truth."""
    found: dict[str, list[str]] = {"wrong": [], "null_supported": [], "errors": []}
    extra = ["--data", "data/saas/events.csv"] if name == "minimal" else []
    for args in (["validate", f"{name}.yaml"],
                 ["measure", f"{name}.yaml", *extra, "-o", f"{name}.json"]):  # fmt: skip
        done = run(folder, *args)
        if done.returncode != 0 or "Traceback" in done.stderr + done.stdout:
            found["errors"].append(f"{args[0]}: {done.stderr.strip()[-300:]}")
            return found
    verdicts = json.loads((folder / f"{name}.json").read_text())["pain_points"]
    for verdict in verdicts:
        want = TRUTH.get(name, {}).get(verdict["id"])
        got = verdict["verdict"]
        ok = {"S": got == "supported", "N": got != "supported",
              "I": got == "insufficient_data"}.get(want or "", False)  # fmt: skip
        if not ok:
            found["wrong"].append(f"{verdict['id']} ({want}): {verdict['summary']}")
        if want == "N" and got == "supported":
            found["null_supported"].append(verdict["id"])
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=6000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[11])
    options = parser.parse_args(argv)
    nulls = planted = missed = null_supported = errors = 0
    for seed in options.seeds:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            write_data(folder, options.customers, seed)
            for yaml_file in sorted(MAPS.glob("*.yaml")):
                shutil.copy(yaml_file, folder / yaml_file.name)
            for name in [*TRUTH, "minimal"]:
                found = check(folder, name)
                truth = TRUTH.get(name, {})
                nulls += sum(v == "N" for v in truth.values())
                planted += sum(v == "S" for v in truth.values())
                missed += sum("(S)" in w for w in found["wrong"])
                null_supported += len(found["null_supported"])
                errors += len(found["errors"])
                status = "ok" if not (found["wrong"] or found["errors"]) else "CHECK"
                print(f"seed {seed} {name:8s} {status}", flush=True)
                for line in found["errors"] + found["wrong"]:
                    print(f"    {line}", flush=True)
    print(
        f"nulls supported {null_supported}/{nulls}; planted found "
        f"{planted - missed}/{planted}; errors {errors}"
    )
    return 1 if errors or null_supported > 0.05 * nulls else 0


if __name__ == "__main__":
    raise SystemExit(main())
