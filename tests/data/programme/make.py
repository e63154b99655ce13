#!/usr/bin/env python3
"""make.py - write the programme fixtures tests/data/programme/*.eml.

Run from anywhere: `python3 tests/data/programme/make.py`.  Deterministic; the
files are committed.  Uses the form filler of tests/data/pipeline/make.py:
  info-NN.eml      30 applicants from Katowice for the information meeting
  ws-NN.eml        50 applicants from the southern subregion for the workshops
  consult-N.eml    5 consulting requests, topic 1
  cancel.eml       "Rezygnuję" with the placeholder code ZG-CODE-HERE (tests
                   substitute the real one)
Written by hand, not by this script (same placeholders):
  offer-reply.eml          "TAK" in reply to an offer, the offer quoted with '>'
  offer-reply-outlook.eml  "Tak, dziękuję" above an unquoted Outlook copy of the
                           offer (its „rezygnuję” must not cancel)
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "pipeline"))
import make as pm  # noqa: E402

pm.HERE = HERE

FIRST = ["Anna", "Barbara", "Celina", "Dorota", "Ewa", "Franciszek", "Grzegorz", "Halina", "Irena", "Józef",
         "Katarzyna", "Łukasz", "Małgorzata", "Norbert", "Olga", "Paweł", "Renata", "Sławomir", "Teresa",
         "Urszula", "Wiesław", "Zbigniew", "Żaneta", "Agnieszka", "Bogdan", "Cezary", "Danuta", "Edyta",
         "Felicja", "Genowefa"]
LAST = ["Nowak", "Kowalska", "Wiśniewska", "Wójcik", "Kamińska", "Lewandowski", "Zieliński", "Szymańska",
        "Woźniak", "Dąbrowski", "Kozłowska", "Jankowski", "Mazur", "Kwiatkowski", "Krawczyk"]


def applicant(i, powiat, subregion, domain, topic=""):
    first = FIRST[i % len(FIRST)]
    last = LAST[i % len(LAST)]
    return pm.person(first_name=first, last_name=last, email="uczestnik%02d@%s" % (i, domain),
                     institution="Ośrodek Pomocy Społecznej nr %d" % i, powiat=powiat, subregion=subregion,
                     consulting_topic=topic)


def one(name, mid, p, ticks, minute):
    date = "Mon, 17 Feb 2014 10:%02d:%02d +0100" % (minute // 60, minute % 60)
    pm.simple(name, mid, p["first_name"] + " " + p["last_name"], p["email"], "Zgłoszenie – program ROPS",
              pm.GREETING + pm.form(p, ticks) + pm.SIGNOFF % p["first_name"], date=date)


def main():
    for i in range(1, 31):
        one("info-%02d.eml" % i, "info-%02d.20140217@mops-katowice.example.pl" % i,
            applicant(i, "Katowice", "centralny", "mops-katowice.example.pl"), ("info",), i)
    for i in range(1, 51):
        one("ws-%02d.eml" % i, "ws-%02d.20140217@ops-bielsko.example.pl" % i,
            applicant(i, "powiat bielski", "południowy", "ops-bielsko.example.pl"), ("workshops",), i)
    for i in range(1, 6):
        one("consult-%d.eml" % i, "consult-%d.20140217@pcpr-rybnik.example.pl" % i,
            applicant(i, "Rybnik", "zachodni", "pcpr-rybnik.example.pl", topic="1"), ("consulting",), i)
    text = ("Dzień dobry,\n\nniestety rezygnuję z udziału w spotkaniu informacyjnym.\n"
            "Kod zgłoszenia: ZG-CODE-HERE\n\nZ poważaniem\nUczestnik\n")
    pm.simple("cancel.eml", "cancel.20140220@mops-katowice.example.pl", "Uczestnik",
              "uczestnik00@mops-katowice.example.pl", "Rezygnacja z udziału", text,
              date="Thu, 20 Feb 2014 08:00:00 +0100")


if __name__ == "__main__":
    main()
