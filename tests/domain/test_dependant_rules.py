"""Dependant rules (SPEC §3) on pure facts: each rule's boundary days and every refusal's reason."""

from __future__ import annotations

import dataclasses

import pytest

from desktop.domain.dependants import (
    DependantFacts,
    ExistingDependant,
    Link,
    Paper,
    Person,
    SoldierFacts,
    decide,
)
from desktop.domain.jalali import from_jalali as J
from desktop.domain.registry import Marriage

MAIN = "0012345679"
WIFE = "0023456781"
DAY = J(1404, 6, 15)
WORKING = (Link("mandatory", J(1400, 1, 1)),)


def main(**over) -> Person:
    base = dict(national_code=MAIN, gender="male", birth_date=J(1360, 1, 1), father_national_code="1111111111",
                mother_national_code="2222222222", links=WORKING)
    return Person(**{**base, **over})


def child(code: str, gender: str, birth, **over) -> Person:
    return Person(**{"national_code": code, "gender": gender, "birth_date": birth, "father_national_code": MAIN,
                     "mother_national_code": WIFE, **over})


def facts(relation: str, candidate: Person, *, day=DAY, papers=(), main_person=None, **over) -> DependantFacts:
    return DependantFacts(main_person or main(), candidate, relation, day, tuple(papers), **over)


def rules(verdict) -> set[str]:
    return {r.rule for r in verdict.reasons}


# --- son: the day before the 20th birthday is covered, the birthday is not -----------------------

def test_son_day_before_20th_birthday_is_eligible_and_ends_that_day():
    son = child("3333333333", "male", J(1384, 6, 16))
    v = decide(facts("son", son))  # 1404/06/15 is the day before his 20th birthday
    assert v.eligible and v.start == J(1384, 6, 16)
    assert v.end == J(1404, 6, 15) and v.end_reason == "age_20"


def test_son_on_20th_birthday_needs_a_certificate():
    son = child("3333333333", "male", J(1384, 6, 15))
    v = decide(facts("son", son))
    assert not v.eligible and rules(v) == {"son_over_19"}
    assert set(v.papers_needed) == {"university_enrolment", "disability_certificate"}
    assert v.reasons[0].fa and v.reasons[0].remedy_fa


def test_son_over_19_with_university_enrolment_runs_to_its_validity():
    son = child("3333333333", "male", J(1380, 1, 1))
    v = decide(facts("son", son, papers=[Paper("university_enrolment", until=J(1405, 6, 31))]))
    assert v.eligible and v.start == DAY and v.end == J(1405, 6, 31) and v.end_reason == "certificate_expiry"


def test_seminary_certificate_is_refused_with_its_own_reason():
    son = child("3333333333", "male", J(1380, 1, 1))
    v = decide(facts("son", son, papers=[Paper("university_enrolment", seminary=True)]))
    assert not v.eligible and {"seminary", "son_over_19"} <= rules(v)
    assert "حوزه" in next(r.fa for r in v.reasons if r.rule == "seminary")


def test_son_with_disability_certificate_has_no_end():
    son = child("3333333333", "male", J(1370, 1, 1))
    v = decide(facts("son", son, papers=[Paper("disability_certificate")]))
    assert v.eligible and v.end is None


def test_son_in_mandatory_work_refused_but_self_employed_student_is_not_work():
    son = child("3333333333", "male", J(1388, 1, 1), links=(Link("mandatory", J(1404, 1, 1)),))
    assert rules(decide(facts("son", son))) == {"employed"}
    student = dataclasses.replace(son, links=(Link("self_employed", J(1404, 1, 1), orientation="student"),
                                              Link("voluntary", J(1403, 1, 1))))
    assert decide(facts("son", student)).eligible


def test_children_of_a_female_insured_qualify_alike():
    mother = main(national_code=WIFE, gender="female")
    son = child("3333333333", "male", J(1395, 1, 1))
    assert decide(facts("son", son, main_person=mother)).eligible


def test_son_must_be_the_registry_child():
    stranger = child("3333333333", "male", J(1395, 1, 1), father_national_code="4444444444", mother_national_code=None)
    assert rules(decide(facts("son", stranger))) == {"registry_child"}


# --- father over 60, mother over 55: strictly older -------------------------------------------------

def parent_facts(relation: str, birth, papers=(Paper("inspector_report"),), **over):
    code, gender = ("1111111111", "male") if relation == "father" else ("2222222222", "female")
    return facts(relation, Person(code, gender, birth), papers=papers, **over)


def test_father_exactly_60_is_not_over_60():
    v = decide(parent_facts("father", J(1344, 6, 15)))
    assert not v.eligible and rules(v) == {"age_or_disability"}
    assert v.papers_needed == ("disability_certificate",)


def test_father_60_and_one_day_is_over_60():
    v = decide(parent_facts("father", J(1344, 6, 14)))
    assert v.eligible and v.start == DAY and v.end is None


def test_mother_exactly_55_refused_55_and_one_day_eligible():
    assert not decide(parent_facts("mother", J(1349, 6, 15))).eligible
    assert decide(parent_facts("mother", J(1349, 6, 14))).eligible


def test_young_parent_with_total_disability_is_eligible():
    papers = (Paper("inspector_report"), Paper("disability_certificate"))
    assert decide(parent_facts("father", J(1360, 1, 1), papers=papers)).eligible


def test_parent_lists_every_failing_rule():
    insured = Link("voluntary", J(1403, 1, 1))
    father = Person("1111111111", "male", J(1350, 1, 1), links=(insured,))
    v = decide(facts("father", father, other_fund=True))
    assert rules(v) == {"own_insurance", "other_fund", "inspector_report", "age_or_disability"}
    assert set(v.papers_needed) == {"inspector_report", "disability_certificate"}
    assert all(r.fa and r.en for r in v.reasons)


def test_parent_must_be_the_registry_parent():
    v = decide(facts("father", Person("5555555555", "male", J(1330, 1, 1)), papers=[Paper("inspector_report")]))
    assert rules(v) == {"registry_parent"}


# --- wife and husband -------------------------------------------------------------------------------

def test_wife_from_the_marriage_date():
    wife = Person(WIFE, "female", J(1365, 1, 1), marriages=(Marriage(MAIN, J(1390, 5, 5)),))
    v = decide(facts("wife", wife))
    assert v.eligible and v.start == J(1390, 5, 5) and v.end is None


def test_divorced_wife_is_refused():
    wife = Person(WIFE, "female", J(1365, 1, 1),
                  marriages=(Marriage(MAIN, J(1390, 5, 5), J(1400, 1, 1), "divorce"),))
    v = decide(facts("wife", wife))
    assert rules(v) == {"marriage_ended"} and "طلاق" in v.reasons[0].fa


def test_wife_not_married_in_the_registry_is_refused():
    v = decide(facts("wife", Person(WIFE, "female", J(1365, 1, 1))))
    assert rules(v) == {"not_married"} and v.papers_needed == ("marriage_certificate",)


def husband_facts(birth, papers=(Paper("inspector_report"),), links=()):
    insured_wife = main(national_code=WIFE, gender="female")
    husband = Person(MAIN, "male", birth, marriages=(Marriage(WIFE, J(1380, 1, 1)),), links=links)
    return facts("husband", husband, papers=papers, main_person=insured_wife)


def test_husband_under_60_without_disability_is_refused():
    assert rules(decide(husband_facts(J(1350, 1, 1)))) == {"age_or_disability"}


def test_husband_over_60_supported_and_uninsured_is_eligible():
    v = decide(husband_facts(J(1340, 1, 1)))
    assert v.eligible and v.start == DAY


def test_husband_with_own_insurance_and_no_report_is_refused_for_both():
    v = decide(husband_facts(J(1340, 1, 1), papers=(), links=(Link("voluntary", J(1400, 1, 1)),)))
    assert rules(v) == {"own_insurance", "inspector_report"}


# --- daughter -------------------------------------------------------------------------------------

def test_daughter_over_18_needs_the_commitment_form():
    daughter = child("3333333333", "female", J(1380, 1, 1))
    v = decide(facts("daughter", daughter))
    assert rules(v) == {"commitment_form"} and v.papers_needed == ("commitment_form",)
    v = decide(facts("daughter", daughter, papers=[Paper("commitment_form")]))
    assert v.eligible and v.start == J(1380, 1, 1) and v.end is None


def test_daughter_on_her_18th_birthday_is_not_yet_over_18():
    daughter = child("3333333333", "female", J(1386, 6, 15))
    v = decide(facts("daughter", daughter))
    assert v.eligible and v.end == DAY and v.end_reason == "age_18_commitment_form"
    assert not decide(facts("daughter", daughter, day=J(1404, 6, 16))).eligible


def test_married_daughter_is_refused():
    daughter = child("3333333333", "female", J(1380, 1, 1), marriages=(Marriage("6666666666", J(1402, 1, 1)),))
    v = decide(facts("daughter", daughter, papers=[Paper("commitment_form")]))
    assert rules(v) == {"married"}


def test_returning_daughter_after_divorce_starts_on_the_request_date():
    daughter = child("3333333333", "female", J(1380, 1, 1),
                     marriages=(Marriage("6666666666", J(1400, 1, 1), J(1403, 1, 1), "divorce"),))
    v = decide(facts("daughter", daughter, papers=[Paper("commitment_form")]))
    assert v.eligible and v.start == DAY


def test_daughter_self_employed_housewife_or_voluntary_is_not_employed():
    links = (Link("self_employed", J(1403, 1, 1), orientation="housewife"), Link("voluntary", J(1402, 1, 1)))
    daughter = child("3333333333", "female", J(1380, 1, 1), links=links)
    assert decide(facts("daughter", daughter, papers=[Paper("commitment_form")])).eligible
    employed = dataclasses.replace(daughter, links=(Link("self_employed", J(1403, 1, 1), orientation="other"),))
    assert rules(decide(facts("daughter", employed, papers=[Paper("commitment_form")]))) == {"employed"}


# --- adopted child ----------------------------------------------------------------------------------

ADOPTED = Person("7777777777", "female", J(1400, 1, 1), father_national_code="8888888888")
TRIAL = J(1404, 1, 10)  # covers 1404/01/10 .. 1404/07/09


def adoption(day, *papers, existing=()):
    return facts("adopted_child", ADOPTED, day=day, papers=[*papers, Paper("welfare_letter")],
                 existing_dependants=tuple(existing))


def test_trial_order_last_day_is_covered_and_the_day_after_is_not():
    v = decide(adoption(J(1404, 7, 9), Paper("court_order_trial", date=TRIAL)))
    assert v.eligible and v.start == TRIAL and v.end == J(1404, 7, 9) and v.end_reason == "trial_order"
    v = decide(adoption(J(1404, 7, 10), Paper("court_order_trial", date=TRIAL)))
    assert rules(v) == {"trial_order_expired"} and v.papers_needed == ("court_order_final",)


def test_final_order_has_no_end_and_papers_are_named():
    assert decide(adoption(DAY, Paper("court_order_final", date=J(1403, 1, 1)))).end is None
    v = decide(facts("adopted_child", ADOPTED))
    assert rules(v) == {"court_order", "welfare_letter"}


def adopted(code: str, father: str) -> ExistingDependant:
    return ExistingDependant(code, "adopted_child", J(1402, 1, 1), None, father_national_code=father)


def test_third_adopted_child_refused_unless_a_sibling():
    two = [adopted("9000000001", "8000000001"), adopted("9000000002", "8000000002")]
    final = Paper("court_order_final", date=J(1404, 1, 1))
    assert rules(decide(adoption(DAY, final, existing=two))) == {"adoption_limit"}
    sibling = [adopted("9000000001", "8888888888"), two[1]]
    assert decide(adoption(DAY, final, existing=sibling)).eligible
    assert decide(adoption(DAY, final, existing=two[:1])).eligible


# --- soldier's family, shared checks, medical link ---------------------------------------------------

def test_soldier_family_covered_until_the_end_of_service():
    wife = Person(WIFE, "female", J(1380, 1, 1), marriages=(Marriage(MAIN, J(1403, 1, 1)),))
    soldier = SoldierFacts(J(1404, 3, 1), J(1406, 2, 31), on_wage_list_or_inspection=True)
    v = decide(facts("soldier_family", wife, papers=[Paper("service_booklet")], soldier=soldier, main_person=main(links=())))
    assert v.eligible and v.start == J(1404, 3, 1) and v.end == J(1406, 2, 31) and v.end_reason == "service_end"
    idle = dataclasses.replace(soldier, on_wage_list_or_inspection=False)
    v = decide(facts("soldier_family", wife, soldier=idle, main_person=main(links=())))
    assert rules(v) == {"soldier_insured_before_dispatch", "service_booklet"}


def test_main_insured_without_active_insurance_and_duplicates_are_refused():
    son = child("3333333333", "male", J(1395, 1, 1))
    assert rules(decide(facts("son", son, main_person=main(links=())))) == {"main_not_insured"}
    existing = (ExistingDependant("3333333333", "son", J(1395, 1, 1), None),)
    assert rules(decide(facts("son", son, existing_dependants=existing))) == {"already_dependant"}


def test_father_request_takes_the_medical_link_from_the_mother():
    mothers = Link("son", J(1395, 1, 1), relationship_id="r-mother", main_insured_code=WIFE, main_insured_gender="female")
    son = child("3333333333", "male", J(1395, 1, 1), links=(mothers,))
    v = decide(facts("son", son))
    assert v.eligible and v.medical_link and v.takes_medical_link_from == ("r-mother",)


def test_mother_request_after_the_father_gets_no_medical_link():
    fathers = Link("son", J(1395, 1, 1), relationship_id="r-father", main_insured_code=MAIN, main_insured_gender="male")
    son = child("3333333333", "male", J(1395, 1, 1), links=(fathers,))
    v = decide(facts("son", son, main_person=main(national_code=WIFE, gender="female")))
    assert v.eligible and not v.medical_link and v.takes_medical_link_from == ()


@pytest.mark.parametrize("relation", ["son", "wife", "father", "adopted_child", "nephew"])
def test_dead_candidate_is_refused_with_a_reason(relation):
    dead = child("3333333333", "male", J(1395, 1, 1), death_date=J(1403, 1, 1))
    v = decide(facts(relation, dead))
    assert not v.eligible and ("candidate_deceased" in rules(v) or relation == "nephew")



def test_a_seminary_certificate_beside_a_valid_one_is_ignored_not_refused():
    """Seminary certificates do not count (SPEC §3): they neither qualify nor block a son."""
    son = child("3333333333", "male", J(1370, 1, 1))
    v = decide(facts("son", son, papers=[Paper("disability_certificate"),
                                         Paper("university_enrolment", seminary=True)]))
    assert v.eligible, rules(v)


def test_a_daughters_past_voluntary_link_does_not_move_her_start():
    """Voluntary continuation does not end a daughter's dependency, so leaving it is no 'return'."""
    daughter = child("3333333333", "female", J(1382, 1, 1), links=(Link("voluntary", J(1401, 1, 1), J(1402, 1, 1)),))
    v = decide(facts("daughter", daughter, papers=[Paper("commitment_form")]))
    assert v.eligible and v.start == J(1382, 1, 1)
    worked = dataclasses.replace(daughter, links=(Link("mandatory", J(1401, 1, 1), J(1402, 1, 1)),))
    assert decide(facts("daughter", worked, papers=[Paper("commitment_form")])).start == DAY


def test_the_age_reason_says_its_years_in_persian_digits():
    """Issue 9 item 10: «بیش از ۶۰ سال», never «بیش از 60 سال», in a Persian sentence."""
    v = decide(parent_facts("father", J(1344, 6, 15)))
    text = next(r.fa for r in v.reasons if r.rule == "age_or_disability")
    assert "بیش از ۶۰ سال" in text and not any(c.isascii() and c.isdigit() for c in text)
