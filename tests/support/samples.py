"""Sample answers, one per letter kind, written in CLI.md's inquiry JSON shape and read back
as InquiryAnswer (so the samples also exercise `InquiryAnswer.from_json`).

Used by scripts/render_letters.py (docs/letters/*.png), the tests and bench/letters.py; not
shipped with the application.
"""

from __future__ import annotations

import copy
from typing import Any

from desktop.domain.inquiry import InquiryAnswer, Requester
from desktop.domain.jalali import parse_jalali

_FUND = {"code": "F1", "name": "صندوق بازنشستگی کشوری", "group": "fund"}
_COURT = {"code": "J1", "name": "دادگستری کل استان تهران (مجتمع قضایی شهید بهشتی)",
          "group": "judicial"}
_BRANCH = {"code": "1021", "name": "شعبه ۲۱ تهران"}


def _rel(start: str, end: str | None, type_code: str, type_fa: str, category: str,
         relation_fa: str | None, number: str) -> dict[str, Any]:
    return {"start": start, "end": end, "type": type_code, "insured_type": category,
            "relation": type_code if category == "dependant" else None,
            "insurance_number": number, "branch": "1021",
            "type_fa": type_fa, "insured_type_fa": {"main": "اصلی", "dependant": "تبعی"}[category],
            "relation_fa": relation_fa}


def _answer(state: str, **over: Any) -> dict[str, Any]:
    base = {
        "state": state, "tracking_code": "1021000004527", "date": "1403/05/20",
        "authority": _FUND, "national_code": "0012345679",
        "person": {"name": "زهرا احمدی‌نژاد", "gender": "female"}, "coverage": None,
        "period": None, "relationships": [], "judicial": None, "branch": _BRANCH,
    }
    base.update(over)
    return base


def sample_json() -> dict[str, tuple[dict[str, Any], dict[str, Any] | None]]:
    """kind → (answer JSON, certificate JSON or None). Fresh dicts on every call."""
    main = _rel("1398/01/15", "1402/12/29", "mandatory", "بیمه‌شده اجباری (کارگاه)", "main",
                None, "12345678")
    samples: dict[str, tuple[dict[str, Any], dict[str, Any] | None]] = {
        "not_found": (_answer("not_found", person=None), None),
        "not_found_period": (_answer("not_found", person=None,
                                     period={"from": "1400/01/01", "to": "1401/12/29"}), None),
        "not_active": (_answer("not_active", person={"name": "علی لاریجانی", "gender": "male"},
                               relationships=[main]), None),
        "in_period": (_answer("in_period", period={"from": "1397/01/01", "to": "1403/05/01"},
                              relationships=[
                                  _rel("1396/07/01", "1398/01/14", "wife", "همسر (زن)",
                                       "dependant", "همسر (زن)", "98765432"),
                                  main,
                                  _rel("1403/01/05", None, "self_employed", "بیمه مشاغل آزاد",
                                       "main", None, "12345678"),
                              ]), None),
        "active_main": (_answer("active", coverage="main"), None),
        "active_dependant": (_answer("active", coverage="dependant"), None),
        "judicial_main": (_answer(
            "active", coverage="main", authority=_COURT,
            person={"name": "علی لاریجانی", "gender": "male"},
            judicial={"workshop_name": "شرکت صنایع لاستیک البرز (سهامی خاص)",
                      "workshop_address": "تهران، جاده مخصوص کرج، کیلومتر ۱۲، پلاک ۴۵",
                      "address": "تهران، خیابان ولیعصر، کوچه لاله، پلاک ۷، واحد ۳",
                      "phone": "021-88776655"}), None),
        # A pensioner: a main insured with no workshop (issue 9 item 11).
        "judicial_pensioner": (_answer(
            "active", coverage="main", authority=_COURT, national_code="0067749828",
            person={"name": "حسن رضایی", "gender": "male"},
            judicial={"workshop_name": None, "workshop_address": None,
                      "address": "شیراز، بلوار زند، کوچه ۸، پلاک ۱۴",
                      "phone": "071-32345678"}), None),
        "judicial_dependant": (_answer(
            "active", coverage="dependant", authority=_COURT,
            judicial={"main_insured_name": "محمد احمدی‌نژاد", "relation": "wife",
                      "relation_fa": "همسر (زن)",
                      "address": "اصفهان، خیابان چهارباغ بالا، کوچه ۱۲، پلاک ۳",
                      "phone": "0913-1234567"}), None),
        "certificate": (_answer("active", coverage="main", tracking_code="1021000004535"),
                        {"requester_name": "زهرا احمدی‌نژاد", "requester_gender": "female",
                         "requested_on": "1403/05/19", "passcode": "48213-90576"}),
    }
    return copy.deepcopy(samples)


def sample_letters() -> dict[str, tuple[InquiryAnswer, Requester | None]]:
    """kind → (answer, the certificate's requester or None)."""
    return {kind: (InquiryAnswer.from_json(answer), _requester(cert))
            for kind, (answer, cert) in sample_json().items()}


def _requester(raw: dict[str, Any] | None) -> Requester | None:
    if raw is None:
        return None
    return Requester(raw["requester_name"], raw["requester_gender"],
                     parse_jalali(raw["requested_on"]), raw.get("passcode"))
