"""`dependant due` lists links that end by rule, not only stored ends (issue 11 item 6)."""

from __future__ import annotations

import datetime as dt
import sqlite3

from desktop.domain.dependants import jalali_add_years
from desktop.domain.jalali import format_jalali

from ..factories import identity, questionnaire
from .conftest import write_json


def test_due_lists_a_son_whose_link_stores_no_end_by_rule(cli, tmp_path):
    today = dt.date.today()  # the CLI's own clock
    birthday = today + dt.timedelta(days=10)
    father = identity()
    son = identity(gender="male", first_name="رضا", birth_date=format_jalali(jalali_add_years(birthday, -20)),
                   father_national_code=father["national_code"])
    cli("registry", "add", "--json", write_json(tmp_path / "ids.json", [father, son]))
    cli("enrol", "--json", write_json(tmp_path / "q.json", questionnaire(father["national_code"])))
    cli("dependant", "add", "--main", father["national_code"], "--national-code", son["national_code"],
        "--relation", "son", "--json")
    with sqlite3.connect(cli.db) as conn:  # e.g. a link brought in without its end
        conn.execute("UPDATE relationship SET \"end\" = NULL, end_reason = NULL WHERE main_insured_id IS NOT NULL")
    due = cli.json("dependant", "due", "--within", "30", "--json")["due"]
    assert [(d["relation"], d["end"], d["end_reason"], d["by_rule"], d["stored_end"]) for d in due] == [
        ("son", format_jalali(birthday - dt.timedelta(days=1)), "age_20", True, None)]
    assert due[0]["days_left"] == 9
    assert cli.json("dependant", "due", "--within", "5", "--json") == {"due": []}
